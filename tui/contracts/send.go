package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/txsign"
	"cairn/wallet/contracts"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// pendingDeploy is a sent deploy, kept until a block includes it; then
// the contract goes into the address book.
type pendingDeploy struct {
	name     string
	artifact string
	abi      json.RawMessage
	address  ethcommon.Address // from the sender and its nonce; the receipt's wins
	asked    bool              // the node was asked once: now only a block that lists it asks again
}

// landed is what became of the deploy on the sent page.
type landed struct {
	height uint64
	entry  contracts.Entry
	failed bool
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
		m.err = errText
		if busy != "" {
			return m.setBusy(busy, cmd)
		}
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
	m.idle()
	if msg.Err != nil {
		m.err = txsign.NodeError(msg.Err)
		return nil
	}
	d := m.draft
	m.mode, m.sent, m.landed = modeSent, msg.Hash, nil
	m.form.Clear()
	sent := notify(fmt.Sprintf("sent %s · tx %s", d.Call, common.ShortHash(msg.Hash.Hex())))
	if created := d.Created(); created != nil && m.fm != nil && m.fm.art != nil {
		art := m.fm.art
		m.deploys[msg.Hash] = pendingDeploy{name: art.Name, artifact: art.Path, abi: art.RawABI, address: *created}
		return tea.Batch(sent, m.spin.Start()) // until its block comes
	}
	return sent
}

// sentKey answers keys on the sent page: once the deploy on it is in the
// address book, enter opens the contract's page.
func (m *Model) sentKey(msg tea.KeyPressMsg) tea.Cmd {
	if l := m.landed; l != nil && !l.failed && key.Matches(msg, keyOpenDeployed) {
		e := l.entry
		m.back()
		m.page = nil
		m.selectAddress(e.Address)
		return m.openPage(e)
	}
	if key.Matches(msg, m.c.Keys.Close) {
		m.back()
	}
	return nil
}

// selectAddress puts the list's cursor on the entry at addr, if any.
func (m *Model) selectAddress(addr ethcommon.Address) {
	for i, e := range m.entries {
		if e.Address == addr {
			m.sel = i
		}
	}
}

func (m *Model) sentView() string {
	s, d := m.c.Styles, m.draft
	lines := []string{
		s.Success.Render("✓ Sent") + s.Subtle.Render(" · the node accepted the transaction into its mempool"),
		"",
		"  " + s.Label.Render("Hash     ") + s.Highlight.Render(fitHash(m.sent.Hex(), m.c.Width-11)),
		"  " + s.Label.Render("Call     ") + s.Value.Render(common.Truncate(d.Call, m.c.Width-12)),
	}
	if created := d.Created(); created != nil {
		lines = append(lines, m.deployLines(*created)...)
	} else {
		lines = append(lines, "", s.Subtle.Render("Its events show on the contract's page once a block includes it. esc: back"))
	}
	return strings.Join(lines, "\n")
}

// deployLines is the sent page's part about a deploy: the address, then
// the wait for its block (the spinner turning), then what came of it.
func (m *Model) deployLines(created ethcommon.Address) []string {
	s, l := m.c.Styles, m.landed
	if l == nil {
		return []string{"  " + s.Label.Render("Contract ") + s.Highlight.Render(created.Hex()),
			"", s.Subtle.Render(m.spin.Line("Waiting for a block to include it…")),
			s.Subtle.Render(common.Wrap("Then it goes into the address book. esc: back", m.c.Width))}
	}
	addr := "  " + s.Label.Render("Contract ") + s.Highlight.Render(l.entry.Address.Hex())
	if l.failed {
		return []string{addr, "", s.Error.Render(fmt.Sprintf("✗ It failed in block %s: no contract was created. esc: back", common.FormatCount(l.height)))}
	}
	return []string{addr, "",
		s.Success.Render("✓ ") + s.Value.Render(fmt.Sprintf("Included in block %s: %s is in the address book.", common.FormatCount(l.height), l.entry.Name)),
		s.Subtle.Render("enter opens its page · esc: back")}
}

// fitHash is a hash whole where it fits in width, else its short form,
// so it is never cut without a mark.
func fitHash(h string, width int) string {
	if len(h) <= width {
		return h
	}
	return common.ShortHash(h)
}

// deployedMsg is what the node says of a sent deploy.
type deployedMsg struct {
	hash    ethcommon.Hash
	pending bool // not in a block yet
	listed  bool // asked because a block listed it
	ok      bool
	height  uint64
	address *ethcommon.Address // the receipt's, when it has one
}

// checkDeploys asks after the sent deploys that block b lists (each is
// asked once regardless, should its block have come before it was sent).
func (m *Model) checkDeploys(b *api.Block) tea.Cmd {
	if len(m.deploys) == 0 || m.c.Node == nil {
		return nil
	}
	var cmds []tea.Cmd
	for h, d := range m.deploys {
		listed := b != nil && slices.Contains(b.Transactions, h)
		unlisted := b != nil && b.TxCount > 0 && len(b.Transactions) == 0 // an event without the hashes
		if d.asked && !listed && !unlisted {
			continue
		}
		d.asked = true
		m.deploys[h] = d
		node, hash := m.c.Node, h
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
			defer cancel()
			tx, err := node.Tx(ctx, hash)
			if err != nil || tx.Status != api.TxIncluded || tx.Receipt == nil {
				return deployedMsg{hash: hash, pending: true, listed: listed}
			}
			out := deployedMsg{hash: hash, ok: tx.Receipt.Status == 1, address: tx.Receipt.ContractAddress}
			if tx.BlockHeight != nil {
				out.height = *tx.BlockHeight
			}
			return out
		})
	}
	return tea.Batch(cmds...)
}

func (m *Model) onDeployed(msg deployedMsg) tea.Cmd {
	d, ok := m.deploys[msg.hash]
	if !ok {
		return nil
	}
	if msg.pending {
		if msg.listed { // the node had not caught up with its own block: ask at the next
			d.asked = false
			m.deploys[msg.hash] = d
		}
		return nil
	}
	delete(m.deploys, msg.hash)
	if msg.address != nil {
		d.address = *msg.address
	}
	onPage := m.mode == modeSent && m.sent == msg.hash
	if onPage {
		m.spin.Stop()
		m.landed = &landed{height: msg.height, entry: contracts.Entry{Name: d.name, Address: d.address, ABI: d.abi}, failed: !msg.ok}
	}
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
	if onPage {
		m.landed.entry = e
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
