package peers

import (
	"testing"

	"charm.land/bubbles/v2/help"
	"github.com/charmbracelet/x/ansi"
)

// TestHelpBarFits: in every mode the screen's help with the root's global
// keys fits 80 columns.
func TestHelpBarFits(t *testing.T) {
	c, _, m := setup(t, 80, 24, true)
	check := func(mode string) {
		t.Helper()
		bs := m.ShortHelp()
		if !m.Capturing() {
			bs = append(bs, c.Keys.Jump)
		}
		bs = append(bs, c.Keys.NextTab, c.Keys.Help, c.Keys.Quit)
		if bar := ansi.Strip(help.New().ShortHelpView(bs)); ansi.StringWidth(bar) > 80 {
			t.Errorf("%s: the help bar is %d cells wide: %q", mode, ansi.StringWidth(bar), bar)
		}
	}
	check("table")
	keys(t, m, "/")
	check("filter")
	keys(t, m, "esc", "enter")
	if !m.detail {
		t.Fatal("enter should open the peer")
	}
	check("detail")
}
