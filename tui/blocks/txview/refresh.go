package txview

import (
	"context"
	"fmt"
	"slices"
	"time"

	"cairn/node/api"
	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
)

// callTimeout bounds one node call, so a refresh always returns.
const callTimeout = 10 * time.Second

// refreshedMsg is the node's answer to a page's refetch of its
// transaction; page tells the pages apart, so an answer for a page closed
// meanwhile changes nothing.
type refreshedMsg struct {
	page *Page
	tx   *api.Tx
	err  error
}

// Update keeps an open transaction current: a block event that includes
// it refetches it with its receipt (one request at a time, a spinner
// while it is out), a dropped event for it says so. It reports whether
// anything shown changed. Screens pass it every message while the page is
// open.
func (p *Page) Update(msg tea.Msg) (tea.Cmd, bool) {
	if p.tx == nil {
		return nil, false
	}
	switch msg := msg.(type) {
	case common.EventMsg:
		return p.onEvent(msg.Event)
	case refreshedMsg:
		if msg.page != p {
			return nil, false
		}
		return p.onRefreshed(msg)
	}
	return p.busy.Turn(msg, p.fetch.Out())
}

func (p *Page) onEvent(e api.Event) (tea.Cmd, bool) {
	switch {
	case e.Type == api.EventBlock && e.Block != nil && slices.Contains(e.Block.Transactions, p.tx.Hash):
		cmd := p.refresh()
		return cmd, cmd != nil
	case e.Type == api.EventDropped && e.Dropped != nil && e.Dropped.Hash == p.tx.Hash && p.tx.Status == api.TxPending:
		p.dropped = e.Dropped.Reason
		if p.dropped == "" {
			p.dropped = "no reason given"
		}
		p.Invalidate()
		return nil, true
	}
	return nil, false
}

func (p *Page) onRefreshed(msg refreshedMsg) (tea.Cmd, bool) {
	again := p.fetch.End()
	if msg.err != nil {
		return func() tea.Msg { return common.ErrMsg{Err: msg.err} }, true
	}
	if msg.tx != nil {
		p.tx, p.dropped = msg.tx, ""
		p.Invalidate()
	}
	if again {
		return p.refresh(), true
	}
	return nil, true
}

// refresh asks the node for the transaction again, unless a request is
// out already (then one more follows it).
func (p *Page) refresh() tea.Cmd {
	if p.c.Node == nil || !p.fetch.Begin() {
		return nil
	}
	node, hash := p.c.Node, p.tx.Hash
	fetch := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		tx, err := node.Tx(ctx, hash)
		if err != nil {
			err = fmt.Errorf("read transaction %s: %w", common.ShortHash(hash.Hex()), err)
		}
		return refreshedMsg{page: p, tx: tx, err: err}
	}
	return tea.Batch(fetch, p.busy.Start()) // the answer first: a quick one stops the spinner before it shows
}

// shown is the transaction as the page draws it: marked dropped when the
// node said so.
func (p *Page) shown() *api.Tx {
	if p.dropped == "" || p.tx == nil {
		return p.tx
	}
	c := *p.tx
	c.Status = "dropped from the mempool (" + p.dropped + "), not included"
	return &c
}
