// Package tuitest drives console screens in tests: key presses by name,
// running a screen's commands to completion, and golden files of the
// ANSI-stripped view (regenerate with `go test ./tui/... -update`).
package tuitest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// Key builds the key press a user makes: "enter", "esc", "tab",
// "shift+tab", "ctrl+c", "up", "down", "backspace", "space", or one
// printable character.
func Key(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace,
		"space": tea.KeySpace, "home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
	}
	mod := tea.KeyMod(0)
	base := name
	switch {
	case strings.HasPrefix(name, "ctrl+"):
		mod, base = tea.ModCtrl, strings.TrimPrefix(name, "ctrl+")
	case strings.HasPrefix(name, "shift+"):
		mod, base = tea.ModShift, strings.TrimPrefix(name, "shift+")
	case strings.HasPrefix(name, "alt+"):
		mod, base = tea.ModAlt, strings.TrimPrefix(name, "alt+")
	}
	if code, ok := special[base]; ok {
		k := tea.KeyPressMsg{Code: code, Mod: mod}
		if base == "space" && mod == 0 {
			k.Text = " "
		}
		return k
	}
	r := []rune(base)
	if len(r) != 1 {
		panic(fmt.Sprintf("tuitest.Key: unknown key %q", name))
	}
	k := tea.KeyPressMsg{Code: r[0], Mod: mod}
	if mod == 0 {
		k.Text = base
	}
	return k
}

// Type returns the key presses that type s.
func Type(s string) []tea.Msg {
	var msgs []tea.Msg
	for _, r := range s {
		if r == ' ' {
			msgs = append(msgs, Key("space"))
			continue
		}
		msgs = append(msgs, Key(string(r)))
	}
	return msgs
}

// Drive feeds msgs to s, running every command the screen returns (and
// the commands those produce) before the next message, and returns the
// screen and the messages its commands produced that it did not consume
// (all are fed back to it; they are returned for assertions).
func Drive(t testing.TB, s common.Screen, msgs ...tea.Msg) (common.Screen, []tea.Msg) {
	t.Helper()
	var seen []tea.Msg
	for _, m := range msgs {
		var cmd tea.Cmd
		s, cmd = s.Update(m)
		s, seen = run(t, s, cmd, seen, 0)
	}
	return s, seen
}

// Init runs the screen's Init commands to completion.
func Init(t testing.TB, s common.Screen) common.Screen {
	t.Helper()
	s, _ = run(t, s, s.Init(), nil, 0)
	return s
}

// cmdTimeout bounds one command. Screens' commands call the (fake) node
// and return; one that blocks is a bug in the screen (blocking feeds and
// ticks belong to the root).
const cmdTimeout = 10 * time.Second

func run(t testing.TB, s common.Screen, cmd tea.Cmd, seen []tea.Msg, depth int) (common.Screen, []tea.Msg) {
	t.Helper()
	if cmd == nil {
		return s, seen
	}
	if depth > 50 {
		t.Fatal("tuitest: commands keep producing commands (50 deep)")
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(cmdTimeout):
		t.Fatalf("tuitest: a command blocked for %v", cmdTimeout)
	}
	switch m := msg.(type) {
	case nil:
		return s, seen
	case tea.BatchMsg:
		for _, c := range m {
			s, seen = run(t, s, c, seen, depth+1)
		}
		return s, seen
	}
	seen = append(seen, msg)
	var next tea.Cmd
	s, next = s.Update(msg)
	return run(t, s, next, seen, depth+1)
}

// Golden compares the ANSI-stripped view with testdata/<test name>.golden.
func Golden(t *testing.T, view string) {
	t.Helper()
	golden.RequireEqual(t, []byte(Plain(view)))
}

// Plain strips ANSI styling and trailing spaces from every line.
func Plain(view string) string {
	lines := strings.Split(ansi.Strip(view), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// Sizes are the terminal sizes every screen is golden-tested at: the
// two the console is made for, and a small one it must degrade in
// gracefully.
var Sizes = []struct{ W, H int }{{80, 24}, {120, 40}, {60, 20}}

// EachSize runs f as a subtest named WxH for each of Sizes.
func EachSize(t *testing.T, f func(t *testing.T, w, h int)) {
	for _, sz := range Sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.W, sz.H), func(t *testing.T) { f(t, sz.W, sz.H) })
	}
}

// Keys returns the key presses named (see Key).
func Keys(names ...string) []tea.Msg {
	out := make([]tea.Msg, len(names))
	for i, n := range names {
		out[i] = Key(n)
	}
	return out
}

// Typed returns the key presses that type s, then the keys named.
func Typed(s string, then ...string) []tea.Msg { return append(Type(s), Keys(then...)...) }

// Fits fails the test unless view stays within w cells and h lines, as a
// screen's view must.
func Fits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Fatalf("view has %d lines, area is %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("line %d is %d cells, area is %d: %q", i, n, w, Plain(l))
		}
	}
}

// Results runs cmd, and the commands of a batch it returns, and gives
// back their messages; for commands that return at once (not timers or
// feeds).
func Results(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, Results(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
