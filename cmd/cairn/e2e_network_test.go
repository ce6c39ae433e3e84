package main

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/node/api"
	"cairn/wallet"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// The end-to-end tests of the network: real `cairn node` processes on
// 127.0.0.1 that find each other from the bootstrap lists `cairn devnet
// init` writes. TestNetwork runs the checks that leave the network as
// they found it on one four-validator devnet; the crash test and the late
// follower (e2e_crash_test.go, e2e_sync_test.go) need networks of their
// own.

// TestNetwork starts one four-validator devnet and checks, in turn, that
// transactions sent to one node reach every validator's proposals, that a
// peer sending garbage is scored down and banned while the chain goes on,
// and that a node of another genesis is refused on both sides.
func TestNetwork(t *testing.T) {
	dp := startDevnetProcs(t, 4)
	low := waitHeights(t, dp.nodes, 2, 3, 90*time.Second)
	sameBlock(t, dp.nodes, low)
	t.Run("Transactions", func(t *testing.T) { testNetworkTransactions(t, dp) })
	t.Run("GarbagePeer", func(t *testing.T) { testGarbagePeer(t, dp) })
	t.Run("OtherGenesis", func(t *testing.T) { testOtherGenesis(t, dp) })
}

// testNetworkTransactions sends waves of transfers, one from each of four
// funded accounts, to node1 only, and waits for each wave to be included
// on every node before the next. Every node must hold each transfer in the
// same block with a successful receipt, and the recipient's balance must
// be the sum on every node. The waves go on until the blocks that included
// them were proposed by at least two validators other than node1: those
// had the transfers in their own mempools, from gossip. The proposer is a
// stake-weighted pick per height (node1 holds 8/26 of the stake), so a few
// waves do; the bound is generous.
func testNetworkTransactions(t *testing.T, dp *devnetProcs) {
	ctx := context.Background()
	ps := dp.nodes
	keys, err := wallet.DevKeys(4)
	if err != nil {
		t.Fatal(err)
	}
	names := map[common.Address]string{}
	for _, n := range dp.net.Nodes {
		names[n.Validator] = n.Name
	}
	to := common.HexToAddress("0x000000000000000000000000000000000000e2e4")
	const value = 1000
	proposers := map[common.Address]int{} // blocks with our transfers, by proposer
	proposerOf := map[common.Hash]common.Address{}
	included := 0
	start := time.Now()
	deadline := start.Add(120 * time.Second)
	for wave := uint64(0); ; wave++ {
		var hashes []common.Hash
		for _, key := range keys {
			raw := signDyn(t, key, devnetChainID, &types.DynamicFeeTx{Nonce: wave, Gas: 21000, To: &to, Value: big.NewInt(value)})
			hashes = append(hashes, send(t, ps[0], raw))
		}
		for _, h := range hashes {
			block := waitIncludedEverywhere(t, ps, h, time.Until(deadline))
			if _, ok := proposerOf[block]; !ok {
				b, err := ps[0].client.Block(ctx, block.Hex(), false)
				if err != nil {
					t.Fatal(err)
				}
				proposerOf[block] = b.Proposer
				proposers[b.Proposer]++
			}
			included++
		}
		others := 0
		for a := range proposers {
			if a != dp.net.Nodes[0].Validator {
				others++
			}
		}
		if others >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d waves the blocks with the transfers were proposed by %s: want two validators other than node1",
				wave+1, describeProposers(proposers, names))
		}
	}
	for i, p := range ps {
		acc, err := p.client.Account(ctx, to)
		if err != nil {
			t.Fatalf("node%d: %v", i+1, err)
		}
		if want := big.NewInt(int64(included) * value); acc.Balance.Int().Cmp(want) != 0 {
			t.Fatalf("node%d: recipient balance %v, want %v after %d transfers", i+1, acc.Balance.Int(), want, included)
		}
	}
	t.Logf("%d transfers sent to node1 in %v, included on all four nodes in %d blocks proposed by %s",
		included, time.Since(start).Round(time.Millisecond), len(proposerOf), describeProposers(proposers, names))
}

func describeProposers(proposers map[common.Address]int, names map[common.Address]string) string {
	var out []string
	for a, n := range proposers {
		name := names[a]
		if name == "" {
			name = a.Hex()
		}
		out = append(out, fmt.Sprintf("%s (%d)", name, n))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// waitIncludedEverywhere polls every node in ps until each has transaction
// h included with a successful receipt, and returns the block; the nodes
// must agree on it. bound covers the whole wait.
func waitIncludedEverywhere(t *testing.T, ps []*nodeProc, h common.Hash, bound time.Duration) common.Hash {
	t.Helper()
	deadline := time.Now().Add(bound)
	var block common.Hash
	for i, p := range ps {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			tx, err := p.client.Tx(ctx, h)
			cancel()
			if err == nil && tx.Status == api.TxIncluded {
				if tx.Receipt == nil || tx.Receipt.Status != 1 || tx.BlockHash == nil {
					t.Fatalf("node%d: transfer %s included with receipt %+v", i+1, h, tx.Receipt)
				}
				if i == 0 {
					block = *tx.BlockHash
				} else if *tx.BlockHash != block {
					t.Fatalf("transfer %s is in block %s on node1 but in %s on node%d", h, block, *tx.BlockHash, i+1)
				}
				break
			}
			if time.Now().After(deadline) {
				st := "unknown"
				if tx != nil {
					st = tx.Status
				}
				t.Fatalf("node%d: transfer %s not included in time (status %s, err %v)\n%s", i+1, h, st, err, p.logTail())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return block
}

// maxHeight is the highest head among ps.
func maxHeight(t *testing.T, ps []*nodeProc) uint64 {
	t.Helper()
	sts, err := statuses(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	var h uint64
	for _, st := range sts {
		h = max(h, st.Height)
	}
	return h
}

// blockHashes reads every block hash of p's chain from 1 up to its head.
func blockHashes(t *testing.T, p *nodeProc) []common.Hash {
	t.Helper()
	ctx := context.Background()
	st, err := p.client.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := []common.Hash{{}} // height 0 is not compared
	for from := uint64(1); from <= st.Height; {
		bs, err := p.client.Blocks(ctx, from, api.MaxBlocksPage)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) == 0 {
			t.Fatalf("no blocks from %d below the head %d", from, st.Height)
		}
		for _, b := range bs {
			if b.Height != uint64(len(out)) {
				t.Fatalf("blocks from %d: got height %d at position %d", from, b.Height, len(out))
			}
			out = append(out, b.Hash)
		}
		from += uint64(len(bs))
	}
	return out
}

// noFork checks that every two nodes of ps hold the same block at every
// height both have.
func noFork(t *testing.T, ps []*nodeProc) {
	t.Helper()
	chains := make([][]common.Hash, len(ps))
	for i, p := range ps {
		chains[i] = blockHashes(t, p)
	}
	for i := range chains {
		for j := i + 1; j < len(chains); j++ {
			for h := 1; h < min(len(chains[i]), len(chains[j])); h++ {
				if chains[i][h] != chains[j][h] {
					t.Fatalf("fork at height %d: %s on one node, %s on another", h, chains[i][h], chains[j][h])
				}
			}
		}
	}
}

// peerIDs are the IDs p lists in /v1/peers.
func peerIDs(t *testing.T, p *nodeProc) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	peers, err := p.client.Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(peers))
	for i, pr := range peers {
		ids[i] = pr.ID
	}
	return ids
}

// nodeID is p's peer ID as its status says.
func nodeID(t *testing.T, p *nodeProc) string {
	t.Helper()
	st, err := p.client.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.NodeID == "" {
		t.Fatal("the node reports no peer ID: is it on the network?")
	}
	return st.NodeID
}

// logLineWith is the first line of p's log holding every one of parts.
func (p *nodeProc) logLineWith(parts ...string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.log {
		ok := true
		for _, s := range parts {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			return l, true
		}
	}
	return "", false
}

// testOtherGenesis starts the one node of another devnet (another `devnet
// init`: other validators and time, so another genesis hash, on the same
// chain ID) with node1 of the first as its only bootstrap peer. Either
// side bans the other at the status handshake and says why in its log;
// then, over a few seconds in which the other node keeps re-dialling,
// neither side lists the other as a peer and both chains go on.
func testOtherGenesis(t *testing.T, dp *devnetProcs) {
	a := dp.nodes[0]
	dir := filepath.Join(t.TempDir(), "other")
	base := freePortRange(t, 2)
	_, errOut, code := runCLI(t, "devnet", "init", "-n", "1", "--home", dir,
		"--base-p2p-port", strconv.Itoa(base), "--base-api-port", strconv.Itoa(base+1))
	if code != 0 {
		t.Fatalf("devnet init: exit %d: %s", code, errOut)
	}
	other, err := loadDevnet(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := startNodeArgs(t, "--home", other.Nodes[0].Home, "--bootstrap", dp.net.Nodes[0].P2P)
	ctx := context.Background()
	stA, err := a.client.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stB, err := b.client.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stA.GenesisHash == stB.GenesisHash || stA.ChainID != stB.ChainID {
		t.Fatalf("want the same chain ID and another genesis: %d %s and %d %s", stA.ChainID, stA.GenesisHash, stB.ChainID, stB.GenesisHash)
	}
	idA, idB := stA.NodeID, stB.NodeID

	// The handshake happens and one side refuses the other, saying why.
	deadline := time.Now().Add(30 * time.Second)
	var why string
	for why == "" {
		if l, ok := a.logLineWith("banned peer", idB, "genesis"); ok {
			why = "node1 of the devnet: " + l
		} else if l, ok := b.logLineWith("banned peer", idA, "genesis"); ok {
			why = "the other genesis's node: " + l
		} else if time.Now().After(deadline) {
			t.Fatalf("neither node logged a ban of the other for its genesis within 30s\n--- node1:\n%s\n--- other:\n%s", a.logTail(), b.logTail())
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("refused by %s", why)

	// Neither side lists the other while the other node re-dials, and
	// both chains advance.
	all := append(slices.Clone(dp.nodes), b)
	sts, err := statuses(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		for i, p := range dp.nodes {
			if slices.Contains(peerIDs(t, p), idB) {
				t.Fatalf("node%d lists the node of the other genesis as a peer", i+1)
			}
		}
		if ids := peerIDs(t, b); len(ids) != 0 {
			t.Fatalf("the node of the other genesis lists peers %q", ids)
		}
	}
	waitHeights(t, dp.nodes, sts[0].Height+2, 3, 30*time.Second)
	waitHeights(t, []*nodeProc{b}, sts[len(sts)-1].Height+2, 0, 30*time.Second)
}
