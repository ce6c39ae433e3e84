package mempool

import (
	"testing"

	"cairn/tui/common"
	"cairn/tui/tuitest"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// helpBar is the root's help bar with this screen in front: the screen's
// keys, then the global ones (jump, next screen, all keys, quit) unless the
// screen takes every key.
func helpBar(c *common.Common, m *Model) string {
	bs := m.ShortHelp()
	if !m.Capturing() {
		bs = append(bs, c.Keys.Jump)
	}
	bs = append(bs, c.Keys.NextTab, c.Keys.Help, c.Keys.Quit)
	return ansi.Strip(help.New().ShortHelpView(bs))
}

// TestHelpBarFits: in every mode the help bar with the globals fits 80
// columns, and the keys left out of it are in the full help.
func TestHelpBarFits(t *testing.T) {
	c, node, clk, m := setup(t, 80, 24)
	events, _ := node.Subscribe(t.Context())
	feed(t, m, clk)
	check := func(mode string) {
		t.Helper()
		if bar := helpBar(c, m); ansi.StringWidth(bar) > 80 {
			t.Errorf("%s: the help bar is %d cells wide: %q", mode, ansi.StringWidth(bar), bar)
		}
	}
	check("table")
	full := map[string]bool{}
	for _, g := range m.FullHelp() {
		for _, b := range g {
			full[b.Help().Key] = true
		}
	}
	for _, b := range []key.Binding{c.Keys.Filter, c.Keys.Sort, c.Keys.Reverse, c.Keys.Enter, c.Keys.Up, c.Keys.Down} {
		if !full[b.Help().Key] {
			t.Errorf("the full help lacks %s", b.Help().Key)
		}
	}
	tuitest.Drive(t, m, tuitest.Key("/"))
	check("filter")
	tuitest.Drive(t, m, tuitest.Keys("esc", "esc")...)
	sent := signAndSend(t, c, events, 0)
	tuitest.Drive(t, m, common.EventMsg{Event: sent}, tuitest.Key("g"), tuitest.Key("enter")) // newest: the first row
	if m.detail == nil {
		t.Fatal("enter should open the transaction")
	}
	check("detail")
}
