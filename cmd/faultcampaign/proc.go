package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"cairn/node/api"
)

// Every child the campaign starts is registered here and killed when it
// ends, however it ends.
var kids = &registry{procs: map[*exec.Cmd]bool{}}

type registry struct {
	mu    sync.Mutex
	procs map[*exec.Cmd]bool
}

func (r *registry) start(cmd *exec.Cmd) error {
	detach(cmd)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.procs == nil {
		return errors.New("the campaign is ending")
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	r.procs[cmd] = true
	return nil
}

func (r *registry) forget(cmd *exec.Cmd) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.procs, cmd)
}

// killAll sends SIGKILL to every child still registered, one by one, by
// its own process ID, and refuses to start more.
func (r *registry) killAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for cmd := range r.procs {
		cmd.Process.Kill()
	}
	r.procs = nil
}

// nodeProc is a `cairn node` child: its stderr (and stdout) go to a log
// file and are kept in memory for the checks.
type nodeProc struct {
	cmd     *exec.Cmd
	started time.Time
	done    chan struct{} // closed when it has exited and its output is read
	addrCh  chan string

	mu    sync.Mutex
	lines []string
	state *os.ProcessState
}

var apiLine = regexp.MustCompile(`msg="node started".* api=(127\.0\.0\.1:\d+)`)

// maxLines bounds the output kept in memory per process.
const maxLines = 4000

func startNode(bin string, args []string, logPath string) (*nodeProc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logf, "=== %s cairn %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logf
	stderr, err := cmd.StderrPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := kids.start(cmd); err != nil {
		logf.Close()
		return nil, err
	}
	p := &nodeProc{cmd: cmd, started: time.Now(), done: make(chan struct{}), addrCh: make(chan string, 1)}
	go func() {
		p.read(stderr, logf)
		err := cmd.Wait()
		kids.forget(cmd)
		p.mu.Lock()
		p.state = cmd.ProcessState
		p.mu.Unlock()
		if err != nil && cmd.ProcessState == nil {
			p.addLine("faultcampaign: wait: " + err.Error())
		}
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *nodeProc) read(r io.Reader, logf io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(logf, line)
		p.addLine(line)
		if m := apiLine.FindStringSubmatch(line); m != nil {
			select {
			case p.addrCh <- m[1]:
			default:
			}
		}
	}
	// Whatever is left (a line longer than the buffer) still goes to the log.
	io.Copy(logf, r)
}

func (p *nodeProc) addLine(l string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, l)
	if len(p.lines) > maxLines {
		p.lines = append(p.lines[:0:0], p.lines[len(p.lines)-maxLines/2:]...)
	}
}

// Lines returns a copy of the output kept.
func (p *nodeProc) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Tail is the last n lines of output.
func (p *nodeProc) Tail(n int) string {
	l := p.Lines()
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

func (p *nodeProc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitStatus is the exit code (-1 when a signal ended it) and the signal.
func (p *nodeProc) exitStatus() (int, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == nil {
		return -1, ""
	}
	if ws, ok := p.state.Sys().(interface {
		Signaled() bool
		Signal() syscall.Signal
	}); ok && ws.Signaled() {
		return -1, ws.Signal().String()
	}
	return p.state.ExitCode(), ""
}

// errNodeExited is returned while waiting on a node that exited.
var errNodeExited = errors.New("node exited")

// waitServing waits, at most timeout, for the node to print where its API
// is and for /v1/status to answer there.
func (p *nodeProc) waitServing(ctx context.Context, timeout time.Duration) (*api.Client, *api.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var addr string
	select {
	case addr = <-p.addrCh:
	case <-p.done:
		return nil, nil, errNodeExited
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("no API within %s: %w", timeout, ctx.Err())
	}
	c := api.NewClient("http://"+addr, nil)
	for {
		sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := c.Status(sctx)
		scancel()
		if err == nil {
			return c, st, nil
		}
		select {
		case <-p.done:
			return nil, nil, errNodeExited
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("status did not answer within %s: %v", timeout, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL and waits (bounded) for the process to be reaped.
func (p *nodeProc) kill() error {
	p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(15 * time.Second):
		return fmt.Errorf("node %d not reaped 15s after SIGKILL", p.cmd.Process.Pid)
	}
}

// term sends SIGTERM and waits up to timeout for a clean exit; a node
// still running then is killed, and that is the error.
func (p *nodeProc) term(timeout time.Duration) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("node did not stop within %s of SIGTERM", timeout)
	}
	if code, sig := p.exitStatus(); code != 0 || sig != "" {
		return fmt.Errorf("node stopped with exit status %d %s after SIGTERM", code, sig)
	}
	return nil
}

// runQuiet runs a short command (bounded by ctx), returning its combined
// output on failure.
func runQuiet(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := kids.start(cmd); err != nil {
		return err
	}
	err := cmd.Wait()
	kids.forget(cmd)
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}

// loadgen is a `cairn loadgen` child sending transfers to a node.
type loadgen struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startLoadgen(bin, apiURL string, txs int, rate float64, logPath string) (*loadgen, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	args := []string{"loadgen", "--api", apiURL, "--txs", fmt.Sprint(txs), "--rate", fmt.Sprint(rate),
		"--senders", "10", "--funded", "10", "--concurrency", "8", "--timeout", "60s", "--log-level", "warn"}
	fmt.Fprintf(logf, "=== %s cairn %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := kids.start(cmd); err != nil {
		logf.Close()
		return nil, err
	}
	g := &loadgen{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		kids.forget(cmd)
		logf.Close()
		close(g.done)
	}()
	return g, nil
}

// wait waits up to timeout for loadgen to finish by itself.
func (g *loadgen) wait(timeout time.Duration) error {
	select {
	case <-g.done:
		if code := g.cmd.ProcessState.ExitCode(); code != 0 {
			return fmt.Errorf("loadgen exited with status %d", code)
		}
		return nil
	case <-time.After(timeout):
		g.stop()
		return fmt.Errorf("loadgen did not finish within %s", timeout)
	}
}

func (g *loadgen) stop() {
	g.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-g.done:
	case <-time.After(15 * time.Second):
	}
}
