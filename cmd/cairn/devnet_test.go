package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/p2p"
)

func TestDevnetInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	out, err := runRoot(t, "devnet", "init", "-n", "4", "--home", dir, "--base-api-port", "18645", "--base-p2p-port", "40433", "--block-time", "200ms")
	if err != nil {
		t.Fatal(err)
	}
	d, err := loadDevnet(dir)
	if err != nil {
		t.Fatal(err)
	}
	g := d.Genesis
	if g.ChainID != chain.DevnetChainID || len(g.Validators) != 4 || len(d.Nodes) != 4 || g.Params.BlockTimeMs != 200 {
		t.Fatalf("genesis: chain %d, %d validators, %d homes, block time %dms", g.ChainID, len(g.Validators), len(d.Nodes), g.Params.BlockTimeMs)
	}
	if !reflect.DeepEqual(g.Alloc, chain.Devnet().Alloc) {
		t.Error("the devnet's funded accounts differ from chain.Devnet()")
	}

	// Unequal stakes, none of which holds a third.
	total, largest := new(big.Int), new(big.Int)
	stakes := map[string]bool{}
	for _, v := range g.Validators {
		total.Add(total, v.Stake.Int())
		if v.Stake.Int().Cmp(largest) > 0 {
			largest = v.Stake.Int()
		}
		stakes[v.Stake.Int().String()] = true
	}
	if len(stakes) != 4 || new(big.Int).Mul(largest, big.NewInt(3)).Cmp(total) >= 0 {
		t.Errorf("stakes %v: want 4 different ones, the largest below a third of %v", stakes, total)
	}

	apiPorts, p2pPorts, ids := map[int]bool{}, map[int]bool{}, make([]string, 4)
	for i, n := range d.Nodes {
		key, err := node.LoadValidatorKey(node.ValidatorKeyPath(n.Home))
		if err != nil {
			t.Fatal(err)
		}
		if !ed25519.PublicKey(g.Validators[i].PubKey).Equal(key.Public()) {
			t.Errorf("%s: its validator key is not genesis validator %d", n.Name, i)
		}
		if !strings.Contains(out, n.Validator.Hex()) || !strings.Contains(out, n.P2P) {
			t.Errorf("the table does not show %s's validator and P2P address:\n%s", n.Name, out)
		}
		_, id, err := p2p.LoadOrCreateIdentity(node.NodeKeyPath(n.Home))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id.String()
		for _, f := range []string{node.ValidatorKeyPath(n.Home), node.NodeKeyPath(n.Home)} {
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, want 0600 (%v)", f, fi.Mode().Perm(), err)
			}
		}
		if fi, err := os.Stat(n.Home); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", n.Home, fi.Mode().Perm())
		}
		apiPorts[tcpPort(n.API)] = true
		p2pPorts[tcpPort(n.P2P)] = true
	}
	if len(apiPorts) != 4 || len(p2pPorts) != 4 || !apiPorts[18645] || !p2pPorts[40433] {
		t.Errorf("ports: API %v, P2P %v; want 4 distinct each from the bases", apiPorts, p2pPorts)
	}

	// Each home runs as `cairn node --home` (and the console, which reads
	// it the same way) would: its API, its listen addresses, the others as
	// bootstrap peers with their real peer IDs, its own validator key.
	for i, n := range d.Nodes {
		var f nodeFlags
		f.devnetIfNoGenesis = true // as the console does
		cfg, err := testFlagsConfig(t, &f, "--home", n.Home)
		if err != nil {
			t.Fatal(err)
		}
		port := 40433 + i
		if cfg.APIAddr != "127.0.0.1:"+strconv.Itoa(18645+i) || cfg.P2P == nil ||
			!slices.Equal(cfg.P2P.Listen, p2p.LocalListen(port)) {
			t.Fatalf("%s: api %q, p2p %+v", n.Name, cfg.APIAddr, cfg.P2P)
		}
		if cfg.Genesis.ChainID != chain.DevnetChainID || len(cfg.Genesis.Validators) != 4 {
			t.Fatalf("%s runs the built-in devnet, not the written genesis", n.Name)
		}
		if !ed25519.PublicKey(g.Validators[i].PubKey).Equal(cfg.ValidatorKey.Public()) {
			t.Errorf("%s: runs with another validator key", n.Name)
		}
		var want []string
		for j := range d.Nodes {
			if j != i {
				want = append(want, "/ip4/127.0.0.1/tcp/"+strconv.Itoa(40433+j)+"/p2p/"+ids[j])
			}
		}
		if !slices.Equal(cfg.P2P.Bootstrap, want) {
			t.Errorf("%s: bootstrap %q, want %q", n.Name, cfg.P2P.Bootstrap, want)
		}
	}

	if _, err := runRoot(t, "devnet", "init", "--home", dir); err == nil || !strings.Contains(err.Error(), "already holds a devnet") {
		t.Fatalf("second init: %v", err)
	}
	// Restarting with another size is refused before anything starts.
	// (A bound in case it wrongly starts the nodes.)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run := exec.CommandContext(ctx, cairnBin, "devnet", "-n", "3", "--home", dir)
	errOut, err := run.CombinedOutput()
	if err == nil || ctx.Err() != nil || !strings.Contains(string(errOut), "written with 4") {
		t.Fatalf("devnet -n 3 on a 4-node devnet: %v, %q", err, errOut)
	}
}

func TestDevnetInitRefusesBadOptions(t *testing.T) {
	for _, args := range [][]string{
		{"-n", "0"},
		{"--base-api-port", "65534"},
		{"--base-api-port", "30000", "--base-p2p-port", "30002"},
		{"--log-level", "loud"},
	} {
		dir := filepath.Join(t.TempDir(), "net")
		if _, err := runRoot(t, append([]string{"devnet", "init", "--home", dir}, args...)...); err == nil {
			t.Errorf("%q accepted", args)
		}
		if _, err := os.Stat(dir); err == nil && devnetExists(dir) {
			t.Errorf("%q left a devnet behind", args)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond every 20ms until it holds or the bound passes.
func waitFor(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fileContains(path, s string) bool {
	data, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(data), s)
}

// TestSupervisor runs a node that fails at start next to one that runs:
// the failure is reported with its log, the other keeps running until
// the supervisor is stopped, and then stops cleanly on SIGTERM.
func TestSupervisor(t *testing.T) {
	dir := t.TempDir()
	bad := childSpec{name: "bad", path: cairnBin, log: filepath.Join(dir, "bad.log"),
		args: []string{"node", "--home", filepath.Join(dir, "empty"), "--api", ""}}
	good := childSpec{name: "good", path: cairnBin, log: filepath.Join(dir, "good.log"),
		args: []string{"node", "--devnet", "--no-p2p", "--home", filepath.Join(dir, "good"), "--api", "127.0.0.1:0", "--block-time", "100ms"}}
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sup := &supervisor{out: &out, stopTimeout: 30 * time.Second}
	res := make(chan error, 1)
	go func() { res <- sup.run(ctx, []childSpec{bad, good}, nil) }()

	waitFor(t, 60*time.Second, "the failed node reported", func() bool {
		return strings.Contains(out.String(), "bad exited by itself")
	})
	if !strings.Contains(out.String(), "cairn init") || !strings.Contains(out.String(), "1 node(s) still running") {
		t.Fatalf("the report lacks the end of the log or the count left:\n%s", out.String())
	}
	waitFor(t, 60*time.Second, "the good node started", func() bool { return fileContains(good.log, `msg="node started"`) })
	cancel()
	select {
	case err := <-res:
		if err != nil {
			t.Fatalf("stop: %v\n%s", err, out.String())
		}
	case <-time.After(45 * time.Second):
		t.Fatal("the supervisor did not return within 45s of being stopped")
	}
	if !fileContains(good.log, `msg="node stopped"`) || !strings.Contains(out.String(), "all nodes stopped") {
		t.Fatalf("the good node did not stop cleanly:\n%s", out.String())
	}
}

// TestSupervisorKillsStubbornChild: a child that ignores SIGTERM is killed
// after the bound, and the stop says so.
func TestSupervisorKillsStubbornChild(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	spec := childSpec{name: "stubborn", path: sh, log: filepath.Join(dir, "s.log"),
		args: []string{"-c", `trap "" TERM; echo ready; while :; do sleep 0.05; done`}}
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	sup := &supervisor{out: &out, stopTimeout: 300 * time.Millisecond}
	res := make(chan error, 1)
	go func() { res <- sup.run(ctx, []childSpec{spec}, nil) }()
	waitFor(t, 10*time.Second, "the child ready", func() bool { return fileContains(spec.log, "ready") })
	cancel()
	select {
	case err := <-res:
		if err == nil || !strings.Contains(err.Error(), "was killed") {
			t.Fatalf("stop: %v, want the kill reported", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a child ignoring SIGTERM kept the supervisor past its bound")
	}
}

func TestSupervisorAllExited(t *testing.T) {
	dir := t.TempDir()
	spec := childSpec{name: "only", path: cairnBin, log: filepath.Join(dir, "only.log"),
		args: []string{"node", "--home", filepath.Join(dir, "empty"), "--api", ""}}
	var out syncBuffer
	err := (&supervisor{out: &out, stopTimeout: time.Second}).run(context.Background(), []childSpec{spec}, nil)
	if err == nil || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "every node") {
		t.Fatalf("all children exited: %v", err)
	}
}
