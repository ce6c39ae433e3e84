package onboarding

import (
	"strings"
	"testing"
	"unicode"

	"cairn/tui/common"

	"charm.land/bubbles/v2/key"
)

// typedKeys are the keys of bs (as bound and as shown) that a text field
// would take as a character: a single printable rune.
func typedKeys(bs []key.Binding) []string {
	var out []string
	for _, b := range bs {
		for _, k := range append(strings.Split(b.Help().Key, "/"), b.Keys()...) {
			if r := []rune(k); len(r) == 1 && unicode.IsPrint(r[0]) {
				out = append(out, k)
			}
		}
	}
	return out
}

// TestFieldStepsOfferNoTypedKeys: in every step with a text field, the
// hints offer no key the field would type instead.
func TestFieldStepsOfferNoTypedKeys(t *testing.T) {
	steps := map[string][]string{
		"confirm words": {"enter", "enter"},
		"password":      {"enter", "enter"}, // then the words typed back (below)
		"import words":  {"down", "enter"},
		"keystore path": {"down", "down", "enter"},
	}
	for name, ks := range steps {
		t.Run(name, func(t *testing.T) {
			m := newFirstRun(t, goldenPath, 60, 20)
			var s common.Screen = m
			s, _ = drive(t, s, keys(ks...)...)
			if name == "password" {
				m.toPassword()
			}
			if !s.Capturing() {
				t.Fatalf("no field takes text at step %v", m.step)
			}
			if bad := typedKeys(s.ShortHelp()); len(bad) > 0 {
				t.Fatalf("step %v offers %q, keys its field types", m.step, bad)
			}
		})
	}
	t.Run("unlock", func(t *testing.T) {
		s := newUnlockScreen(t, lockedDevWallet(t), 60, 20)
		if bad := typedKeys(s.ShortHelp()); !s.Capturing() || len(bad) > 0 {
			t.Fatalf("the unlock prompt offers %q", bad)
		}
	})
}
