package dashboard

import (
	"context"
	"fmt"
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
	for _, sz := range tuitest.Sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.W, sz.H), func(t *testing.T) {
			c, _, s := setup(t, sz.W, sz.H)
			view := s.View()
			tuitest.Fits(t, view, c.Width, c.Height)
			tuitest.Golden(t, view)
		})
	}
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
	if got := sparkline([]float64{0, 1, 2, 4}, 10, 1); got != "▁▂▄█" {
		t.Fatalf("sparkline = %q", got)
	}
	if got := sparkline([]float64{1, 2, 3}, 2, 1); got != "▅█" {
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

// busy is setup on a network, in a consensus round, with a long history
// of blocks of uneven pace and load behind the head, so the sparklines
// have more blocks than any width shows.
func busy(t *testing.T, w, h int) (*common.Common, common.Screen) {
	t.Helper()
	c, node, s := setup(t, w, h)
	node.Networked()
	st, _ := node.Status(context.Background())
	head, _ := node.Block(context.Background(), "latest", false)
	tm := head.Time
	for i := range uint64(150) {
		tm += 700 + (i*37%11)*60
		b := &api.Block{Height: head.Height + 1 + i, Time: tm, TxCount: int(i * 13 % 47)}
		s, _ = tuitest.Drive(t, s, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
		st.Height, st.FinalizedHeight, st.HeadTime = b.Height, b.Height-1, b.Time
	}
	st.Mempool.Pending, st.Mempool.Queued, st.Mempool.Bytes = 1234, 56, 3<<20
	st.Metrics = &api.MetricsSummary{Blocks: 150, FinalityP50: 0.42, FinalityP99: 1.375, IntervalMean: 1.02,
		TxsPerBlock: 23.4, Signed: 140, Missed: 3, BytesIn: 9 << 20, BytesOut: 4 << 20}
	c.Status = st
	c.Now = func() time.Time { return time.UnixMilli(int64(tm) + 2300) }
	return c, s
}

func TestDashboardGoldenBusy(t *testing.T) {
	for _, sz := range tuitest.Sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.W, sz.H), func(t *testing.T) {
			c, s := busy(t, sz.W, sz.H)
			view := s.View()
			tuitest.Fits(t, view, c.Width, c.Height)
			tuitest.Golden(t, view)
		})
	}
}

// At 80x24 nothing the issue names is cut: the averages beside the
// sparklines, the whole validator line with its round, the head hash
// (shortened, not cut), and no line ends in a cut-off "…".
func TestDashboardNothingCutAt80x24(t *testing.T) {
	c, s := busy(t, 80, 24)
	st := c.Status
	view := tuitest.Plain(s.View())
	for _, want := range []string{
		"avg 1.00s", "last 12",
		"Validator      " + st.Validator.Hex() + "  ● active",
		"Consensus      round 1 · prevote",
		"Head           " + common.ShortHash(st.HeadHash.Hex()),
		"Network        5 peers · syncing 12/40",
		"56 queued · 3.0 MiB",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("at 80x24 the dashboard lacks %q:\n%s", want, view)
		}
	}
	for i, l := range strings.Split(view, "\n") {
		if strings.HasSuffix(l, "…") {
			t.Errorf("line %d is cut: %q", i, l)
		}
	}
}

// The wider and taller screen shows more of the history and more figures.
func TestDashboardUsesTheSpaceAt120x40(t *testing.T) {
	_, s := busy(t, 120, 40)
	view := tuitest.Plain(s.View())
	for _, want := range []string{"min 0.70s", "max 1.30s", "peak ", "round 1 · prevote",
		"0x63b5f64229302d4116aa7579ab91b2c7de39df4f5eb66993788c8db957a06576"} {
		if !strings.Contains(view, want) {
			t.Errorf("at 120x40 the dashboard lacks %q:\n%s", want, view)
		}
	}
	_, narrow := busy(t, 80, 24)
	if a, b := sparkCells(view), sparkCells(tuitest.Plain(narrow.View())); a <= b {
		t.Errorf("the 120x40 sparklines cover %d blocks, no more than the %d at 80x24", a, b)
	}
}

// sparkCells is how many blocks the block interval sparkline covers.
func sparkCells(view string) int {
	for _, l := range strings.Split(view, "\n") {
		if rest, ok := strings.CutPrefix(l, "Block interval "); ok {
			n := 0
			for _, r := range rest {
				if r == ' ' || strings.ContainsRune(string(bars), r) {
					n++
				} else {
					break
				}
			}
			return n - 1 // the space before the figure
		}
	}
	return 0
}

// Too short for everything, the Dashboard drops the rows that matter
// least and keeps the height, the head, the peers and the mempool, every
// line whole.
func TestDashboardDegradesWhenShort(t *testing.T) {
	for _, sz := range []struct{ W, H int }{{60, 20}, {60, 14}, {50, 10}, {40, 7}} {
		t.Run(fmt.Sprintf("%dx%d", sz.W, sz.H), func(t *testing.T) {
			c, s := busy(t, sz.W, sz.H)
			v := s.View()
			tuitest.Fits(t, v, c.Width, c.Height)
			view := tuitest.Plain(v)
			for _, want := range []string{"162", "1,290", "Head           0x63b5…6576", "5 peers"} {
				if !strings.Contains(view, want) {
					t.Errorf("at %dx%d the dashboard lacks %q:\n%s", sz.W, sz.H, want, view)
				}
			}
			for i, l := range strings.Split(view, "\n") {
				if strings.Contains(l, "…") && !strings.Contains(l, "0x") {
					t.Errorf("line %d is cut: %q\n%s", i, l, view)
				}
			}
		})
	}
}

// TestDashboardShowsTheMetrics: the finality latency, the validator's
// signed and missed blocks and the traffic rates come from the status's
// metrics summary, the figures /metrics exports.
func TestDashboardShowsTheMetrics(t *testing.T) {
	c, s := busy(t, 120, 40)
	c.Status.Syncing = nil
	c.Status.Peers = 5
	v := tuitest.Plain(s.View())
	for _, want := range []string{"Finality       p50 420ms · p99 1.38s · 23.4 txs/block over 150 blocks", "Signing        signed 140 · missed 3"} {
		if !strings.Contains(v, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "/s ↑") {
		t.Errorf("a rate shown before two statuses gave one:\n%s", v)
	}
	now := c.Now()
	st := *c.Status
	s, _ = tuitest.Drive(t, s, common.StatusMsg{Status: &st})
	next := st
	next.Metrics = &api.MetricsSummary{Blocks: 151, BytesIn: st.Metrics.BytesIn + 20<<10, BytesOut: st.Metrics.BytesOut + 2<<10}
	c.Now = func() time.Time { return now.Add(2 * time.Second) }
	c.Status = &next
	s, _ = tuitest.Drive(t, s, common.StatusMsg{Status: &next})
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "in step · ↓ 10.0 KiB/s ↑ 1.0 KiB/s") {
		t.Errorf("traffic over 2 s of 20 KiB in and 2 KiB out:\n%s", v)
	}
}

// TestDashboardSpinsOnlyWhileSyncing: a status that says the node syncs
// starts the spinner; its tick goes on while the sync does and ends with
// it.
func TestDashboardSpinsOnlyWhileSyncing(t *testing.T) {
	c, node, s := setup(t, 80, 24)
	node.Networked()
	c.Status, _ = node.Status(context.Background())
	_, cmd := s.Update(common.StatusMsg{Status: c.Status})
	if cmd == nil {
		t.Fatal("no spinner tick while syncing")
	}
	tick := cmd()
	if _, again := s.Update(common.StatusMsg{Status: c.Status}); again != nil {
		t.Fatal("a second status started a second spinner")
	}
	_, next := s.Update(tick)
	if next == nil {
		t.Fatal("the spinner stopped while the node still syncs")
	}
	tick = next() // the spinner's next frame, one frame time later
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "· ⠋ syncing 12/40") && !strings.Contains(v, "· ⠙ syncing 12/40") {
		t.Errorf("no spinner beside the sync:\n%s", v)
	}
	synced := *c.Status
	synced.Syncing = nil
	c.Status = &synced
	s.Update(common.StatusMsg{Status: &synced})
	if _, next := s.Update(tick); next != nil {
		t.Fatal("the spinner goes on after the sync ended")
	}
}
