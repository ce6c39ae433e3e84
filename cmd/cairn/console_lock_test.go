package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// runConsoleBin runs `cairn console args...` without a terminal, bounded,
// and returns its exit code, stdout and stderr.
func runConsoleBin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cairnBin, append([]string{"console"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("cairn console %v did not exit within 30s; stderr:\n%s", args, stderr.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// inUse checks the console stopped with one line saying home is in use
// (by pid, when pid > 0), and started no terminal interface.
func inUse(t *testing.T, home string, pid int, code int, stdout, stderr string) {
	t.Helper()
	if code == 0 {
		t.Fatalf("exit code 0, want non-zero; stderr:\n%s", stderr)
	}
	want := "cairn: home " + home + " is in use by another cairn process"
	if pid > 0 {
		want += fmt.Sprintf(" (pid %d)", pid)
	}
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
		t.Fatalf("stderr %q, want one line starting %q", stderr, want)
	}
	if stdout != "" {
		t.Fatalf("the console drew before it stopped: %q", stdout)
	}
}

func TestConsoleOnTheHomeOfARunningNodeSaysSoAndExits(t *testing.T) {
	home := t.TempDir()
	n := startNode(t, home)
	pid := 0
	if runtime.GOOS == "linux" { // /proc/locks names the store's holder
		pid = n.cmd.Process.Pid
	}
	code, stdout, stderr := runConsoleBin(t, "--home", home)
	inUse(t, home, pid, code, stdout, stderr)
	// The node did not notice.
	if _, err := n.client.Status(context.Background()); err != nil {
		t.Fatalf("the node after the refused console: %v", err)
	}
}

func TestSecondConsoleOnAHomeSaysSoAndExits(t *testing.T) {
	home := t.TempDir()
	release, err := lockHome(home, true) // this test process is the first console
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runConsoleBin(t, "--home", home)
	inUse(t, home, os.Getpid(), code, stdout, stderr)
	// Attached, it would write the same wallet file: refused too.
	code, stdout, stderr = runConsoleBin(t, "--home", home, "--attach", "http://127.0.0.1:1")
	inUse(t, home, os.Getpid(), code, stdout, stderr)

	release()
	again, err := lockHome(home, true)
	if err != nil {
		t.Fatalf("the home once the first console let go: %v", err)
	}
	again()
}
