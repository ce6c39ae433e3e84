package dashboard

import (
	"context"
	"strings"
	"testing"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
)

func setup(t *testing.T, w, h int) (*common.Common, *fakenode.Node, common.Screen) {
	t.Helper()
	node := fakenode.New()
	c := common.NewCommon()
	c.Node = node
	c.Now = func() time.Time { return time.UnixMilli(fakenode.T0 + 11*1000 + 2300) } // 2.3 s after block 12
	c.Width, c.Height = w, h-4
	st, _ := node.Status(context.Background())
	c.Status = st
	return c, node, tuitest.Init(t, New(c))
}

func TestDashboardGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, s := setup(t, w, h)
		view := s.View()
		if lines := strings.Count(view, "\n") + 1; lines > c.Height {
			t.Fatalf("view has %d lines, screen area is %d", lines, c.Height)
		}
		tuitest.Golden(t, view)
	})
}

func TestDashboardFollowsBlocks(t *testing.T) {
	c, node, s := setup(t, 120, 40)
	b := node.MineBlock()
	b.TxCount = 50 // pretend it was a busy block
	s, _ = tuitest.Drive(t, s, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
	st, _ := node.Status(context.Background())
	c.Status = st
	c.Now = func() time.Time { return time.UnixMilli(int64(b.Time) + 400) }
	view := tuitest.Plain(s.View())
	for _, want := range []string{"13", "400ms ago", "last 50"} {
		if !strings.Contains(view, want) {
			t.Errorf("after block 13 the dashboard lacks %q:\n%s", want, view)
		}
	}
}

func TestDashboardBeforeFirstStatus(t *testing.T) {
	c := common.NewCommon()
	c.Node = fakenode.New()
	c.Width, c.Height = 80, 20
	if v := New(c).View(); !strings.Contains(v, "waiting for the node") {
		t.Fatalf("view without status: %q", v)
	}
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]float64{0, 1, 2, 4}, 10); got != "▁▂▄█" {
		t.Fatalf("sparkline = %q", got)
	}
	if got := sparkline([]float64{1, 2, 3}, 2); got != "▅█" {
		t.Fatalf("sparkline keeps the newest: %q", got)
	}
}

func TestPaceIgnoresGenesisAndGaps(t *testing.T) {
	c := common.NewCommon()
	m := New(c)
	m.addBlock(&api.Block{Height: 0, Time: 1000})
	m.addBlock(&api.Block{Height: 1, Time: 9_000_000})
	m.addBlock(&api.Block{Height: 2, Time: 9_001_000, TxCount: 10})
	m.addBlock(&api.Block{Height: 5, Time: 9_010_000})
	if len(m.intervals.values) != 1 || m.intervals.last() != 1 || m.tps.last() != 10 {
		t.Fatalf("intervals %v tps %v, want one 1s interval at 10 tx/s", m.intervals.values, m.tps.values)
	}
}

func TestDashboardNetworkLine(t *testing.T) {
	c, node, s := setup(t, 80, 24)
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "Network        running alone (no peers)") {
		t.Errorf("alone, the dashboard lacks the network line:\n%s", v)
	}
	node.Networked()
	c.Status, _ = node.Status(context.Background())
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "Network        5 peers · syncing 12/40") {
		t.Errorf("networked and syncing:\n%s", v)
	}
	node.SetNetwork(fakenode.FixtureNodeID, nil, nil)
	c.Status, _ = node.Status(context.Background())
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "Network        5 peers · in step") {
		t.Errorf("networked and in step:\n%s", v)
	}
}

func TestDashboardWaitingForPeers(t *testing.T) {
	c, node, s := setup(t, 80, 24)
	node.SetNetwork(fakenode.FixtureNodeID, fakenode.FixtureListen, nil)
	c.Status, _ = node.Status(context.Background())
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "Network        0 peers · waiting for peers") {
		t.Errorf("networked without peers:\n%s", v)
	}
}

func TestDashboardShowsASnapshotSync(t *testing.T) {
	c, node, s := setup(t, 100, 24)
	node.SetNetwork(fakenode.FixtureNodeID, fakenode.FixtureListen, nil)
	node.SetSnapshot(&api.SnapshotStatus{Phase: api.SnapshotDownloading, Height: 9000, Accounts: 5000, Bytes: 3 << 20}, 0)
	c.Status, _ = node.Status(context.Background())
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "snapshot: block 9000, 5000 accounts, 3.0 MiB") {
		t.Errorf("downloading a snapshot:\n%s", v)
	}
}
