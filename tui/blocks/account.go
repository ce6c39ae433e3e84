package blocks

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
)

// accountPage is an address the jump prompt opened: its balance and
// nonces as the node has them, and whose it is when the console knows.
type accountPage struct {
	acc   *api.Account
	label string // the wallet's label for it, if one of the wallet's
	fetch common.OneAtATime
}

// accountMsg is the node's answer to a page's reread of its account.
type accountMsg struct {
	page *accountPage
	acc  *api.Account
	err  error
}

// update rereads the account after each block (its balance and nonces
// move with the chain), one request at a time, and reports whether
// anything shown changed.
func (p *accountPage) update(c *common.Common, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.EventMsg:
		if msg.Type == api.EventBlock && msg.Block != nil {
			return p.reread(c), false
		}
	case accountMsg:
		if msg.page != p {
			return nil, false
		}
		again := p.fetch.End()
		if msg.err != nil {
			return errCmd(msg.err), false
		}
		p.acc = msg.acc
		if again {
			return p.reread(c), true
		}
		return nil, true
	}
	return nil, false
}

func (p *accountPage) reread(c *common.Common) tea.Cmd {
	if c.Node == nil || !p.fetch.Begin() {
		return nil
	}
	node, addr := c.Node, p.acc.Address
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		acc, err := node.Account(ctx, addr)
		if err != nil {
			return accountMsg{page: p, err: fmt.Errorf("read account %s: %w", common.ShortHash(addr.Hex()), err)}
		}
		return accountMsg{page: p, acc: acc}
	}
}

func (m *Model) accountView() string {
	s, w, a := m.c.Styles, m.c.Width, m.account.acc
	out := []string{s.Title.Render("Account")}
	add := func(label, value string) { out = append(out, txview.Field(s, label, value, s.Value, w)...) }
	add("Address", a.Address.Hex())
	switch {
	case m.account.label != "":
		add("Wallet", m.account.label+" (yours)")
	case m.own[a.Address]:
		add("Wallet", "yours")
	}
	kind := "account"
	if a.IsContract {
		kind = "contract (not in the address book: a adds it on the Contracts screen)"
	}
	add("Kind", kind)
	bal := "—"
	if a.Balance != nil {
		bal = common.FormatCRN((*big.Int)(a.Balance), 6) + " CRN"
	}
	add("Balance", bal)
	add("Nonce", txview.Num(a.Nonce))
	if a.PendingNonce > a.Nonce {
		add("Pending", txview.Num(a.PendingNonce-a.Nonce)+" in the mempool (next nonce "+txview.Num(a.PendingNonce)+")")
	}
	out = append(out, "", s.Subtle.Render("esc back"))
	return common.Fit(strings.Join(out, "\n"), w, m.c.Height)
}
