package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/node/api"
)

// freePortRange finds base such that TCP and UDP ports base … base+n-1 are
// free on 127.0.0.1 now, by listening on them and closing. Another program
// may still take one before the nodes do; the range is random to make that
// unlikely.
func freePortRange(t *testing.T, n int) int {
	t.Helper()
	for range 100 {
		base := 20000 + rand.IntN(40000)
		var closers []func() error
		ok := true
		for p := base; p < base+n && ok; p++ {
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
			if ln, err := net.Listen("tcp", addr); err == nil {
				closers = append(closers, ln.Close)
			} else {
				ok = false
			}
			if pc, err := net.ListenPacket("udp", addr); err == nil {
				closers = append(closers, pc.Close)
			} else {
				ok = false
			}
		}
		for _, c := range closers {
			c()
		}
		if ok {
			return base
		}
	}
	t.Fatalf("no %d consecutive free ports on 127.0.0.1", n)
	return 0
}

// devnetProcs are the node processes of a devnet written by `cairn devnet
// init`, each with the API on a kernel-picked port.
type devnetProcs struct {
	net   *devnet
	nodes []*nodeProc
}

// startDevnetProcs writes an n-node devnet into a temporary directory and
// starts one `cairn node --home DIR/nodeK` per validator. It skips the test
// while the libp2p transport is not built yet.
func startDevnetProcs(t *testing.T, n int) *devnetProcs {
	t.Helper()
	return startDevnetProcsArgs(t, n)
}

// startDevnetProcsArgs is startDevnetProcs with extra flags for every
// node (after the harness's own, so they win: e.g. --block-time 20ms).
func startDevnetProcsArgs(t *testing.T, n int, extra ...string) *devnetProcs {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "devnet")
	base := freePortRange(t, n)
	_, errOut, code := runCLI(t, "devnet", "init", "-n", strconv.Itoa(n), "--home", dir,
		"--base-p2p-port", strconv.Itoa(base), "--base-api-port", strconv.Itoa(base+n))
	if code != 0 {
		t.Fatalf("devnet init: exit %d: %s", code, errOut)
	}
	d, err := loadDevnet(dir)
	if err != nil {
		t.Fatal(err)
	}
	dp := &devnetProcs{net: d}
	for _, home := range d.Nodes {
		p, err := tryStartNode(t, append([]string{"--home", home.Home}, extra...)...)
		if err != nil && strings.Contains(err.Error(), "p2p: being built") {
			t.Skip("the libp2p transport (node/p2p) is not built yet: p2p.New says \"being built\"")
		}
		if err != nil {
			t.Fatalf("%s: %v", home.Name, err)
		}
		dp.nodes = append(dp.nodes, p)
	}
	return dp
}

// statuses asks every node in ps for its status; a node that does not
// answer is an error.
func statuses(ctx context.Context, ps []*nodeProc) ([]*api.Status, error) {
	out := make([]*api.Status, len(ps))
	for i, p := range ps {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := p.client.Status(ctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", i+1, err)
		}
		out[i] = st
	}
	return out, nil
}

// waitHeights polls (bounded) until every node in ps has at least peers
// peers and a head at or above height, and returns the lowest head.
func waitHeights(t *testing.T, ps []*nodeProc, height uint64, peers int, bound time.Duration) uint64 {
	t.Helper()
	deadline := time.Now().Add(bound)
	var last []*api.Status
	for {
		sts, err := statuses(context.Background(), ps)
		if err == nil {
			last = sts
			low := sts[0].Height
			ready := true
			for _, st := range sts {
				low = min(low, st.Height)
				ready = ready && st.Height >= height && st.Peers >= peers
			}
			if ready {
				return low
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for i, st := range last {
				c := "no consensus status"
				if st.Consensus != nil {
					c = fmt.Sprintf("consensus at %d/%d %s", st.Consensus.Height, st.Consensus.Round, st.Consensus.Step)
				}
				got = append(got, fmt.Sprintf("node%d height %d peers %d %s", i+1, st.Height, st.Peers, c))
			}
			var logs strings.Builder
			for i, p := range ps {
				fmt.Fprintf(&logs, "--- node %d:\n%s\n", i+1, p.logTail())
			}
			t.Fatalf("not every node at height %d with %d peers within %v (last: %s; err %v)\n%s",
				height, peers, bound, strings.Join(got, ", "), err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sameBlock checks that every node in ps holds the same block at height.
func sameBlock(t *testing.T, ps []*nodeProc, height uint64) {
	t.Helper()
	var hashes []string
	for i, p := range ps {
		b, err := p.client.Block(context.Background(), strconv.FormatUint(height, 10), false)
		if err != nil {
			t.Fatalf("node %d block %d: %v", i+1, height, err)
		}
		hashes = append(hashes, b.Hash.Hex())
	}
	for _, h := range hashes[1:] {
		if h != hashes[0] {
			t.Fatalf("the nodes disagree on block %d: %q", height, hashes)
		}
	}
}

// TestDevnetFourProcesses runs the network `cairn devnet init -n 4` writes
// as four real `cairn node` processes on 127.0.0.1: they find each other
// from their bootstrap lists, agree on the same advancing chain, list each
// other as peers, and go on when the validator with the largest stake
// stops.
func TestDevnetFourProcesses(t *testing.T) {
	dp := startDevnetProcs(t, 4)
	ps := dp.nodes
	low := waitHeights(t, ps, 3, 3, 90*time.Second)
	sameBlock(t, ps, low)
	waitHeights(t, ps, low+2, 3, 30*time.Second)

	out, errOut, code := runCLI(t, "query", "peers", "--json", "--api", ps[0].addr)
	if code != 0 {
		t.Fatalf("query peers: exit %d: %s", code, errOut)
	}
	var pl api.PeerList
	if err := json.Unmarshal([]byte(out), &pl); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, p := range pl.Peers {
		got = append(got, p.ID)
	}
	for _, n := range dp.net.Nodes[1:] {
		want = append(want, n.P2P[strings.LastIndex(n.P2P, "/")+1:])
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("node1's peers %q, want the other three %q", got, want)
	}

	// node1 holds the largest stake, under a third: the rest go on.
	if err := ps[0].stop(); err != nil {
		t.Fatal(err)
	}
	rest := ps[1:]
	sts, err := statuses(context.Background(), rest)
	if err != nil {
		t.Fatal(err)
	}
	from := sts[0].Height
	for _, st := range sts {
		from = max(from, st.Height)
	}
	low = waitHeights(t, rest, from+2, 2, 60*time.Second)
	sameBlock(t, rest, low)
}
