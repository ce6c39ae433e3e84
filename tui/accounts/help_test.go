package accounts

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// typesText reports whether a key name is one a text field takes as a
// character: a single printable rune ("q", "3", "j", "*").
func typesText(k string) bool {
	r := []rune(k)
	return len(r) == 1 && unicode.IsPrint(r[0])
}

// formHelpOK fails the test if a help binding shown in a form offers a key
// the field would type, or the screen's help does not fit the narrowest
// size beside the root's own keys.
func formHelpOK(t *testing.T, where string, bs []key.Binding) {
	t.Helper()
	var parts []string
	for _, b := range bs {
		shown := strings.Split(b.Help().Key, "/")
		for _, k := range append(shown, b.Keys()...) {
			if typesText(k) {
				t.Errorf("%s: the help offers %q (%s), a key the field types", where, k, b.Help().Desc)
			}
		}
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	if w := ansi.StringWidth(strings.Join(parts, " · ")); w > 48 {
		t.Errorf("%s: the screen's help is %d cells; with the root's keys it will not fit 60", where, w)
	}
}

// TestFormHelpOffersNoTypedKeys walks into every mode with a text field
// and checks its ShortHelp.
func TestFormHelpOffersNoTypedKeys(t *testing.T) {
	cases := []struct {
		name string
		mode mode
		to   func(t *testing.T, e *env)
	}{
		{"derive", modeDerive, func(t *testing.T, e *env) { e.drive(t, keys("d")...) }},
		{"label", modeLabel, func(t *testing.T, e *env) { e.drive(t, keys("l")...) }},
		{"send", modeSend, func(t *testing.T, e *env) { e.drive(t, keys("s")...) }},
		{"password before export", modeReauth, func(t *testing.T, e *env) { e.drive(t, keys("e")...) }},
		{"export", modeExport, func(t *testing.T, e *env) { e.drive(t, typed(walletPassword, "enter")...) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, 60, 20)
			if c.mode == modeExport {
				e.drive(t, keys("e")...)
			}
			c.to(t, e)
			if e.model().mode != c.mode || !e.s.Capturing() {
				t.Fatalf("not in the %s form (mode %v):\n%s", c.name, e.model().mode, e.view())
			}
			formHelpOK(t, c.name, e.s.ShortHelp())
		})
	}
	t.Run("send password", func(t *testing.T) {
		e := setup(t, 60, 20)
		toConfirm(t, e, "250")
		e.drive(t, keys("y")...)
		if !e.model().draft.Asking() {
			t.Fatalf("a large send does not ask the password:\n%s", e.view())
		}
		formHelpOK(t, "send password", e.s.ShortHelp())
	})
}

// TestBusyOffersNoKeys: while an action is out, keys wait for it, and the
// help does not offer them.
func TestBusyOffersNoKeys(t *testing.T) {
	e := setup(t, 80, 24)
	toConfirm(t, e, "1.5")
	var cmd tea.Cmd
	e.s, cmd = e.s.Update(keys("y")[0])
	if e.model().busy == "" || cmd == nil {
		t.Fatal("y did not start the send")
	}
	if h := e.s.ShortHelp(); len(h) != 0 {
		t.Fatalf("the help offers %d keys while sending", len(h))
	}
}

// TestWordsAllOrNone: the recovery words page shows every word with its
// number, or none and a line asking for a larger window.
func TestWordsAllOrNone(t *testing.T) {
	for _, sz := range []struct {
		w, h  int
		shown bool
	}{{80, 24, true}, {120, 40, true}, {60, 20, true}, {30, 30, true}, {60, 12, false}, {10, 30, false}} {
		e := setup(t, sz.w, sz.h)
		e.drive(t, keys("w")...)
		e.drive(t, typed(walletPassword, "enter")...)
		checkArea(t, e)
		v := e.view()
		missing := 0
		for i, w := range strings.Fields(wallet.DevMnemonic) {
			if !strings.Contains(v, fmt.Sprintf("%2d. %s", i+1, w)) {
				missing++
			}
		}
		asks := strings.Contains(strings.Join(strings.Fields(v), " "), "Make the window larger")
		if sz.shown && (missing > 0 || asks) || !sz.shown && (missing != 12 || !asks) {
			t.Errorf("%dx%d: %d words missing, asks for a larger window %v:\n%s", sz.w, sz.h, missing, asks, v)
		}
	}
}
