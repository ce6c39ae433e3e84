package api

import (
	"os/exec"
	"strings"
	"testing"
)

// TestClientsLinkNoChain keeps the API a contract: this package, the
// console and the load generator import none of the chain, the EVM, the
// mempool or the store, so a client of a node links none of them.
func TestClientsLinkNoChain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "cairn/node/api", "cairn/tui", "cairn/cmd/cairn/loadgen").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	banned := []string{"cairn/chain", "cairn/vm", "cairn/node/mempool", "go.etcd.io/bbolt", "github.com/ethereum/go-ethereum/core/vm"}
	for _, dep := range strings.Fields(string(out)) {
		for _, b := range banned {
			if dep == b {
				t.Errorf("a client package links %s", dep)
			}
		}
	}
}
