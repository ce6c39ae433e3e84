package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// attachWait bounds each wait on the attached console's screen: a node
// process that starts, or restarts from its home, under the race detector
// on a busy machine.
const attachWait = 60 * time.Second

var (
	tabHeight = regexp.MustCompile(`chain 7777 · #(\d+)`)
	logLine   = regexp.MustCompile(`committed block height=(\d+)`)
)

// logHeight is the highest block whose "committed block" log line the
// frame shows (0 when it shows none).
func logHeight(frame string) uint64 {
	var top uint64
	for _, m := range logLine.FindAllStringSubmatch(frame, -1) {
		h, _ := strconv.ParseUint(m[1], 10, 64)
		top = max(top, h)
	}
	return top
}

// heightOn reads the head the tab bar shows (0 when it shows none).
func heightOn(frame string) uint64 {
	m := tabHeight.FindStringSubmatch(frame)
	if m == nil {
		return 0
	}
	h, _ := strconv.ParseUint(m[1], 10, 64)
	return h
}

// TestConsoleAttachesToANodeAndRidesOutItsRestart runs `cairn console
// --attach` as the command builds it (newAttachedConsole: an api.Client, the
// wallet in a home of its own) against a separate `cairn node --devnet`
// process: the console follows the chain, its faucet funds the new account
// (the devnet detected through /v1/status, the transfer signed here and
// sent signed), the Logs screen shows the node's log lines, and when the node is killed with SIGKILL the status line
// says the connection is lost; restarted on the same home and port, the
// node is found again by itself, the head moves on and the restarted node's
// log lines show.
func TestConsoleAttachesToANodeAndRidesOutItsRestart(t *testing.T) {
	nodeHome, consoleHome := t.TempDir(), t.TempDir()
	p := startNode(t, nodeHome)
	url := "http://" + p.addr

	words, err := wallet.NewMnemonic(12)
	if err != nil {
		t.Fatal(err)
	}
	const password = "correct horse battery"
	fast := []wallet.Option{wallet.WithKDFIterations(1000), wallet.WithKeystoreScrypt(1<<10, 1)}
	if _, err := wallet.Create(filepath.Join(consoleHome, "wallet.json"), words, "", password, fast...); err != nil {
		t.Fatal(err)
	}
	m, err := newAttachedConsole(p.addr, consoleHome, -1, fast...) // a bare host:port, as a user may type it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	screen := tuitest.NewFrames(m)
	tm := teatest.NewTestModel(t, screen, teatest.WithInitialTermSize(120, 40))
	send := func(msgs ...tea.Msg) {
		for _, msg := range msgs {
			tm.Send(msg)
		}
	}

	screen.Must(t, attachWait, "Unlock")
	send(tuitest.Typed(password, "enter")...)
	first := heightOn(screen.Await(t, attachWait, "the node's head", func(fr string) bool { return heightOn(fr) > 0 }))
	screen.Await(t, attachWait, "the head moving", func(fr string) bool { return heightOn(fr) > first })

	// The faucet, over the API: the new account gets 100 CRN.
	send(tuitest.Key("2"))
	screen.Must(t, attachWait, "Balance")
	send(tuitest.Key("f"))
	screen.Must(t, attachWait, "total 100 CRN") // the balance, not the notice ("100 CRN on the way")

	// The Logs screen shows the node's own lines, over its API.
	send(tuitest.Key("5"))
	screen.Await(t, attachWait, "the node's log lines", func(fr string) bool { return logHeight(fr) > 0 })
	send(tuitest.Key("1"))

	p.kill()
	lost := screen.Must(t, attachWait, "connection lost to "+url+", retrying…")
	before := heightOn(lost)

	p = startNode(t, nodeHome, "--api", p.addr)
	screen.Must(t, attachWait, "connection to "+url+" restored")
	after := heightOn(screen.Await(t, attachWait, "the head moving on after the restart", func(fr string) bool {
		return heightOn(fr) > before+1
	}))
	t.Logf("attached console: head %d at the loss, %d after the restart", before, after)

	// The logs reconnected by themselves: the restarted node's lines show.
	send(tuitest.Key("5"))
	screen.Await(t, attachWait, "the restarted node's log lines", func(fr string) bool { return logHeight(fr) > before+1 })

	send(tuitest.Key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestAttachRefusesWhatDoesNotApply: with --attach the console runs no
// node, so a node flag is a usage error rather than silently ignored, and
// --attach must name an http(s) URL; both fail before any terminal UI.
func TestAttachRefusesWhatDoesNotApply(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"console", "--attach", "http://127.0.0.1:8545", "--devnet"}, "[--devnet] do not apply"},
		{[]string{"--attach", "127.0.0.1:8545", "--block-time", "1s"}, "[--block-time] do not apply"},
		{[]string{"console", "--attach", "ftp://127.0.0.1:8545"}, `--attach "ftp://127.0.0.1:8545": want the node's API URL`},
	} {
		out, err := exec.Command(cairnBin, append(tc.args, "--home", t.TempDir())...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("cairn %v: err %v, output %q, want %q", tc.args, err, out, tc.want)
		}
	}
}
