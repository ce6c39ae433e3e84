package chain

import (
	"fmt"
	"os"
	"testing"
)

// pruneChildEnv names the store directory of TestPruneCrashChild.
const pruneChildEnv = "CAIRN_PRUNE_CRASH_DIR"

// TestPruneCrashChild is the process TestKillDuringPruning kills: it
// commits blocks on a window of 2, so every block prunes, and says the
// height of each on stdout, until it is killed.
func TestPruneCrashChild(t *testing.T) {
	dir := os.Getenv(pruneChildEnv)
	if dir == "" {
		t.Skip("run by TestKillDuringPruning")
	}
	c, _ := openPruningChain(t, dir, StoreOptions{StateWindow: 2})
	for {
		produceTransfers(t, c, 1)
		fmt.Printf("height %d\n", c.Head().Height())
	}
}

// TestKillDuringPruning kills a process committing and pruning blocks at
// whatever it is doing, three times, and checks each time that the store
// reopens at a committed block with every reference count right and no
// node lost or left over, and that the chain goes on.
func TestKillDuringPruning(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	dir := t.TempDir()
	var reached uint64
	for round := 1; round <= 3; round++ {
		target := reached + uint64(4+3*round)
		child := startHeightChild(t, "TestPruneCrashChild", pruneChildEnv, dir)
		child.waitHeight(t, round, target)
		// The child is already at work on the next block: kill it there.
		child.kill(t, target)

		c, store := openPruningChain(t, dir, StoreOptions{StateWindow: 2})
		if c.Head().Height() < target {
			t.Fatalf("round %d: reopened at %d, below the reported %d", round, c.Head().Height(), target)
		}
		checkStateRefs(t, store)
		produceTransfers(t, c, 1)
		checkStateRefs(t, store)
		reached = c.Head().Height()
		c.Close()
		store.Close()
	}
}
