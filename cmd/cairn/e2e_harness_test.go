package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cairn/node/api"
)

// cairnBin is the real binary the end-to-end tests run, built once.
var cairnBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cairn-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cairnBin = filepath.Join(dir, "cairn")
	args := []string{"build", "-tags", "cairntest", "-o", cairnBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build cairn:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// nodeProc is a `cairn node` process listening on 127.0.0.1.
type nodeProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string
	client *api.Client
	done   chan struct{}

	mu  sync.Mutex
	log []string
}

var apiLine = regexp.MustCompile(`msg="node started".* api=(127\.0\.0\.1:\d+)`)

// startNode runs `cairn node --devnet` on home with a port the kernel
// picks, and waits (bounded) for the line that says where the API is.
func startNode(t *testing.T, home string, extra ...string) *nodeProc {
	t.Helper()
	return startNodeArgs(t, append([]string{"--devnet", "--home", home}, extra...)...)
}

// startNodeArgs runs `cairn node` with args on a kernel-picked port.
func startNodeArgs(t *testing.T, args ...string) *nodeProc {
	t.Helper()
	p, err := tryStartNode(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tryStartNode runs `cairn node --api 127.0.0.1:0 --block-time 100ms`
// with args and waits (bounded) for the line that says where the API is.
// A node that exits first, or does not serve in time, is an error that
// carries the end of its log; the process is killed at cleanup.
func tryStartNode(t *testing.T, args ...string) (*nodeProc, error) {
	t.Helper()
	args = append([]string{"node", "--api", "127.0.0.1:0", "--block-time", "100ms"}, args...)
	cmd := exec.Command(cairnBin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &nodeProc{t: t, cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	read := make(chan struct{})
	go func() { p.readLog(stderr, found); close(read) }()
	go func() { <-read; cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	select {
	case p.addr = <-found:
	case <-p.done:
		return nil, fmt.Errorf("node exited before serving:\n%s", p.logTail())
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("node did not start within 60s:\n%s", p.logTail())
	}
	p.client = api.NewClient("http://"+p.addr, nil)
	return p, nil
}

func (p *nodeProc) readLog(r io.Reader, found chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.log = append(p.log, line)
		p.mu.Unlock()
		if m := apiLine.FindStringSubmatch(line); m != nil {
			select {
			case found <- m[1]:
			default:
			}
		}
	}
}

func (p *nodeProc) logTail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	from := max(0, len(p.log)-30)
	return strings.Join(p.log[from:], "\n")
}

func (p *nodeProc) logContains(s string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.log {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// kill sends SIGKILL: the process gets no chance to clean up.
func (p *nodeProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM and waits for a clean exit.
func (p *nodeProc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("node did not stop within 30s after SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("node exited with %d after SIGTERM:\n%s", code, p.logTail())
	}
	return nil
}

// waitTx waits, bounded, until a transaction is included, re-checking
// after every block event.
func (p *nodeProc) waitTx(ctx context.Context, hash [32]byte) *api.Tx {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	evs, err := p.client.Subscribe(ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	for {
		tx, err := p.client.Tx(ctx, hash)
		if err == nil && tx.Status == api.TxIncluded {
			return tx
		}
		select {
		case _, ok := <-evs:
			if !ok {
				p.t.Fatalf("event stream ended while waiting for %x (tx: %v, err: %v)", hash, tx, err)
			}
		case <-ctx.Done():
			p.t.Fatalf("transaction %x not included within 60s", hash)
		}
	}
}
