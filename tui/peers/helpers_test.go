package peers

import (
	"context"
	"strings"
	"testing"
	"time"

	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// now is the test clock: 2.3 s after the fake's block 12.
var now = time.UnixMilli(fakenode.T0 + 11*1000 + 2300)

// setup makes the screen over a fake node, networked (the fixtures: five
// peers, a sync under way, a round with some votes in) or alone, with the
// status fetched as the root would.
func setup(t testing.TB, w, h int, networked bool) (*common.Common, *fakenode.Node, *Model) {
	t.Helper()
	node := fakenode.New()
	if networked {
		node.Networked()
	}
	c := common.NewCommon()
	c.Node = node
	c.Now = func() time.Time { return now }
	c.Width, c.Height = w, h-4
	m := newModel(c)
	tuitest.Init(t, m)
	reloadStatus(t, m)
	return c, node, m
}

// reloadStatus does what the root does for RefreshStatusMsg: fetch the
// status, keep it in Common and tell the screens.
func reloadStatus(t testing.TB, m *Model) {
	t.Helper()
	st, err := m.c.Node.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m.c.Status = st
	tuitest.Drive(t, m, common.StatusMsg{Status: st})
}

// drive feeds msgs to the screen and answers its status requests as the
// root would; it returns the messages the screen's commands produced.
func drive(t testing.TB, m *Model, msgs ...tea.Msg) []tea.Msg {
	t.Helper()
	_, seen := tuitest.Drive(t, m, msgs...)
	for _, msg := range seen {
		if _, ok := msg.(common.RefreshStatusMsg); ok {
			reloadStatus(t, m)
			break
		}
	}
	return seen
}

func keys(t testing.TB, m *Model, names ...string) {
	t.Helper()
	for _, k := range names {
		drive(t, m, tuitest.Key(k))
	}
}

// rowIDs are the peer IDs of the table's rows as drawn, top to bottom.
func rowIDs(view string) []string {
	var out []string
	lines := strings.Split(tuitest.Plain(view), "\n")
	in := false
	for _, l := range lines {
		f := strings.Fields(strings.TrimPrefix(l, "›"))
		switch {
		case len(f) > 0 && f[0] == "id" && strings.Contains(l, "latency"):
			in = true
		case in && len(f) == 0:
			return out
		case in:
			out = append(out, f[0])
		}
	}
	return out
}

// label names the fixture peers A…E (fakenode.FixturePeers order) by the ID
// a row shows, in full or abbreviated.
func label(id string) string {
	for i, p := range fakenode.FixturePeers() {
		if id == p.ID || id == shortID(p.ID, len([]rune(id))) {
			return string(rune('A' + i))
		}
	}
	return "?" + id
}

func rowLabels(view string) string {
	var b strings.Builder
	for _, id := range rowIDs(view) {
		b.WriteString(label(id))
	}
	return b.String()
}

// checkFits fails if the view draws outside the screen's area.
func checkFits(t testing.TB, c *common.Common, view string) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > c.Height {
		t.Fatalf("view has %d lines, the area is %d", len(lines), c.Height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > c.Width {
			t.Fatalf("line %d is %d cells wide, the area is %d: %q", i, w, c.Width, ansi.Strip(l))
		}
	}
}

func hasMsg[T any](msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(T); ok {
			return true
		}
	}
	return false
}
