package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/txsign"
	"cairn/wallet/contracts"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// pendingDeploy is a sent deploy, kept until a block includes it; then
// the contract goes into the address book.
type pendingDeploy struct {
	name     string
	artifact string
	abi      json.RawMessage
	address  ethcommon.Address
}

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	// txsign.Confirm asks for the wallet password first for a value above
	// send_confirm_above.
	answer, cmd, busy, errText := txsign.Confirm(msg, m.c, m.draft)
	if m.draft.Asking() {
		m.err = ""
	}
	switch answer {
	case txsign.AnswerSend:
		m.busy, m.err = busy, errText
		return cmd
	case txsign.AnswerBack:
		m.mode, m.err = modeForm, ""
		return m.form.FocusOn(0)
	}
	return cmd
}

func (m *Model) onSent(msg txsign.SentMsg) tea.Cmd {
	if msg.Draft != m.draft || m.busy == "" {
		return nil
	}
	m.busy = ""
	if msg.Err != nil {
		m.err = txsign.NodeError(msg.Err)
		return nil
	}
	d := m.draft
	if created := d.Created(); created != nil && m.fm != nil && m.fm.art != nil {
		art := m.fm.art
		m.deploys[msg.Hash] = pendingDeploy{name: art.Name, artifact: art.Path, abi: art.RawABI, address: *created}
	}
	m.mode, m.sent = modeSent, msg.Hash
	m.form.Clear()
	return notify(fmt.Sprintf("sent %s · tx %s", d.Call, common.ShortHash(msg.Hash.Hex())))
}

func (m *Model) sentView() string {
	s, d := m.c.Styles, m.draft
	lines := []string{
		s.Success.Render("✓ Sent") + s.Subtle.Render(" · the node accepted the transaction into its mempool"),
		"",
		"  " + s.Label.Render("Hash     ") + s.Highlight.Render(m.sent.Hex()),
		"  " + s.Label.Render("Call     ") + s.Value.Render(common.Truncate(d.Call, m.c.Width-12)),
	}
	if created := d.Created(); created != nil {
		lines = append(lines, "  "+s.Label.Render("Contract ")+s.Highlight.Render(created.Hex()),
			"", s.Subtle.Render("It goes into the address book once a block includes it. esc: back"))
	} else {
		lines = append(lines, "", s.Subtle.Render("Its events show on the contract's page once a block includes it. esc: back"))
	}
	return strings.Join(lines, "\n")
}

// deployedMsg is what became of a sent deploy once a block included it.
type deployedMsg struct {
	hash ethcommon.Hash
	ok   bool
}

// checkDeploys asks after every sent deploy not yet included.
func (m *Model) checkDeploys() tea.Cmd {
	if len(m.deploys) == 0 || m.c.Node == nil {
		return nil
	}
	var cmds []tea.Cmd
	for h := range m.deploys {
		node, hash := m.c.Node, h
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
			defer cancel()
			tx, err := node.Tx(ctx, hash)
			if err != nil || tx.Status != api.TxIncluded || tx.Receipt == nil {
				return nil // not yet: the next block asks again
			}
			return deployedMsg{hash: hash, ok: tx.Receipt.Status == 1}
		})
	}
	return tea.Batch(cmds...)
}

func (m *Model) onDeployed(msg deployedMsg) tea.Cmd {
	d, ok := m.deploys[msg.hash]
	if !ok {
		return nil
	}
	delete(m.deploys, msg.hash)
	if !msg.ok {
		return func() tea.Msg {
			return common.ErrMsg{Err: fmt.Errorf("the deploy of %s failed in its block (tx %s)", d.name, common.ShortHash(msg.hash.Hex()))}
		}
	}
	if m.book == nil {
		return notify(d.name + " deployed at " + d.address.Hex() + " (the address book is not open)")
	}
	hash := msg.hash
	e := contracts.Entry{Name: uniqueName(m.book, d.name, d.address), Address: d.address, ABI: d.abi, Artifact: d.artifact, TxHash: &hash}
	if m.c.Status != nil {
		e.ChainID = m.c.Status.ChainID
	}
	if err := m.saveEntry(e); err != nil {
		return func() tea.Msg { return common.ErrMsg{Err: err} }
	}
	return notify(e.Name + " deployed at " + d.address.Hex() + ", now in the address book")
}

// uniqueName is name, or name-2, name-3… when the book already has a
// different contract by that name (a second deploy of one artifact).
func uniqueName(b *contracts.Book, name string, addr ethcommon.Address) string {
	for i := 1; ; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s-%d", name, i)
		}
		if e, ok := b.Lookup(n); !ok || e.Address == addr {
			return n
		}
	}
}
