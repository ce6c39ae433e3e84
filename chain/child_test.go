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

// heightChild is this test binary run again as a child process that runs
// one test, which says the height of each block it commits on stdout
// ("height N"), until it is killed.
type heightChild struct {
	cmd  *exec.Cmd
	seen chan uint64
}

// startHeightChild runs the test named test in a child process with the
// environment variable env set to dir.
func startHeightChild(t *testing.T, test, env, dir string) *heightChild {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &heightChild{cmd: cmd, seen: make(chan uint64)}
	go func() {
		defer close(c.seen)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var h uint64
			if _, err := fmt.Sscanf(sc.Text(), "height %d", &h); err == nil {
				c.seen <- h
			} else if strings.HasPrefix(sc.Text(), "---") || strings.Contains(sc.Text(), "FAIL") {
				t.Errorf("child: %s", sc.Text())
			}
		}
	}()
	return c
}

// waitHeight waits, for two minutes at most, until the child says it
// committed target, and returns the last height it said.
func (c *heightChild) waitHeight(t *testing.T, round int, target uint64) uint64 {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case h, ok := <-c.seen:
			if !ok {
				t.Fatalf("round %d: the child stopped before height %d", round, target)
			}
			if h >= target {
				return h
			}
		case <-deadline:
			c.cmd.Process.Kill()
			t.Fatalf("round %d: no height %d from the child in 2 minutes", round, target)
		}
	}
}

// kill kills the child with SIGKILL wherever it is, waits for it, and
// returns the last height it said (at least last).
func (c *heightChild) kill(t *testing.T, last uint64) uint64 {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for h := range c.seen {
		last = h
	}
	c.cmd.Wait()
	return last
}
