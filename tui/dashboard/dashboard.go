// Package dashboard is the console's first screen: the chain's height and
// pace, the mempool, and this node's validator status at a glance.
package dashboard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cairn/node/api"
	"cairn/tui/common"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// history is how many recent blocks the sparklines cover.
const history = 120

// Model is the Dashboard screen.
type Model struct {
	c          *common.Common
	intervals  series // seconds between consecutive blocks
	tps        series // transactions per second of each block
	lastTime   uint64 // ms time of the newest block seen
	lastHeight uint64
	err        error
}

// New returns the Dashboard.
func New(c *common.Common) *Model {
	return &Model{c: c, intervals: series{limit: history}, tps: series{limit: history}}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Dashboard" }

// recentMsg carries the blocks that seed the sparklines.
type recentMsg struct {
	blocks []*api.Block
	err    error
}

// Init fetches the recent blocks for the sparklines.
func (m *Model) Init() tea.Cmd {
	node := m.c.Node
	return func() tea.Msg {
		bs, err := node.Blocks(context.Background(), api.Latest, history)
		return recentMsg{bs, err}
	}
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case recentMsg:
		m.err = msg.err
		for i := len(msg.blocks) - 1; i >= 0; i-- { // oldest first
			m.addBlock(msg.blocks[i])
		}
	case common.EventMsg:
		if msg.Block != nil {
			m.addBlock(msg.Block)
		}
	}
	return m, nil
}

func (m *Model) addBlock(b *api.Block) {
	if b.Time <= m.lastTime {
		return
	}
	// Only consecutive blocks after the first give a pace: genesis time is
	// set by hand, and a gap in what we saw is not an interval.
	if m.lastHeight >= 1 && b.Height == m.lastHeight+1 {
		dt := float64(b.Time-m.lastTime) / 1000
		m.intervals.add(dt)
		m.tps.add(float64(b.TxCount) / dt)
	}
	m.lastTime, m.lastHeight = b.Time, b.Height
}

// SetSize implements common.Screen (the view reads Common's size).
func (m *Model) SetSize(int, int) {}

// ShortHelp implements common.Screen: the Dashboard has no keys of its own.
func (m *Model) ShortHelp() []key.Binding { return nil }

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding { return nil }

// Capturing implements common.Screen.
func (m *Model) Capturing() bool { return false }

// View implements common.Screen.
func (m *Model) View() string {
	s, st := m.c.Styles, m.c.Status
	w := m.c.Width
	if st == nil {
		return s.Subtle.Render("waiting for the node…")
	}
	since := "—"
	if st.HeadTime > 0 {
		since = common.Ago(m.c.Now().Sub(time.UnixMilli(int64(st.HeadTime))))
	}
	cards := []string{
		m.card("Height", fmt.Sprintf("%d", st.Height), "finalized "+fmt.Sprintf("%d", st.FinalizedHeight)),
		m.card("Last block", since+" ago", fmt.Sprintf("target %s", common.Ago(time.Duration(st.BlockTimeMs)*time.Millisecond))),
		m.card("Mempool", fmt.Sprintf("%d", st.Mempool.Pending+st.Mempool.Queued),
			fmt.Sprintf("%d queued · %s", st.Mempool.Queued, byteSize(st.Mempool.Bytes))),
	}
	cardW := max((w-2)/3, 20)
	for i := range cards {
		cards[i] = s.Box.Width(cardW).Render(cards[i])
	}
	var rows []string
	if w >= 3*cardW {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cards...))
	} else {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cards[0], cards[1]), cards[2])
	}
	sparkW := max(w-24, 10)
	rows = append(rows,
		m.line("Block interval", sparkline(m.intervals.values, sparkW), fmt.Sprintf("avg %.2fs", m.intervals.mean())),
		m.line("Transactions/s", sparkline(m.tps.values, sparkW), fmt.Sprintf("last %.0f", m.tps.last())),
		"",
		m.kv("Validator", m.validator(st)),
		m.kv("Chain", fmt.Sprintf("%d · genesis %s", st.ChainID, common.ShortHash(st.GenesisHash.Hex()))),
		m.kv("Head", st.HeadHash.Hex()),
		m.kv("Node", fmt.Sprintf("cairn %s · up %s", st.NodeVersion, common.Ago(time.Duration(st.UptimeSeconds)*time.Second))),
		m.kv("Network", m.network(st)),
	)
	if m.err != nil {
		rows = append(rows, s.Error.Render("recent blocks: "+m.err.Error()))
	}
	return common.Fit(strings.Join(rows, "\n"), w, m.c.Height)
}

func (m *Model) validator(st *api.Status) string {
	s := m.c.Styles
	if st.Validator == nil {
		return s.Subtle.Render("this node is not a validator (following)")
	}
	status := s.Success.Render("● active")
	if st.Consensus != nil && st.Consensus.Step != "" {
		status += s.Subtle.Render(fmt.Sprintf("  round %d · %s", st.Consensus.Round, st.Consensus.Step))
	}
	return st.Validator.Hex() + "  " + status
}

// network is the peer count and, while the node catches up, how far its
// block sync is.
func (m *Model) network(st *api.Status) string {
	s := m.c.Styles
	if st.NodeID == "" {
		return s.Subtle.Render("running alone (no peers)")
	}
	line := fmt.Sprintf("%d peers", st.Peers)
	if st.Peers == 1 {
		line = "1 peer"
	}
	switch sy := st.Syncing; {
	case st.Snapshot != nil && st.Snapshot.Phase != api.SnapshotDone:
		return line + s.Warning.Render(" · snapshot: "+snapshotProgress(st.Snapshot))
	case sy != nil:
		return line + s.Warning.Render(fmt.Sprintf(" · syncing %d/%d", sy.Current, sy.Target))
	case st.Peers == 0:
		return line + s.Warning.Render(" · waiting for peers")
	}
	return line + s.Success.Render(" · in step")
}

func (m *Model) card(title, value, sub string) string {
	s := m.c.Styles
	return s.Label.Render(title) + "\n" + s.Title.Render(value) + "\n" + s.Subtle.Render(sub)
}

func (m *Model) line(label, spark, figure string) string {
	s := m.c.Styles
	return s.Label.Render(fmt.Sprintf("%-15s", label)) + s.Sparkline.Render(spark) + " " + s.Value.Render(figure)
}

func (m *Model) kv(label, value string) string {
	return m.c.Styles.Label.Render(fmt.Sprintf("%-15s", label)) + value
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// snapshotProgress is a snapshot sync's phase and, once it downloads,
// what it has verified so far.
func snapshotProgress(sn *api.SnapshotStatus) string {
	if sn.Phase != api.SnapshotDownloading {
		return sn.Phase
	}
	return fmt.Sprintf("block %d, %d accounts, %s", sn.Height, sn.Accounts, byteSize(int(sn.Bytes)))
}
