package peers

import (
	"strings"
	"testing"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
)

// selectedLabel is the label of the row the view marks with the cursor, or
// "" if no row shown is marked.
func selectedLabel(view string) string {
	for _, l := range strings.Split(tuitest.Plain(view), "\n") {
		if f := strings.Fields(strings.TrimPrefix(l, "›")); strings.HasPrefix(l, "›") && len(f) > 0 {
			return label(f[0])
		}
	}
	return ""
}

// refreshWith makes the fake's peers ps and lets a block refresh the
// screen, as the node's events do.
func refreshWith(t *testing.T, node *fakenode.Node, m *Model, ps []api.Peer) {
	t.Helper()
	node.SetPeers(ps)
	drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: node.MineBlock()}})
}

// TestCursorFollowsPeersJoiningAndLeaving: peers joining above the
// selected one and others leaving do not move the cursor off it; when it
// leaves, the cursor takes the peer now at its row, one the filter shows,
// and keys act on that peer at once.
func TestCursorFollowsPeersJoiningAndLeaving(t *testing.T) {
	c, node, m := setup(t, 120, 40, true)
	fx := fakenode.FixturePeers() // by latency: B A E C D
	keys(t, m, "/")
	tuitest.Drive(t, m, tuitest.Typed("outbound", "enter")...) // A E C
	keys(t, m, "down", "down")
	if got := selectedLabel(m.View()); got != "C" {
		t.Fatalf("selected %s, want C", got)
	}
	joined := []api.Peer{
		{ID: "12D3KooWJoinedFasterThanAnyoneElse1", Direction: "outbound", LatencyMs: 1},
		{ID: "12D3KooWJoinedFasterThanAnyoneElse2", Direction: "outbound", LatencyMs: 2},
	}
	ps := append(append([]api.Peer{}, joined...), fx[1:]...) // A leaves, two join above
	refreshWith(t, node, m, ps)
	v := m.View()
	checkFits(t, c, v)
	if got := selectedLabel(v); got != "C" || label(m.sel) != "C" {
		t.Fatalf("after peers joined and left the cursor is on %s (selected %s), want C:\n%s", got, label(m.sel), tuitest.Plain(v))
	}
	// C, the last outbound peer in latency order, leaves: D takes its row
	// but the filter hides D, so the cursor goes to the outbound peer
	// before it, E, and enter opens E before anything is drawn.
	refreshWith(t, node, m, append(append([]api.Peer{}, joined...), fx[1], fx[3], fx[4]))
	keys(t, m, "enter")
	if !m.detail || label(m.sel) != "E" {
		t.Fatalf("after C left, enter opened %v on %s, want the detail of E", m.detail, label(m.sel))
	}
}

// TestSmallScreenSaysWhichRowsShow: at 60x20 not every peer fits; the
// title says which rows show, scrolling with the cursor, and the agent
// column, too narrow to say anything, gives its room to the ID.
func TestSmallScreenSaysWhichRowsShow(t *testing.T) {
	c, _, m := setup(t, 60, 20, true)
	v := tuitest.Plain(m.View())
	checkFits(t, c, v)
	if !strings.Contains(v, "showing 1–4") || strings.Contains(v, "agent") || strings.Contains(v, "cair…") {
		t.Fatalf("at 60x20:\n%s", v)
	}
	keys(t, m, "G")
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "showing 2–5") || selectedLabel(v) != "D" {
		t.Fatalf("after G the last peer, D, shows and the title says rows 2–5:\n%s", v)
	}
}
