package tui

import (
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"

	"github.com/charmbracelet/x/ansi"
)

// TestRootPeersGolden shows the Peers screen (6) of a networked node in
// the console: its tab, its keys in the help bar.
func TestRootPeersGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m, node := unlocked(t, w, h)
		node.Networked()
		drive(t, m, tuitest.Key("6"))
		if title := m.screens[m.active].Title(); title != "Peers" {
			t.Fatalf("6 brought %s to the front, want Peers", title)
		}
		view := m.render()
		if lines := strings.Count(view, "\n") + 1; lines != h {
			t.Fatalf("root view has %d lines, terminal has %d", lines, h)
		}
		for _, line := range strings.Split(view, "\n") {
			if ansi.StringWidth(line) > w {
				t.Fatalf("line wider than %d: %q", w, ansi.Strip(line))
			}
		}
		tuitest.Golden(t, view)
	})
}

// TestPeersRefreshOnlyInFront: the root's tick refreshes the Peers screen
// (and through it the status) only while it is in front: after a number
// key or tab brings it there, not after another screen, the lock or tab
// take it away.
func TestPeersRefreshOnlyInFront(t *testing.T) {
	m, node := unlocked(t, 100, 30)
	node.Networked()
	calls := node.PeersCalls()
	tickRefreshes := func(want bool, when string) {
		t.Helper()
		before := node.PeersCalls()
		drive(t, m, common.TickMsg{})
		if got := node.PeersCalls() > before; got != want {
			t.Fatalf("%s: the tick refreshed the peers: %v, want %v", when, got, want)
		}
	}
	tickRefreshes(false, "with the Dashboard in front")
	if node.PeersCalls() != calls {
		t.Fatal("the peers were fetched with the Dashboard in front")
	}

	drive(t, m, tuitest.Key("6"))
	if node.PeersCalls() != calls+1 {
		t.Fatalf("coming to the front fetched the peers %d times, want once", node.PeersCalls()-calls)
	}
	if m.c.Status.NodeID != fakenode.FixtureNodeID {
		t.Fatalf("coming to the front did not refresh the status: node ID %q", m.c.Status.NodeID)
	}
	cs := fakenode.FixtureConsensus()
	cs.Round = 2
	node.SetConsensus(cs)
	tickRefreshes(true, "with Peers in front")
	if m.c.Status.Consensus.Round != 2 {
		t.Fatalf("the tick in front did not refresh the status: round %d", m.c.Status.Consensus.Round)
	}

	drive(t, m, tuitest.Key("tab")) // on to Staking
	tickRefreshes(false, "after tab away")
	drive(t, m, tuitest.Key("shift+tab"))
	tickRefreshes(true, "after shift+tab back")
	drive(t, m, tuitest.Key("ctrl+l"))
	tickRefreshes(false, "while locked")
}
