// Package blocks is the console's Blocks screen: the latest blocks live,
// newest on top; enter opens a block (its header and transactions), enter
// again a transaction with its receipt and logs; esc goes back a level.
package blocks

import (
	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"
	"cairn/tui/filter"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// Keep is how many blocks the list holds as new ones arrive; older pages
// fetched with pgdown stay while the user reads them.
const Keep = 200

// pageSize is how many blocks one request asks for.
const pageSize = 50

// Model is the Blocks screen.
type Model struct {
	c       *common.Common
	own     map[ethcommon.Address]bool
	blocks  []*api.Block // newest first, one per height
	heights map[uint64]bool
	page    int

	loaded    bool // the first page answered
	olderBusy bool // a page of older blocks is being fetched
	cursor    int  // the selected block's index in blocks
	top       int  // the first row shown, among the rows the filter shows
	filter    filter.Model

	want  ethcommon.Hash // the block being fetched to open; zero if none
	block *blockPage     // the open block, if any
	tx    *txview.Page   // the open transaction, if any (over the block)
	// account is the address the jump prompt opened, if any (over the
	// rest).
	account *accountPage

	cache common.ViewCache // the last drawing, redrawn when something shown changed
	busy  common.Spinner   // spins while the list or a block is being read
}

// New returns the Blocks screen; Init fetches the newest blocks.
func New(c *common.Common) common.Screen { return newModel(c) }

func newModel(c *common.Common) *Model {
	return &Model{c: c, own: txview.Owned(c.Wallet), heights: map[uint64]bool{}, page: pageSize, filter: filter.New(c)}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Blocks" }

// Init implements common.Screen: one page of the newest blocks; block
// events keep the list current.
func (m *Model) Init() tea.Cmd {
	if m.c.Node == nil {
		return nil
	}
	return tea.Batch(fetchBlocks(m.c.Node, api.Latest, m.page, false), m.busy.Start())
}

// working reports whether the list is waiting on the node: its first
// page, older blocks, or a block to open.
func (m *Model) working() bool {
	return (!m.loaded && len(m.blocks) == 0) || m.olderBusy || m.want != (ethcommon.Hash{})
}

// pages gives msg to the open transaction and account pages, which keep
// themselves current.
func (m *Model) pages(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	if m.tx != nil {
		cmd, changed := m.tx.Update(msg)
		if changed {
			m.cache.Invalidate()
		}
		cmds = append(cmds, cmd)
	}
	if m.account != nil {
		cmd, changed := m.account.update(m.c, msg)
		if changed {
			m.cache.Invalidate()
		}
		cmds = append(cmds, cmd)
	}
	if cmd, ok := m.busy.Turn(msg, m.working()); ok {
		m.cache.Invalidate()
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	pages := m.pages(msg)
	s, cmd := m.update(msg)
	return s, tea.Batch(pages, cmd)
}

func (m *Model) update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.EventMsg:
		if msg.Type == api.EventBlock && msg.Block != nil {
			m.cache.Invalidate()
			return m, m.onNewBlock(msg.Block)
		}
	case common.TickMsg:
		if m.block == nil && m.tx == nil && m.account == nil { // the list's ages moved
			m.cache.Invalidate()
		}
	case blocksMsg:
		m.cache.Invalidate()
		return m, m.onBlocks(msg)
	case blockMsg:
		m.cache.Invalidate()
		return m, m.onBlock(msg)
	case common.WalletReadyMsg, common.WalletChangedMsg:
		m.cache.Invalidate()
		m.own = txview.Owned(m.c.Wallet)
		m.invalidatePages()
	case tea.BackgroundColorMsg:
		m.cache.Invalidate()
		m.invalidatePages()
	case common.ShowMsg:
		m.show(msg)
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

// show opens what the jump prompt found (a block, a transaction, an
// account) over whatever the screen showed; esc goes back to the list.
func (m *Model) show(msg common.ShowMsg) {
	m.cache.Invalidate()
	m.want = ethcommon.Hash{}
	switch {
	case msg.Kind == common.ShowBlock && msg.Block != nil:
		m.block, m.tx, m.account = newBlockPage(m.c, msg.Block, m.own), nil, nil
	case msg.Kind == common.ShowTx && msg.Tx != nil:
		m.block, m.tx, m.account = nil, txview.NewPage(m.c, msg.Tx, m.own, "esc back"), nil
	case msg.Kind == common.ShowAccount && msg.Account != nil:
		m.block, m.tx, m.account = nil, nil, &accountPage{acc: msg.Account, label: msg.Label}
	}
}

func (m *Model) invalidatePages() {
	if m.block != nil {
		m.block.own = m.own
		m.block.invalidate()
	}
	if m.tx != nil {
		m.tx.SetOwn(m.own)
	}
}

// onNewBlock puts a block event on top. The event feed drops events when
// the console falls behind (a node under load), so a jump in height
// fetches the blocks in between (at most a page).
func (m *Model) onNewBlock(b *api.Block) tea.Cmd {
	var fill tea.Cmd
	if len(m.blocks) > 0 && m.c.Node != nil {
		if top := m.blocks[0].Height; b.Height > top+1 {
			from := top + 1
			if gap := b.Height - from; gap > uint64(m.page) {
				from = b.Height - uint64(m.page) // the newest page of the gap
			}
			fill = fetchBlocks(m.c.Node, from, int(b.Height-from), false)
		}
	}
	m.prepend(b)
	return fill
}

func (m *Model) onBlocks(msg blocksMsg) tea.Cmd {
	if msg.older {
		m.olderBusy = false
	} else {
		m.loaded = true
	}
	if msg.err != nil {
		return errCmd(msg.err)
	}
	wasBottom := m.cursor >= len(m.blocks)-1 && len(m.blocks) > 0
	before := len(m.blocks)
	m.addBlocks(msg.blocks)
	if msg.older && wasBottom && len(m.blocks) > before {
		m.cursor++ // onto the first of the older blocks
	}
	return nil
}

func (m *Model) onBlock(msg blockMsg) tea.Cmd {
	if msg.hash != m.want || m.want == (ethcommon.Hash{}) {
		return nil // the user moved on
	}
	m.want = ethcommon.Hash{}
	if msg.err != nil {
		return errCmd(msg.err)
	}
	m.block = newBlockPage(m.c, msg.block, m.own)
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	switch {
	case m.account != nil:
		if key.Matches(msg, k.Back) {
			m.account = nil
		}
	case m.tx != nil:
		if key.Matches(msg, k.Back) {
			m.tx = nil
			return nil
		}
		m.tx.Key(msg)
	case m.block != nil:
		switch {
		case key.Matches(msg, k.Back):
			m.block = nil
		case key.Matches(msg, k.Enter):
			if tx := m.block.selected(); tx != nil {
				m.tx = txview.NewPage(m.c, tx, m.own, "esc back to the block")
			}
		default:
			m.block.key(msg)
		}
	case m.filter.Editing():
		return m.onFilter(msg)
	default:
		if key.Matches(msg, k.Back) {
			m.want = ethcommon.Hash{} // forget a block still being fetched
			m.filter.Clear()
			return nil
		}
		return m.listKey(msg)
	}
	return nil
}

// SetSize implements common.Screen; the screen reads Common's size when it
// draws.
func (m *Model) SetSize(int, int) {}

// The filter's own keys, worded as its line under the list words them.
var (
	keepFilter  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter"))
	clearFilter = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))
)

// ShortHelp implements common.Screen: the keys of the current level only,
// few enough to leave the root room for its own at 60 columns (the arrows
// go without saying; FullHelp lists them).
func (m *Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch {
	case m.account != nil:
		return []key.Binding{k.Back}
	case m.tx != nil:
		return []key.Binding{k.Back, k.Down}
	case m.block != nil:
		return []key.Binding{k.Enter, k.Back}
	}
	if m.filter.Editing() {
		return []key.Binding{keepFilter, clearFilter}
	}
	return []key.Binding{k.Filter, k.Enter, k.PageDown}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{{k.Filter, k.Enter, k.Back}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Capturing implements common.Screen: the screen takes text while its
// filter is typed.
func (m *Model) Capturing() bool { return m.filter.Editing() }

// View implements common.Screen. The root asks after every message, most
// of which (transactions, log lines) change nothing here, so the last
// drawing is reused until something shown changed.
func (m *Model) View() string {
	return m.cache.View(m.c, func() string {
		switch {
		case m.account != nil:
			return m.accountView()
		case m.tx != nil:
			return m.tx.View()
		case m.block != nil:
			return m.block.view()
		}
		return m.listView()
	})
}
