package blocks

import (
	"strings"
	"testing"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
)

// TestListNarrowKeepsValuesWhole: at 60 columns, on a chain past a
// million blocks, the heights and the head show whole (the proposer
// column and the header's least useful parts go instead), and at 120 the
// hashes show in full.
func TestListNarrowKeepsValuesWhole(t *testing.T) {
	for _, w := range []int{60, 80, 120} {
		c := common.NewCommon()
		c.Now = func() time.Time { return time.UnixMilli(fakenode.T0 + 1_234_570_000) }
		c.Width, c.Height = w, 20
		m := newModel(c)
		var bs []*api.Block
		for h := uint64(1_234_560); h < 1_234_570; h++ {
			bs = append(bs, synthetic(h, 0))
		}
		m.Update(blocksMsg{blocks: bs})
		drive(t, m, "G") // at the bottom the header offers older blocks too
		checkFits(t, c, m.View())
		v := tuitest.Plain(m.View())
		if !strings.HasPrefix(v, "head 1,234,569") || !strings.Contains(v, "pgdn for older") {
			t.Errorf("%d columns: the header lost the head or the hint:\n%s", w, v)
		}
		if !strings.Contains(v, " 1,234,565 ") {
			t.Errorf("%d columns: a height is cut:\n%s", w, v)
		}
		if full := synthetic(1_234_565, 0).Hash.Hex(); (w == 120) != strings.Contains(v, full) {
			t.Errorf("%d columns: the full hash should show at 120 only:\n%s", w, v)
		}
	}
}

// TestShortHelpIsShort: each level's own help fits in a third of a
// 60-column bar, and inside the filter offers only the filter's keys.
func TestShortHelpIsShort(t *testing.T) {
	_, node, m := setup(t, 60, 20)
	width := func() int {
		n := 0
		for _, b := range m.ShortHelp() {
			n += len([]rune(b.Help().Key+" "+b.Help().Desc)) + 3 // and " • "
		}
		return n - 3
	}
	check := func(level string, max int) {
		t.Helper()
		if n := width(); n > max {
			t.Errorf("%s: the help takes %d columns, more than %d", level, n, max)
		}
	}
	check("list", 40)
	drive(t, m, "/")
	for _, b := range m.ShortHelp() {
		if h := b.Help(); h.Key != "enter" && h.Key != "esc" {
			t.Errorf("inside the filter the help offers %q", h.Key)
		}
	}
	drive(t, m, "esc", "down", "enter")
	check("block", 40)
	drive(t, m, "enter")
	check("transaction", 40)
	acc, _ := node.Account(t.Context(), m.blocks[0].Proposer)
	tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowAccount, Account: acc})
	check("account", 40)
}
