package staking

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"cairn/tui/tuitest"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// split runs a batch's command and returns its messages, in order.
func split(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	msg := cmd()
	b, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Msg{msg}
	}
	var out []tea.Msg
	for _, c := range b {
		out = append(out, split(t, c)...)
	}
	return out
}

func tickOf(t *testing.T, msgs []tea.Msg) (spinner.TickMsg, []tea.Msg) {
	t.Helper()
	var rest []tea.Msg
	var tick *spinner.TickMsg
	for _, m := range msgs {
		if tk, ok := m.(spinner.TickMsg); ok && tick == nil {
			tick = &tk
			continue
		}
		rest = append(rest, m)
	}
	if tick == nil {
		t.Fatalf("no spinner tick among %v", msgs)
	}
	return *tick, rest
}

func TestASpinnerTurnsOnlyWhileTheNodeIsAsked(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Keys("down", "d")...)
	e.drive(t, tuitest.Type("1000")...)
	var cmd tea.Cmd
	e.s, cmd = e.s.Update(tuitest.Key("enter"))
	first := spinner.MiniDot.Frames[0]
	e.must(t, first+" Reading the nonce")
	tick, rest := tickOf(t, split(t, cmd))

	e.s, cmd = e.s.Update(tick)
	if cmd == nil {
		t.Fatal("the spinner stopped while the node was still being asked")
	}
	if v := e.view(); strings.Contains(v, first+" Reading") || !strings.Contains(v, spinner.MiniDot.Frames[1]+" Reading") {
		t.Fatalf("the tick did not turn the spinner:\n%s", v)
	}
	e.drive(t, rest...) // the node's answer: the confirm step
	if e.model().mode != modeConfirm || e.model().spin.On() {
		t.Fatalf("after the answer: mode %d, spinning %v", e.model().mode, e.model().spin.On())
	}
	if _, cmd = e.s.Update(tick); cmd != nil {
		t.Fatal("a tick after the answer keeps the spinner ticking")
	}

	// Signing and sending spins too, until the node takes it.
	e.s, cmd = e.s.Update(tuitest.Key("y"))
	if !e.model().spin.On() || !strings.Contains(e.view(), first+" ") {
		t.Fatalf("no spinner while signing:\n%s", e.view())
	}
	_, rest = tickOf(t, split(t, cmd))
	e.drive(t, rest...)
	if e.model().mode != modeSent || e.model().spin.On() {
		t.Fatalf("after the send: mode %d, spinning %v", e.model().mode, e.model().spin.On())
	}
}

// typedKeys is the keys of bs an input field would take as text: single
// printable characters (q, digits, j, k…).
func typedKeys(bs []key.Binding) []string {
	var out []string
	for _, b := range bs {
		for _, k := range b.Keys() {
			if r, n := utf8.DecodeRuneInString(k); n == len(k) && unicode.IsPrint(r) {
				out = append(out, k)
			}
		}
	}
	return out
}

func TestFormsOfferNoKeyThatTypesText(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *env{
		"delegate": func(t *testing.T) *env { e := setup(t, 100, 30); e.drive(t, tuitest.Keys("down", "d")...); return e },
		"undelegate": func(t *testing.T) *env {
			e := setup(t, 100, 30)
			selectSavings(t, e)
			e.drive(t, tuitest.Key("u"))
			return e
		},
		"redelegate": func(t *testing.T) *env {
			e := setup(t, 100, 30)
			selectSavings(t, e)
			e.drive(t, tuitest.Key("r"))
			return e
		},
		"filter": func(t *testing.T) *env { e := setup(t, 100, 30); e.drive(t, tuitest.Key("/")); return e },
		"unjail password": func(t *testing.T) *env {
			e := jailedEnv(t, 100, 30)
			e.drive(t, tuitest.Key("y"))
			return e
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := open(t)
			if !e.s.Capturing() {
				t.Fatalf("not in a field:\n%s", e.view())
			}
			if typed := typedKeys(e.s.ShortHelp()); len(typed) > 0 {
				t.Fatalf("the help offers %v, which type into the field", typed)
			}
			if typed := typedKeys(e.s.FullHelp()[0]); len(typed) > 0 {
				t.Fatalf("the full help offers %v, which type into the field", typed)
			}
		})
	}
}

func TestGoldenSent(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Keys("down", "d")...)
		e.drive(t, tuitest.Typed("1000", "enter")...)
		e.s, _ = tuitest.Drive(t, e.s, tuitest.Key("y"))
		if e.model().mode != modeSent {
			t.Fatalf("not sent:\n%s", e.view())
		}
		golden(t, e)
	})
}
