package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// childSpec is one node process of a devnet: a name for messages, the
// program and its arguments, and the file its output goes to.
type childSpec struct {
	name string
	path string
	args []string
	log  string
}

// child is a started node process.
type child struct {
	spec childSpec
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // what Wait returned, set before done closes
}

// supervisor runs a devnet's node processes: it reports a node that exits
// by itself and keeps the others, and stops them all when asked.
type supervisor struct {
	out         io.Writer
	stopTimeout time.Duration // after SIGTERM, before SIGKILL
}

// run starts the children, calls started, and waits. When ctx ends it
// stops them (SIGTERM, then SIGKILL after stopTimeout) and returns nil if
// they all stopped cleanly. A child that exits by itself is reported with
// the end of its log; run returns an error once none is left.
func (s *supervisor) run(ctx context.Context, specs []childSpec, started func()) error {
	exited := make(chan *child, len(specs))
	var children []*child
	for _, spec := range specs {
		c, err := startChild(spec, exited)
		if err != nil {
			return errors.Join(err, s.stop(children))
		}
		children = append(children, c)
	}
	if started != nil {
		started()
	}
	for left := len(children); ; {
		select {
		case <-ctx.Done():
			fmt.Fprintf(s.out, "stopping %d node(s)…\n", left)
			return s.stop(children)
		case c := <-exited:
			left--
			fmt.Fprintf(s.out, "\n%s exited by itself (%v); the end of %s:\n%s\n", c.spec.name, c.err, c.spec.log, logTail(c.spec.log, 15))
			if left == 0 {
				return errors.New("every node of the devnet has stopped; see their logs")
			}
			fmt.Fprintf(s.out, "%d node(s) still running; Ctrl-C stops them.\n", left)
		}
	}
}

// startChild starts spec with its output appended to its log file (mode
// 0600) and sends the child to exited once it ends.
func startChild(spec childSpec, exited chan<- *child) (*child, error) {
	logFile, err := os.OpenFile(spec.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s: open log: %w", spec.name, err)
	}
	defer logFile.Close() // the child holds its own descriptor
	fmt.Fprintf(logFile, "=== cairn devnet: starting %s at %s ===\n", spec.name, time.Now().UTC().Format(time.RFC3339))
	cmd := exec.Command(spec.path, spec.args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", spec.name, spec.path, err)
	}
	c := &child{spec: spec, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
		exited <- c
	}()
	return c, nil
}

// stop sends SIGTERM to every child still running, waits up to
// stopTimeout for all of them, then kills those left. It reports children
// that did not stop cleanly; those that had exited before were reported
// by run.
func (s *supervisor) stop(children []*child) error {
	var running []*child
	for _, c := range children {
		select {
		case <-c.done:
			continue
		default:
		}
		running = append(running, c)
		if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			c.cmd.Process.Kill() // no SIGTERM on this system
		}
	}
	deadline := time.After(s.stopTimeout)
	expired := false
	var errs []error
	for _, c := range running {
		if !expired {
			select {
			case <-c.done:
			case <-deadline:
				expired = true
			}
		}
		select {
		case <-c.done:
			if c.err != nil {
				errs = append(errs, fmt.Errorf("%s exited with %v on SIGTERM; see %s", c.spec.name, c.err, c.spec.log))
			}
			continue
		default:
		}
		c.cmd.Process.Kill()
		<-c.done // SIGKILL cannot be refused
		errs = append(errs, fmt.Errorf("%s did not stop within %v of SIGTERM and was killed; see %s", c.spec.name, s.stopTimeout, c.spec.log))
	}
	if len(errs) == 0 {
		fmt.Fprintln(s.out, "all nodes stopped")
	}
	return errors.Join(errs...)
}

// logTail is the last n lines of a log file, indented, or a note why
// there are none.
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "  (no log: " + err.Error() + ")"
	}
	defer f.Close()
	const window = 16 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > window {
		f.Seek(fi.Size()-window, io.SeekStart)
	}
	data, _ := io.ReadAll(f)
	lines := strings.Split(string(bytes.TrimRight(data, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}
