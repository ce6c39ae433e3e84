package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// runCLI runs the real binary and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(cairnBin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func testQueryCLI(t *testing.T, p *nodeProc) {
	out, errOut, code := runCLI(t, "query", "status", "--json", "--api", p.addr)
	if code != 0 {
		t.Fatalf("query status: exit %d: %s", code, errOut)
	}
	var st struct {
		ChainID uint64 `json:"chainId"`
		Height  uint64 `json:"height"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.ChainID != chain.DevnetChainID {
		t.Fatalf("query status --json: %v %q", err, out)
	}
	out, _, code = runCLI(t, "query", "account", chain.DevnetAccounts[0].Hex(), "--api", p.addr)
	if code != 0 || !strings.Contains(out, "CRN") {
		t.Fatalf("query account: exit %d, output %q", code, out)
	}
	_, errOut, code = runCLI(t, "query", "tx", "0x"+strings.Repeat("ab", 32), "--api", p.addr)
	if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("unknown tx: exit %d, stderr %q; want non-zero and one line", code, errOut)
	}
	// The devnet runs alone: no peers, and status says so.
	out, errOut, code = runCLI(t, "query", "peers", "--api", p.addr)
	if code != 0 || !strings.Contains(out, "no peers connected") {
		t.Fatalf("query peers: exit %d, output %q, stderr %q", code, out, errOut)
	}
	out, _, code = runCLI(t, "query", "peers", "--json", "--api", p.addr)
	var pl struct {
		Peers []json.RawMessage `json:"peers"`
	}
	if err := json.Unmarshal([]byte(out), &pl); code != 0 || err != nil || pl.Peers == nil || len(pl.Peers) != 0 {
		t.Fatalf("query peers --json: exit %d, %v, %q; want an empty list", code, err, out)
	}
	out, _, code = runCLI(t, "query", "status", "--api", p.addr)
	if code != 0 || !strings.Contains(out, "none (this node runs alone)") {
		t.Fatalf("query status of a lone node: exit %d, %q", code, out)
	}
	_, errOut, code = runCLI(t, "query", "status", "--api", "127.0.0.1:1")
	if code == 0 || !strings.Contains(errOut, "cairn node") {
		t.Fatalf("unreachable node: exit %d, stderr %q", code, errOut)
	}
}

func TestInitThenRunOwnChain(t *testing.T) {
	home := t.TempDir()
	fund := "0x000000000000000000000000000000000000f00d"
	out, errOut, code := runCLI(t, "init", "--home", home, "--chain-id", "4242", "--fund", fund+"=12.5", "--json")
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut)
	}
	var res struct {
		ValidatorKey string `json:"validatorKey"`
		ChainID      uint64 `json:"chainId"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.ChainID != 4242 {
		t.Fatalf("init --json: %v %q", err, out)
	}
	fi, err := os.Stat(res.ValidatorKey)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("validator key file: %v mode %v, want 0600", err, fi.Mode())
	}
	if _, errOut, code := runCLI(t, "init", "--home", home); code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second init: exit %d, %q; want a refusal", code, errOut)
	}

	p := startNodeArgs(t, "--home", home, "--no-p2p")
	st, err := p.client.Status(context.Background())
	if err != nil || st.ChainID != 4242 {
		t.Fatalf("status of own chain: %v %+v", err, st)
	}
	acc, err := p.client.Account(context.Background(), common.HexToAddress(fund))
	if err != nil || acc.Balance.Int().String() != "12500000000000000000" {
		t.Fatalf("funded account: %v %+v", err, acc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	evs, err := p.client.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for e := range evs {
		if e.Block != nil && e.Block.Height >= 2 {
			break
		}
	}
	if ctx.Err() != nil {
		t.Fatal("own chain produced no blocks within 60s")
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	// Without a genesis a home is refused with what to do.
	if _, errOut, code := runCLI(t, "node", "--home", t.TempDir(), "--api", ""); code == 0 || !strings.Contains(errOut, "cairn init") {
		t.Fatalf("node without genesis: exit %d, %q", code, errOut)
	}
}
