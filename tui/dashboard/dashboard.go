// Package dashboard is the console's first screen: the chain's height and
// pace, the mempool, and this node's validator status at a glance.
package dashboard

import (
	"context"
	"fmt"
	"slices"
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
	traffic    traffic        // byte rates with peers, from the metrics
	spin       common.Spinner // turns while the node syncs
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
	case common.StatusMsg:
		if msg.Status != nil {
			m.traffic.observe(msg.Status.Metrics, m.c.Now())
		}
		return m, m.startSpinner()
	}
	return m, m.spin.Update(msg)
}

// startSpinner sets the spinner turning when the node syncs, and stops it
// when the sync is over.
func (m *Model) startSpinner() tea.Cmd {
	switch {
	case !syncing(m.c.Status):
		m.spin.Stop()
	case !m.spin.On():
		return m.spin.Start()
	}
	return nil
}

// syncing says the node catches up: block sync or a snapshot download.
func syncing(st *api.Status) bool {
	return st != nil && (st.Syncing != nil || st.Snapshot.Running())
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

// labelW is the width of the label column the lines below the cards share.
const labelW = 15

// A row is a block of lines of the view and how much it matters: when the
// area is too short, the rows that matter least go first.
type row struct {
	text string
	prio int
}

// Priorities of the Dashboard's rows, highest kept longest.
const (
	prioBlank = iota + 1
	prioNode
	prioChain
	prioTPS
	prioConsensus
	prioInterval
	prioFinality
	prioValidator
	prioHead
	prioNetwork
	prioCards
)

// View implements common.Screen. It lays the screen out for its size: at
// 80 columns every line is whole (hashes shortened as 0x1234…abcd, not cut);
// wider, the sparklines cover more blocks and carry more figures; taller,
// they grow to several rows; too short, the rows that matter least are
// dropped and the height, head, peers and mempool stay.
func (m *Model) View() string {
	s, st := m.c.Styles, m.c.Status
	w, h := m.c.Width, m.c.Height
	if st == nil {
		return s.Subtle.Render("waiting for the node…")
	}
	rows := []row{{m.cards(st, w), prioCards}}
	rows = append(rows, m.charts(w, h)...)
	rows = append(rows, m.finalityRow(st, w)...)
	rows = append(rows, row{"", prioBlank})
	rows = append(rows, m.validatorRows(st, w)...)
	if sig := m.signing(st); sig != "" && st.Validator != nil {
		rows = append(rows, row{m.kv("Signing", sig), prioFinality})
	}
	chain := fmt.Sprintf("%d · genesis %s", st.ChainID, st.GenesisHash.Hex())
	if labelW+lipgloss.Width(chain) > w {
		chain = fmt.Sprintf("%d · genesis %s", st.ChainID, common.ShortHash(st.GenesisHash.Hex()))
	}
	head := st.HeadHash.Hex()
	if labelW+len(head) > w {
		head = common.ShortHash(head)
	}
	rows = append(rows,
		row{m.kv("Chain", chain), prioChain},
		row{m.kv("Head", head), prioHead},
		row{m.kv("Node", fmt.Sprintf("cairn %s · up %s", st.NodeVersion, common.Ago(time.Duration(st.UptimeSeconds)*time.Second))), prioNode},
		row{m.kv("Network", m.network(st)), prioNetwork},
	)
	if m.err != nil {
		rows = append(rows, row{s.Error.Render(common.Truncate("recent blocks: "+m.err.Error(), w)), prioNetwork})
	}
	if fit := dropToFit(slices.Clone(rows), h); height(fit) <= h && minPrio(fit) <= prioHead {
		rows = fit
	} else { // the boxes leave no room for the head and the peers: one line for the cards
		rows[0] = row{m.compactCards(st, w), prioCards}
		rows = dropToFit(rows, h)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.text
	}
	return common.Fit(strings.Join(out, "\n"), w, h)
}

// dropToFit removes the rows that matter least until rows fit in h lines,
// keeping the cards and the order of the rest.
func dropToFit(rows []row, h int) []row {
	for height(rows) > h {
		low := -1
		for i, r := range rows {
			if r.prio < prioCards && (low < 0 || r.prio < rows[low].prio) {
				low = i
			}
		}
		if low < 0 {
			break
		}
		rows = append(rows[:low:low], rows[low+1:]...)
	}
	return rows
}

// minPrio is the priority of the row in rows that matters least, or
// prioCards when only the cards are left.
func minPrio(rows []row) int {
	low := prioCards
	for _, r := range rows {
		low = min(low, r.prio)
	}
	return low
}

// height is how many lines rows take.
func height(rows []row) int {
	n := 0
	for _, r := range rows {
		n += strings.Count(r.text, "\n") + 1
	}
	return n
}

// cards are the height, the last block and the mempool in boxes side by
// side, or two and one below when the width is short of three.
func (m *Model) cards(st *api.Status, w int) string {
	s := m.c.Styles
	cardW := max((w-2)/3, 20)
	inner := cardW - s.Box.GetHorizontalFrameSize()
	cards := []string{
		m.card("Height", common.FormatCount(st.Height), inner,
			"finalized "+common.FormatCount(st.FinalizedHeight), "final "+common.FormatCount(st.FinalizedHeight)),
		m.card("Last block", m.since(st)+" ago", inner, "target "+common.Ago(time.Duration(st.BlockTimeMs)*time.Millisecond)),
		m.card("Mempool", common.FormatCount(uint64(st.Mempool.Pending+st.Mempool.Queued)), inner,
			fmt.Sprintf("%d queued · %s", st.Mempool.Queued, byteSize(st.Mempool.Bytes)),
			fmt.Sprintf("%d queued", st.Mempool.Queued)),
	}
	for i := range cards {
		cards[i] = s.Box.Width(cardW).Render(cards[i])
	}
	if w >= 3*cardW {
		return lipgloss.JoinHorizontal(lipgloss.Top, cards...)
	}
	return lipgloss.JoinVertical(lipgloss.Left, lipgloss.JoinHorizontal(lipgloss.Top, cards[0], cards[1]), cards[2])
}

// compactCards is the cards' figures on one line, for an area too short
// for the boxes, in fewer words when the width is short.
func (m *Model) compactCards(st *api.Status, w int) string {
	s := m.c.Styles
	height := common.FormatCount(st.Height)
	since := m.since(st) + " ago"
	pool := common.FormatCount(uint64(st.Mempool.Pending + st.Mempool.Queued))
	line := s.Label.Render("Height ") + s.Title.Render(height) +
		s.Label.Render(" · last block ") + s.Value.Render(since) +
		s.Label.Render(" · mempool ") + s.Value.Render(pool)
	if lipgloss.Width(line) > w {
		line = s.Title.Render("#"+height) + s.Label.Render(" · ") + s.Value.Render(since) +
			s.Label.Render(" · mempool ") + s.Value.Render(pool)
	}
	return line
}

// since is how long ago the head block was made.
func (m *Model) since(st *api.Status) string {
	if st.HeadTime == 0 {
		return "—"
	}
	return common.Ago(m.c.Now().Sub(time.UnixMilli(int64(st.HeadTime))))
}

// charts are the block interval and transaction rate sparklines. They
// take the width the label and their figures leave (so more blocks show
// on a wider screen), carry more figures from 120 columns, and grow to
// several rows when the area has lines to spare.
func (m *Model) charts(w, h int) []row {
	iv, tps := m.intervals, m.tps
	ivFig := []string{fmt.Sprintf("avg %.2fs", iv.mean())}
	tpsFig := []string{fmt.Sprintf("last %.0f", tps.last())}
	rows := min(max(1, (h-14)/4), 4)
	if rows > 1 || w >= 120 {
		ivFig = append(ivFig, fmt.Sprintf("min %.2fs", iv.min()), fmt.Sprintf("max %.2fs", iv.max()))
		tpsFig = append(tpsFig, fmt.Sprintf("avg %.1f", tps.mean()), fmt.Sprintf("peak %.0f", tps.max()))
	}
	if rows == 1 {
		if w >= 120 {
			ivFig = []string{strings.Join(ivFig, " · ")}
			tpsFig = []string{strings.Join(tpsFig, " · ")}
		} else {
			ivFig, tpsFig = ivFig[:1], tpsFig[:1]
		}
	}
	figW := 0
	for _, f := range slices.Concat(ivFig, tpsFig) {
		figW = max(figW, lipgloss.Width(f))
	}
	sparkW := min(max(w-labelW-1-figW, 10), history)
	return []row{
		{m.chart("Block interval", sparkline(iv.values, sparkW, rows), ivFig), prioInterval},
		{m.chart("Transactions/s", sparkline(tps.values, sparkW, rows), tpsFig), prioTPS},
	}
}

// validatorRows are this node's validator line and, when the consensus
// round does not fit beside it, a line of its own for the round; an
// address that does not fit whole is shortened.
func (m *Model) validatorRows(st *api.Status, w int) []row {
	s := m.c.Styles
	if st.Validator == nil {
		return []row{{m.kv("Validator", s.Subtle.Render("this node is not a validator (following)")), prioValidator}}
	}
	addr := st.Validator.Hex()
	status := s.Success.Render("● active")
	var round string
	if st.Consensus != nil && st.Consensus.Step != "" {
		round = fmt.Sprintf("round %d · %s", st.Consensus.Round, st.Consensus.Step)
	}
	line := addr + "  " + status
	if labelW+lipgloss.Width(line) > w {
		line = common.ShortHash(addr) + "  " + status
	}
	switch {
	case round == "":
		return []row{{m.kv("Validator", line), prioValidator}}
	case labelW+lipgloss.Width(line)+2+lipgloss.Width(round) <= w:
		return []row{{m.kv("Validator", line+s.Subtle.Render("  "+round)), prioValidator}}
	}
	return []row{
		{m.kv("Validator", line), prioValidator},
		{m.kv("Consensus", s.Subtle.Render(round)), prioConsensus},
	}
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
	case st.Snapshot.Running():
		return line + s.Warning.Render(" · "+m.spin.Line("snapshot: "+snapshotProgress(st.Snapshot)))
	case sy != nil:
		return line + s.Warning.Render(" · "+m.spin.Line(fmt.Sprintf("syncing %d/%d", sy.Current, sy.Target)))
	case st.Peers == 0:
		return line + s.Warning.Render(" · waiting for peers")
	}
	line += s.Success.Render(" · in step")
	if r := m.rates(st); r != "" && labelW+lipgloss.Width(line)+3+lipgloss.Width(r) <= m.c.Width {
		line += s.Subtle.Render(" · " + r)
	}
	return line
}

// card is a box's content: a title, a figure and a line below it, the
// first of subs that fits the box's inner width (the last one cut to it),
// so every card keeps three lines.
func (m *Model) card(title, value string, inner int, subs ...string) string {
	s := m.c.Styles
	sub := subs[len(subs)-1]
	for _, c := range subs {
		if lipgloss.Width(c) <= inner {
			sub = c
			break
		}
	}
	return s.Label.Render(common.Truncate(title, inner)) + "\n" + s.Title.Render(common.Truncate(value, inner)) +
		"\n" + s.Subtle.Render(common.Truncate(sub, inner))
}

// chart is a labelled sparkline of one or more rows, the figures beside
// it one to a row.
func (m *Model) chart(label, spark string, figures []string) string {
	s := m.c.Styles
	lines := strings.Split(spark, "\n")
	width := 0
	for _, l := range lines {
		width = max(width, lipgloss.Width(l))
	}
	for i, l := range lines {
		lbl := ""
		if i == 0 {
			lbl = label
		}
		fig := ""
		if i < len(figures) {
			fig = " " + s.Value.Render(figures[i])
		}
		pad := strings.Repeat(" ", width-lipgloss.Width(l))
		lines[i] = s.Label.Render(fmt.Sprintf("%-*s", labelW, lbl)) + s.Sparkline.Render(l) + pad + fig
	}
	return strings.Join(lines, "\n")
}

func (m *Model) kv(label, value string) string {
	return m.c.Styles.Label.Render(fmt.Sprintf("%-*s", labelW, label)) + value
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
