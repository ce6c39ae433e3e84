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

	cursor int      // selected row
	top    int      // first row shown
	shown  int      // table rows shown in the last drawing (for paging)
	sel    string   // the selected peer's ID, kept across refreshes and sorts
	detail bool     // the selected peer's detail pane is open
	last   api.Peer // the selected peer as last fetched (shown if it leaves)

	cache common.ViewCache // the last drawing, redrawn when something shown changed
}

// New returns the Peers screen; Init fetches the peers.
func New(c *common.Common) common.Screen { return newModel(c) }

func newModel(c *common.Common) *Model { return &Model{c: c, col: byLatency} }

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
	case tea.KeyPressMsg:
		m.cache.Invalidate()
		m.onKey(msg)
	}
	return m, nil
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
// peer; when that peer left, the cursor stays where it was (the detail
// pane, if open, goes on showing the peer as last seen).
func (m *Model) sort() {
	slices.SortFunc(m.peers, comparator(m.col, m.rev))
	if i := m.index(m.sel); i >= 0 {
		m.cursor = i
		m.last = m.peers[i]
		return
	}
	if !m.detail {
		m.selectRow(m.cursor)
	}
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

func (m *Model) onKey(msg tea.KeyPressMsg) {
	k := m.c.Keys
	page := max(m.shown-1, 1)
	switch {
	case m.detail && key.Matches(msg, k.Back):
		m.detail = false
		if m.index(m.sel) < 0 { // the peer left while shown
			m.selectRow(m.cursor)
		}
	case key.Matches(msg, k.Sort):
		m.col, m.rev = (m.col+1)%numColumns, false
		m.sort()
	case key.Matches(msg, k.Reverse):
		m.rev = !m.rev
		m.sort()
	case key.Matches(msg, k.Up):
		m.selectRow(m.cursor - 1)
	case key.Matches(msg, k.Down):
		m.selectRow(m.cursor + 1)
	case key.Matches(msg, k.PageUp):
		m.selectRow(m.cursor - page)
	case key.Matches(msg, k.PageDown):
		m.selectRow(m.cursor + page)
	case key.Matches(msg, k.Top):
		m.selectRow(0)
	case key.Matches(msg, k.Bottom):
		m.selectRow(len(m.peers) - 1)
	case key.Matches(msg, k.Enter):
		m.detail = m.index(m.sel) >= 0
	}
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
	return []key.Binding{k.Sort, k.Reverse, k.Enter} // so the global keys fit beside them at 80 columns
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{{k.Sort, k.Reverse, k.Enter, k.Back}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Capturing implements common.Screen: the screen takes no text.
func (m *Model) Capturing() bool { return false }

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
