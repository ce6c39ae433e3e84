package tui

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestConsoleReachesTheNodeOnlyThroughTheAPI keeps the console attachable:
// no package of the console (tests and the test fake aside) imports the
// chain or the node's internals, only cairn/node/api, so what it does with
// the node in its process it does as well over the network. The staking
// contract's published ABI (cairn/chain/staking/stakingabi, which imports
// nothing of Cairn) is the one exception under chain: it is the contract's
// interface, as an ABI file is for any other contract.
func TestConsoleReachesTheNodeOnlyThroughTheAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "cairn/tui/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{"cairn/node/api": true, "cairn/chain/staking/stakingabi": true}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		if p.ImportPath == "cairn/tui/fakenode" { // a test fake: builds fixtures from the devnet
			continue
		}
		seen++
		for _, imp := range p.Imports {
			banned := imp == "cairn/chain" || strings.HasPrefix(imp, "cairn/chain/") ||
				imp == "cairn/node" || strings.HasPrefix(imp, "cairn/node/") || imp == "cairn/vm" || strings.HasPrefix(imp, "cairn/vm/")
			if banned && !allowed[imp] {
				t.Errorf("%s imports %s: the console reaches the node only through cairn/node/api", p.ImportPath, imp)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list named %d console packages; the pattern is wrong", seen)
	}
}
