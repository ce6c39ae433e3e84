package contracts

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoChain keeps the package usable by the console without the
// chain: it links none of the chain, the EVM, the node or the store (the
// EVM in evm_test.go is the test's, not the package's).
func TestLinksNoChain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "cairn/wallet/contracts").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "cairn/chain") || strings.HasPrefix(dep, "cairn/vm") || strings.HasPrefix(dep, "cairn/node") ||
			dep == "go.etcd.io/bbolt" || dep == "github.com/ethereum/go-ethereum/core/vm" || dep == "github.com/ethereum/go-ethereum/core/state" {
			t.Errorf("wallet/contracts links %s", dep)
		}
	}
}
