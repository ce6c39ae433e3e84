package blocks

import (
	"math/big"
	"strings"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"
)

// accountPage is an address the jump prompt opened: its balance and
// nonces as the node has them, and whose it is when the console knows.
type accountPage struct {
	acc   *api.Account
	label string // the wallet's label for it, if one of the wallet's
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
