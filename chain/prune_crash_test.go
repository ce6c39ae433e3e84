package chain

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
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
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var reached uint64
	for round := 1; round <= 3; round++ {
		target := reached + uint64(4+3*round)
		cmd := exec.Command(exe, "-test.run=^TestPruneCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), pruneChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		seen := make(chan uint64)
		go func() {
			defer close(seen)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				var h uint64
				if _, err := fmt.Sscanf(sc.Text(), "height %d", &h); err == nil {
					seen <- h
				} else if strings.HasPrefix(sc.Text(), "---") || strings.Contains(sc.Text(), "FAIL") {
					t.Errorf("child: %s", sc.Text())
				}
			}
		}()
		deadline := time.After(2 * time.Minute)
	wait:
		for {
			select {
			case h, ok := <-seen:
				if !ok {
					t.Fatalf("round %d: the child stopped before height %d", round, target)
				}
				if h >= target {
					break wait
				}
			case <-deadline:
				t.Fatalf("round %d: no height %d from the child in 2 minutes", round, target)
			}
		}
		// The child is already at work on the next block: kill it there.
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		go func() {
			for range seen {
			}
		}()
		cmd.Wait()

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
