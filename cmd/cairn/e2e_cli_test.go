package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"cairn/chain"
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
	_, errOut, code = runCLI(t, "query", "status", "--api", "127.0.0.1:1")
	if code == 0 || !strings.Contains(errOut, "cairn node") {
		t.Fatalf("unreachable node: exit %d, stderr %q", code, errOut)
	}
}
