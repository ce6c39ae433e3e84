// Package mempool is the console's Mempool screen: the node's pending
// transactions as a live, sortable table, the user's own highlighted, kept
// current by node events rather than polling.
package mempool

import (
	"fmt"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"
	"cairn/tui/filter"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// Keep is how many transactions the screen holds at most; under load the
// oldest (except the user's own) give way and the header says "showing N
// of M".
const Keep = 5000

// Model is the Mempool screen.
type Model struct {
	c     *common.Common
	store *store

	loaded  bool              // the first fetch answered
	fetches common.OneAtATime // Mempool requests (a block may land while one is out)
	asked   uint64            // store.seq when the outstanding request left

	cursor int // selected row (its index in the whole table)
	top    int // first row shown (its position among the rows the filter shows)
	filter filter.Model

	detail *txview.Page   // the open transaction, if any
	want   ethcommon.Hash // the transaction being fetched for detail; zero if none

	cache common.ViewCache // the last drawing, redrawn when something shown changed
	burst int              // events since the last tick
}

// New returns the Mempool screen; Init fetches the node's mempool.
func New(c *common.Common) common.Screen { return newModel(c) }

func newModel(c *common.Common) *Model {
	m := &Model{c: c, store: newStore(Keep), filter: filter.New(c)}
	m.store.setOwn(txview.Owned(c.Wallet))
	return m
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Mempool" }

// Init implements common.Screen: one fetch; events do the rest.
func (m *Model) Init() tea.Cmd { return m.fetch() }

// fetch asks for the mempool unless a request is already out, in which
// case one more follows when it answers.
func (m *Model) fetch() tea.Cmd {
	if m.c.Node == nil {
		return nil
	}
	if !m.fetches.Begin() {
		return nil
	}
	m.asked = m.store.seq
	return fetchMempool(m.c.Node)
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	page := m.pageUpdate(msg)
	s, cmd := m.update(msg)
	return s, tea.Batch(page, cmd)
}

// pageUpdate gives msg to the open transaction page, which keeps itself
// current: when a block includes the transaction it shows where, with
// its receipt.
func (m *Model) pageUpdate(msg tea.Msg) tea.Cmd {
	if m.detail == nil {
		return nil
	}
	cmd, changed := m.detail.Update(msg)
	if changed {
		m.cache.Invalidate()
	}
	return cmd
}

func (m *Model) update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.EventMsg:
		m.markEvent(msg.Type)
		return m, m.onEvent(msg.Event)
	case common.TickMsg:
		// Nothing to compute (ages are worked out when drawn), but the
		// ages moved and a burst of events is over.
		m.burst = 0
		m.cache.Invalidate()
	case mempoolMsg:
		m.cache.Invalidate()
		return m, m.onMempool(msg)
	case txMsg:
		m.cache.Invalidate()
		return m, m.onTx(msg)
	case common.WalletReadyMsg, common.WalletChangedMsg:
		m.cache.Invalidate()
		m.store.setOwn(txview.Owned(m.c.Wallet))
		if m.detail != nil {
			m.detail.SetOwn(m.store.own)
		}
	case tea.BackgroundColorMsg:
		m.cache.Invalidate()
		if m.detail != nil {
			m.detail.Invalidate() // restyle with the new styles
		}
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
	m.follow()
	cmd := m.filter.Update(msg)
	m.cursor = m.shown().Snap(m.cursor)
	m.pin()
	return cmd
}

// shown is the rows the filter lets through: a transaction shows when its
// hash, sender or recipient starts with the query, or its nonce or
// "(create)" holds it.
func (m *Model) shown() filter.Rows {
	if !m.filter.Filtering() {
		return m.filter.Rows(m.store.len(), nil)
	}
	all := make([]*entry, 0, m.store.len())
	m.store.rows.each(func(e *entry) { all = append(all, e) })
	return m.filter.Rows(len(all), func(i int) filter.Row {
		e := all[i]
		if e.hex == nil {
			e.hex = newHexes(e)
		}
		return filter.Row{Text: []string{e.hex.to, fmt.Sprint(e.nonce)}, Keys: []string{e.hex.hash, e.hex.from, e.hex.to}}
	})
}

// Redrawing after every event of a flood would cost more than the events
// themselves: past burstFree events within one tick, only every
// burstEvery-th event redraws (keys, ticks, blocks and fetches always do),
// so the table lags a flood by at most burstEvery events or one tick.
const (
	burstFree  = 100
	burstEvery = 16
)

func (m *Model) markEvent(typ string) {
	m.burst++
	if typ == api.EventBlock || m.burst <= burstFree || m.burst%burstEvery == 0 {
		m.cache.Invalidate()
	}
}

func (m *Model) onEvent(e api.Event) tea.Cmd {
	now := m.c.Now().UnixMilli()
	switch e.Type {
	case api.EventTx:
		m.store.onTx(e.Tx, now)
	case api.EventDropped:
		if e.Dropped != nil {
			m.store.onGone(e.Dropped.Hash)
		}
	case api.EventBlock:
		if e.Block == nil {
			return nil
		}
		for _, h := range e.Block.Transactions {
			m.store.onGone(h)
		}
		// One re-fetch per block corrects what events cannot tell (queued
		// transactions, sizes, anything the feed lost).
		return m.fetch()
	}
	return nil
}

func (m *Model) onMempool(msg mempoolMsg) tea.Cmd {
	again := m.fetches.End()
	if msg.err != nil {
		return errCmd(msg.err)
	}
	m.loaded = true
	m.store.snapshot(msg.mp, m.c.Now().UnixMilli(), m.asked)
	if again {
		return m.fetch()
	}
	return nil
}

func (m *Model) onTx(msg txMsg) tea.Cmd {
	if msg.hash != m.want || m.want == (ethcommon.Hash{}) {
		return nil // the user moved on
	}
	m.want = ethcommon.Hash{}
	if msg.err != nil {
		return errCmd(msg.err)
	}
	m.detail = txview.NewPage(m.c, msg.tx, m.store.own, "esc back")
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if m.detail != nil {
		if key.Matches(msg, k.Back) {
			m.detail = nil
			return nil
		}
		m.detail.Key(msg)
		return nil
	}
	if m.filter.Editing() {
		return m.onFilter(msg)
	}
	m.follow()
	rv := m.shown()
	page := max(m.rows()-1, 1)
	switch {
	case key.Matches(msg, k.Filter):
		return m.filter.Open()
	case key.Matches(msg, k.Sort):
		m.store.setSort((m.store.col+1)%numColumns, false)
		m.follow()
	case key.Matches(msg, k.Reverse):
		m.store.setSort(m.store.col, !m.store.rev)
		m.follow()
	case key.Matches(msg, k.Up):
		m.cursor = rv.Move(m.cursor, -1)
	case key.Matches(msg, k.Down):
		m.cursor = rv.Move(m.cursor, 1)
	case key.Matches(msg, k.PageUp):
		m.cursor = rv.Move(m.cursor, -page)
	case key.Matches(msg, k.PageDown):
		m.cursor = rv.Move(m.cursor, page)
	case key.Matches(msg, k.Top):
		m.cursor = rv.Move(0, -rv.Len())
	case key.Matches(msg, k.Bottom):
		m.cursor = rv.Move(m.cursor, rv.Len())
	case key.Matches(msg, k.Back):
		m.want = ethcommon.Hash{}
		m.filter.Clear()
		m.follow() // the selected row may sit elsewhere among all rows
	case key.Matches(msg, k.Enter):
		if !rv.Shows(m.clampCursor()) {
			return nil
		}
		if e := m.store.rows.at(m.cursor); e != nil && m.c.Node != nil {
			m.want = e.hash
			return fetchTx(m.c.Node, e.hash)
		}
	}
	m.pin()
	return nil
}

// clampCursor keeps the cursor on a row and returns it.
func (m *Model) clampCursor() int {
	m.cursor = min(max(m.cursor, 0), max(m.store.len()-1, 0))
	return m.cursor
}

// rows is how many table rows fit under the two header lines (and over
// the filter's line).
func (m *Model) rows() int { return max(m.c.Height-2-m.filter.Lines(), 1) }

// SetSize implements common.Screen; the screen reads Common's size when it
// draws.
func (m *Model) SetSize(int, int) {}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.detail != nil {
		return []key.Binding{k.Back, k.Up, k.Down}
	}
	if m.filter.Editing() {
		return []key.Binding{k.Submit, k.Cancel}
	}
	// Short, so the root's global keys fit beside them at 80 columns; the
	// rest are in FullHelp.
	return []key.Binding{k.Filter, k.Sort, k.Enter}
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
// of which (other screens' results, log lines) change nothing here, so the
// last drawing is reused until something shown changed.
func (m *Model) View() string {
	return m.cache.View(m.c, func() string {
		if m.detail != nil {
			return m.detail.View()
		}
		return m.table()
	})
}
