package peers

import (
	"strings"
	"testing"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
)

func TestPeersGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h, true)
		view := m.View()
		checkFits(t, c, view)
		tuitest.Golden(t, view)
	})
}

func TestPeersAloneGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h, false)
		view := m.View()
		checkFits(t, c, view)
		tuitest.Golden(t, view)
	})
}

// TestPeerDetailGolden opens the second row (by latency: peer A).
func TestPeerDetailGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h, true)
		keys(t, m, "down", "enter")
		view := m.View()
		checkFits(t, c, view)
		tuitest.Golden(t, view)
	})
}

func TestTopShowsTheNodeSyncAndRound(t *testing.T) {
	for _, w := range []int{80, 120} {
		_, _, m := setup(t, w, 40, true)
		v := tuitest.Plain(m.View())
		id := fakenode.FixtureNodeID
		if w < wideWidth {
			id = shortID(id, shortIDW)
		}
		for _, want := range []string{
			"Node    " + id + " · validator",
			"/ip4/0.0.0.0/tcp/26656",
			"22%  4 → 12 / 40 · 28 blocks left",
			"height 13 · round 1 · prevote · proposer bravo",
			"prevotes 3/4 · 89% power +2/3",
			"precommits 1/4 · 36% power",
		} {
			if !strings.Contains(v, want) {
				t.Errorf("at %d columns the view lacks %q:\n%s", w, want, v)
			}
		}
		if w >= wideWidth != strings.Contains(v, fakenode.FixtureNodeID) {
			t.Errorf("at %d columns the full node ID shown is %v", w, !(w >= wideWidth))
		}
	}
	_, _, m := setup(t, 80, 24, false)
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "running alone") || !strings.Contains(v, "none: this node runs alone") {
		t.Fatalf("alone:\n%s", v)
	}
}

func TestInStepWithPeers(t *testing.T) {
	_, node, m := setup(t, 80, 24, true)
	node.SetNetwork(fakenode.FixtureNodeID, fakenode.FixtureListen, nil)
	reloadStatus(t, m)
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "in step with peers at height 12") {
		t.Fatalf("no sync under way:\n%s", v)
	}
}

// TestVotesInTheGrid checks each validator's marks: the fixture's own
// validator has both votes in, bravo (the proposer) and charlie their
// prevotes, delta none.
func TestVotesInTheGrid(t *testing.T) {
	_, _, m := setup(t, 120, 40, true)
	v := tuitest.Plain(m.View())
	vals := fakenode.FixtureConsensus().Validators
	want := []string{
		"• ✓  ✓  " + common.ShortAddr(vals[0].Address) + " ",
		"★ ✓  ·  bravo " + common.ShortAddr(vals[1].Address) + " ",
		"  ✓  ·  charlie " + common.ShortAddr(vals[2].Address) + " ",
		"  ·  ·  delta-validator-with-… ", // too long for an address beside it
	}
	for _, w := range want {
		if !strings.Contains(v, w) {
			t.Errorf("the grid lacks %q:\n%s", w, v)
		}
	}
}

// TestSortOrder checks the rows for every sort column, natural and
// reversed, against orders worked out by hand from the fixture peers A…E
// (see fakenode.FixturePeers).
func TestSortOrder(t *testing.T) {
	for _, w := range []int{80, 120} {
		_, _, m := setup(t, w, 40, true)
		want := []struct {
			col      column
			rows     string
			reversed string
		}{
			{byLatency, "BAECD", "DCEAB"}, // 4.2, 18.4, 61, 142.7 ms, not measured
			{byScore, "AEBCD", "DCBEA"},   // 12.5, 7.25, 3, 0.5, -4
			{byHeight, "CABED", "DEBAC"},  // 40 (C, A by ID), 39, 38, 9
			{byDirection, "CAEBD", "DBEAC"},
			{byUptime, "CBAED", "DEABC"}, // 26h, 4h05m, 3h12m, 9m, 14.8s
		}
		for _, c := range want {
			if m.col != c.col {
				t.Fatalf("s should have moved to %s, the table is by %s", c.col.name(), m.col.name())
			}
			if got := rowLabels(m.View()); got != c.rows {
				t.Errorf("%d columns, by %s: rows %s, want %s", w, c.col.name(), got, c.rows)
			}
			keys(t, m, "S")
			if got := rowLabels(m.View()); got != c.reversed {
				t.Errorf("%d columns, by %s reversed: rows %s, want %s", w, c.col.name(), got, c.reversed)
			}
			keys(t, m, "S", "s")
		}
		if m.col != byLatency || m.rev {
			t.Fatalf("s should cycle back to latency, natural order; got %s reversed=%v", m.col.name(), m.rev)
		}
	}
}

// TestCursorStaysOnItsPeer: the selection follows the peer, not the row,
// through a re-sort and a refresh that reorders the table.
func TestCursorStaysOnItsPeer(t *testing.T) {
	_, node, m := setup(t, 120, 40, true)
	keys(t, m, "down", "down") // by latency B A E: on E
	if m.sel != fakenode.FixturePeers()[4].ID {
		t.Fatalf("cursor on %s, want peer E", label(m.sel))
	}
	keys(t, m, "s") // by score A E B C D: E is second
	if m.cursor != 1 || m.sel != fakenode.FixturePeers()[4].ID {
		t.Fatalf("after the re-sort the cursor is on row %d (%s), want row 1 (E)", m.cursor, label(m.sel))
	}
	ps := fakenode.FixturePeers()
	ps[4].Score = -10 // E drops to the bottom
	node.SetPeers(ps)
	drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: node.MineBlock()}})
	if got := rowLabels(m.View()); got != "ABCDE" {
		t.Fatalf("after the refresh rows %s, want ABCDE", got)
	}
	if m.cursor != 4 || m.sel != ps[4].ID {
		t.Fatalf("after the refresh the cursor is on row %d (%s), want row 4 (E)", m.cursor, label(m.sel))
	}
}

func TestDetailFollowsThePeerAndItsDeparture(t *testing.T) {
	_, node, m := setup(t, 80, 24, true)
	keys(t, m, "enter") // B, the lowest latency
	v := tuitest.Plain(m.View())
	b := fakenode.FixturePeers()[1]
	for _, want := range []string{b.ID, b.Addrs[0], "inbound", "4h05m ago, since 2025-12-31 19:55:00 UTC", "4.2ms", "39 (27 blocks ahead of this node)"} {
		if !strings.Contains(v, want) {
			t.Errorf("the detail lacks %q:\n%s", want, v)
		}
	}
	keys(t, m, "down")
	if v := tuitest.Plain(m.View()); !strings.Contains(v, fakenode.FixturePeers()[0].ID) {
		t.Fatalf("down in the detail should show the next peer (A):\n%s", v)
	}
	node.SetPeers(fakenode.FixturePeers()[1:]) // A leaves
	drive(t, m, common.FocusMsg{Focused: true})
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "disconnected") || !strings.Contains(v, fakenode.FixturePeers()[0].ID) {
		t.Fatalf("a peer that left should stay shown as disconnected:\n%s", v)
	}
	keys(t, m, "esc")
	if m.detail || m.index(m.sel) < 0 {
		t.Fatalf("esc should close the detail on a connected peer; on %s", label(m.sel))
	}
}

// TestRefreshTickOnlyWhileFocused: the root's tick refreshes the screen
// only while it is in front; block events refresh it in front or not.
func TestRefreshTickOnlyWhileFocused(t *testing.T) {
	_, node, m := setup(t, 80, 24, true)
	calls := node.PeersCalls()
	if _, cmd := m.Update(common.TickMsg{Time: now}); cmd != nil {
		t.Fatal("a tick armed a refresh while the screen is not in front")
	}
	if node.PeersCalls() != calls {
		t.Fatal("a tick fetched the peers while the screen is not in front")
	}

	seen := drive(t, m, common.FocusMsg{Focused: true})
	if node.PeersCalls() != calls+1 || !hasMsg[common.RefreshStatusMsg](seen) {
		t.Fatalf("coming to the front should refresh the peers and the status: %d calls, %v", node.PeersCalls()-calls, seen)
	}
	for i := range 3 {
		seen = drive(t, m, common.TickMsg{Time: now})
		if node.PeersCalls() != calls+2+i || !hasMsg[common.RefreshStatusMsg](seen) {
			t.Fatalf("tick %d in front: %d peer fetches, status asked %v", i, node.PeersCalls()-calls, hasMsg[common.RefreshStatusMsg](seen))
		}
	}

	calls = node.PeersCalls()
	drive(t, m, common.FocusMsg{Focused: false})
	if _, cmd := m.Update(common.TickMsg{Time: now}); cmd != nil || node.PeersCalls() != calls {
		t.Fatal("a tick still refreshes after the screen left the front")
	}
	seen = drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: node.MineBlock()}})
	if node.PeersCalls() != calls+1 || hasMsg[common.RefreshStatusMsg](seen) {
		t.Fatalf("a block should fetch the peers (the root fetches the status): %d fetches, %v", node.PeersCalls()-calls, seen)
	}
}

// TestVotesArriveOnTheTick: votes come in without a block; the tick in
// front shows them.
func TestVotesArriveOnTheTick(t *testing.T) {
	_, node, m := setup(t, 80, 24, true)
	drive(t, m, common.FocusMsg{Focused: true})
	cs := fakenode.FixtureConsensus()
	cs.Step = "precommit"
	for i := range cs.Validators {
		cs.Validators[i].Prevote, cs.Validators[i].Precommit = true, i < 3
	}
	node.SetConsensus(cs)
	drive(t, m, common.TickMsg{Time: now})
	v := tuitest.Plain(m.View())
	for _, want := range []string{"round 1 · precommit", "prevotes 4/4 · 100% power +2/3", "precommits 3/4 · 89% power +2/3"} {
		if !strings.Contains(v, want) {
			t.Errorf("after the tick the view lacks %q:\n%s", want, v)
		}
	}
}

// TestManyValidatorsFit: a large set is cut to the rows left, saying how
// many are not shown, and the table keeps rows of its own.
func TestManyValidatorsFit(t *testing.T) {
	c, node, m := setup(t, 80, 24, true)
	cs := fakenode.FixtureConsensus()
	for len(cs.Validators) < 100 {
		cs.Validators = append(cs.Validators, api.ValidatorVotes{Name: "v", Power: 1})
	}
	node.SetConsensus(cs)
	reloadStatus(t, m)
	view := m.View()
	checkFits(t, c, view)
	v := tuitest.Plain(view)
	if !strings.Contains(v, "more validators") || len(rowIDs(view)) < 3 {
		t.Fatalf("100 validators at 80x24:\n%s", v)
	}
}

func TestFormatting(t *testing.T) {
	cases := []struct{ got, want string }{
		{shortID(fakenode.FixtureNodeID, 13), "12D3Ko…XwN3sE"},
		{latency(0), "—"},
		{latency(4.24), "4.2ms"},
		{latency(142.7), "143ms"},
		{addrList([]string{"/ip4/1.2.3.4/tcp/1", "/ip4/5.6.7.8/tcp/2", "/ip6/::1/tcp/3"}, 45), "/ip4/1.2.3.4/tcp/1 · +2 more"},
		{relative(30, 12), " (18 blocks ahead of this node)"},
		{relative(11, 12), " (1 block behind this node)"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestSnapshotSyncShown(t *testing.T) {
	_, node, m := setup(t, 120, 40, true)
	node.SetNetwork(fakenode.FixtureNodeID, fakenode.FixtureListen, nil)
	node.SetSnapshot(&api.SnapshotStatus{Phase: api.SnapshotDownloading, Height: 9000, Accounts: 120_000, Slots: 40, Codes: 2, Bytes: 12 << 20, Peers: 3, Refused: 1}, 0)
	reloadStatus(t, m)
	want := "snapshot: downloading block 9,000 · 120,000 accounts, 40 slots, 2 codes · 12.0 MiB · 3 peers · 1 refused"
	if v := tuitest.Plain(m.View()); !strings.Contains(v, want) {
		t.Fatalf("downloading: the view lacks %q:\n%s", want, v)
	}
	node.SetSnapshot(&api.SnapshotStatus{Phase: api.SnapshotDone, Height: 9000}, 9000)
	reloadStatus(t, m)
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "in step with peers at height 12 · from a snapshot at 9,000") {
		t.Fatalf("after the snapshot:\n%s", v)
	}
}
