// Package peers is the console's Peers screen: this node on the network
// (its ID, listen addresses and block sync), the connected peers as a live,
// sortable table, and the consensus round in progress with the validators
// whose votes are in. Block events refresh it; while it is in front, the
// root's once-a-second tick does too, since peers and votes change between
// blocks.
package peers

import (
	"slices"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/filter"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Model is the Peers screen.
type Model struct {
	c     *common.Common
	peers []api.Peer // in table order
	col   column     // the sort column
	rev   bool       // sorted against the column's natural direction

	loaded  bool              // the first Peers answer came
	fetches common.OneAtATime // Peers requests
	focused bool              // the screen is in front: the tick refreshes it

	cursor    int // selected row (its index in peers)
	top       int // first row shown (among the rows the filter shows)
	filter    filter.Model
	rowsShown int      // table rows shown in the last drawing (for paging)
	sel       string   // the selected peer's ID, kept across refreshes and sorts
	detail    bool     // the selected peer's detail pane is open
	last      api.Peer // the selected peer as last fetched (shown if it leaves)

	cache common.ViewCache // the last drawing, redrawn when something shown changed
}

// New returns the Peers screen; Init fetches the peers.
func New(c *common.Common) common.Screen { return newModel(c) }

func newModel(c *common.Common) *Model { return &Model{c: c, col: byLatency, filter: filter.New(c)} }

// Title implements common.Screen.
func (m *Model) Title() string { return "Peers" }

// Init implements common.Screen: one fetch of the peers (the root fetches
// the status).
func (m *Model) Init() tea.Cmd { return m.fetch() }

// fetch asks for the peers unless a request is out, in which case one
// more follows when it answers.
func (m *Model) fetch() tea.Cmd {
	if m.c.Node == nil {
		return nil
	}
	if !m.fetches.Begin() {
		return nil
	}
	return fetchPeers(m.c.Node)
}

// refresh fetches the peers and asks the root for a fresh status (the
// consensus round and the sync move without blocks).
func (m *Model) refresh() tea.Cmd { return tea.Batch(m.fetch(), common.RefreshStatus) }

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.FocusMsg:
		m.focused = msg.Focused
		if m.focused {
			m.cache.Invalidate()
			return m, m.refresh()
		}
	case common.TickMsg:
		m.cache.Invalidate() // the uptimes moved
		if m.focused {
			return m, m.refresh()
		}
	case common.EventMsg:
		// Peers report their heights as blocks land; the root fetches the
		// status after a block itself.
		if msg.Type == api.EventBlock && msg.Block != nil {
			return m, m.fetch()
		}
	case common.StatusMsg, tea.BackgroundColorMsg:
		m.cache.Invalidate()
	case peersMsg:
		m.cache.Invalidate()
		return m, m.onPeers(msg)
	case tea.PasteMsg:
		if m.filter.Editing() {
			m.cache.Invalidate()
			return m, m.onFilter(msg)
		}
	case tea.KeyPressMsg:
		m.cache.Invalidate()
		return m, m.onKey(msg)
	}
	return m, nil
}

// onFilter gives a key or a paste to the filter being typed; the cursor
// moves onto a row that still shows.
func (m *Model) onFilter(msg tea.Msg) tea.Cmd {
	cmd := m.filter.Update(msg)
	if rv := m.shown(); rv.Len() > 0 {
		m.selectRow(rv.Snap(m.cursor))
	}
	return cmd
}

// shown is the rows the filter lets through: a peer shows when its ID,
// agent or direction (inbound, outbound) holds the query.
func (m *Model) shown() filter.Rows {
	return m.filter.Rows(len(m.peers), func(i int) filter.Row {
		p := m.peers[i]
		return filter.Row{Text: []string{p.ID, p.Agent, p.Direction}}
	})
}

func (m *Model) onPeers(msg peersMsg) tea.Cmd {
	again := m.fetches.End()
	var cmd tea.Cmd
	if msg.err != nil {
		cmd = errCmd(msg.err)
	} else {
		m.loaded = true
		m.peers = msg.peers
		m.sort()
	}
	if again {
		return tea.Batch(cmd, m.fetch())
	}
	return cmd
}

// sort puts the peers in table order and keeps the cursor on the selected
// peer; when that peer left, the cursor takes the peer now at its row (or
// the nearest one the filter shows), not the top of the table; the detail
// pane, if open, goes on showing the peer as last seen.
func (m *Model) sort() {
	slices.SortFunc(m.peers, comparator(m.col, m.rev))
	if i := m.index(m.sel); i >= 0 {
		m.cursor = i
		m.last = m.peers[i]
		return
	}
	if !m.detail {
		m.selectShown(m.cursor)
	}
}

// selectShown selects row i, or the nearest row after it the filter shows
// (the last one shown if none is after it).
func (m *Model) selectShown(i int) {
	if rv := m.shown(); rv.Len() > 0 {
		i = rv.Snap(min(max(i, 0), len(m.peers)-1))
	}
	m.selectRow(i)
}

// index is the row of the peer with this ID, or -1.
func (m *Model) index(id string) int {
	if id == "" {
		return -1
	}
	return slices.IndexFunc(m.peers, func(p api.Peer) bool { return p.ID == id })
}

// selectRow moves the cursor to row i (clamped) and selects its peer.
func (m *Model) selectRow(i int) {
	m.cursor = min(max(i, 0), max(len(m.peers)-1, 0))
	m.sel = ""
	if m.cursor < len(m.peers) {
		m.last = m.peers[m.cursor]
		m.sel = m.last.ID
	}
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if m.filter.Editing() {
		return m.onFilter(msg)
	}
	page := max(m.rowsShown-1, 1)
	rv := m.shown()
	switch {
	case m.detail && key.Matches(msg, k.Back):
		m.detail = false
		if m.index(m.sel) < 0 { // the peer left while shown
			m.selectShown(m.cursor)
		}
	case !m.detail && key.Matches(msg, k.Filter):
		return m.filter.Open()
	case !m.detail && key.Matches(msg, k.Back):
		m.filter.Clear()
	case key.Matches(msg, k.Sort):
		m.col, m.rev = (m.col+1)%numColumns, false
		m.sort()
	case key.Matches(msg, k.Reverse):
		m.rev = !m.rev
		m.sort()
	case key.Matches(msg, k.Up):
		m.selectRow(rv.Move(m.cursor, -1))
	case key.Matches(msg, k.Down):
		m.selectRow(rv.Move(m.cursor, 1))
	case key.Matches(msg, k.PageUp):
		m.selectRow(rv.Move(m.cursor, -page))
	case key.Matches(msg, k.PageDown):
		m.selectRow(rv.Move(m.cursor, page))
	case key.Matches(msg, k.Top):
		m.selectRow(rv.Move(0, -len(m.peers)))
	case key.Matches(msg, k.Bottom):
		m.selectRow(rv.Move(m.cursor, len(m.peers)))
	case key.Matches(msg, k.Enter):
		m.detail = m.index(m.sel) >= 0 && rv.Shows(m.cursor)
	}
	return nil
}

// SetSize implements common.Screen; the screen reads Common's size when it
// draws.
func (m *Model) SetSize(int, int) {}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.detail {
		return []key.Binding{k.Back, k.Up, k.Down}
	}
	if m.filter.Editing() {
		return []key.Binding{k.Submit, k.Cancel}
	}
	return []key.Binding{k.Filter, k.Sort, k.Enter} // so the global keys fit beside them at 80 columns
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{{k.Filter, k.Sort, k.Reverse, k.Enter, k.Back}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Capturing implements common.Screen: the screen takes text while its
// filter is typed.
func (m *Model) Capturing() bool { return m.filter.Editing() }

// View implements common.Screen. The root asks after every message, most
// of which (transactions, log lines) change nothing here, so the last
// drawing is reused until something shown changed.
func (m *Model) View() string {
	return m.cache.View(m.c, func() string {
		st := m.c.Status
		switch {
		case st == nil:
			return m.c.Styles.Subtle.Render("waiting for the node…")
		case m.detail:
			return m.detailView(st)
		}
		return m.mainView(st)
	})
}
