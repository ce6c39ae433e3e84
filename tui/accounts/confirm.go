package accounts

import (
	"context"
	"fmt"
	"strings"

	"cairn/tui/common"
	"cairn/tui/txsign"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.c.Keys.Confirm):
		return m.signAndSend()
	case key.Matches(msg, m.c.Keys.Reject):
		m.mode, m.err = modeSend, ""
		return m.form.FocusOn(fieldTo)
	}
	return nil
}

// sentMsg ends a sign-and-submit.
type sentMsg struct {
	hash ethcommon.Hash
	err  error
}

func (m *Model) signAndSend() tea.Cmd {
	w := m.c.Wallet
	if w == nil || w.Locked() {
		m.err = txsign.Locked
		return nil
	}
	m.err, m.busy = "", "Signing and sending…"
	d, node := m.draft, m.c.Node
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		hash, err := txsign.SignAndSend(ctx, w, node, d)
		return sentMsg{hash: hash, err: err}
	}
}

func (m *Model) onSent(msg sentMsg) tea.Cmd {
	if m.mode != modeConfirm || m.busy == "" {
		return nil
	}
	m.busy = ""
	if msg.err != nil {
		m.err = txsign.NodeError(msg.err)
		return nil
	}
	d := m.draft
	m.mode, m.sent = modeSent, msg.hash
	m.form.Clear()
	return tea.Batch(m.fetch(), m.notify(fmt.Sprintf("sent %s CRN to %s · tx %s",
		common.FormatCRN(d.Value, 18), common.ShortAddr(*d.To), common.ShortHash(msg.hash.Hex()))))
}

// confirmView shows every field that will be signed.
func (m *Model) confirmView() string {
	return txsign.ConfirmView(m.c.Styles, m.draft, m.busy, m.err)
}

func (m *Model) sentView() string {
	s := m.c.Styles
	d := m.draft
	lines := []string{
		s.Success.Render("✓ Sent") + s.Subtle.Render(" · the node accepted the transaction into its mempool"),
		"",
		"  " + s.Label.Render("Hash   ") + s.Highlight.Render(m.sent.Hex()),
	}
	if d != nil {
		lines = append(lines,
			"  "+s.Label.Render("Amount ")+s.Value.Render(common.FormatCRN(d.Value, 18)+" CRN"),
			"  "+s.Label.Render("To     ")+s.Value.Render(d.To.Hex()),
			"  "+s.Label.Render("Nonce  ")+s.Value.Render(fmt.Sprintf("%d", d.Nonce)))
	}
	lines = append(lines, "", s.Subtle.Render("It shows in Blocks once a block includes it. esc: back to the accounts"))
	return strings.Join(lines, "\n")
}
