package accounts

import (
	"fmt"
	"strings"

	"cairn/tui/common"
	"cairn/tui/txsign"

	tea "charm.land/bubbletea/v2"
)

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	answer, cmd, busy, errText := txsign.Confirm(msg, m.c, m.draft)
	switch answer {
	case txsign.AnswerSend:
		m.busy, m.err = busy, errText
	case txsign.AnswerBack:
		m.mode, m.err = modeSend, ""
		return m.form.FocusOn(fieldTo)
	}
	if m.draft.Asking() {
		m.err = ""
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
	m.mode, m.sent = modeSent, msg.Hash
	m.form.Clear()
	return tea.Batch(m.fetch(), m.notify(fmt.Sprintf("sent %s CRN to %s · tx %s",
		common.FormatCRN(d.Value, 18), common.ShortAddr(*d.To), common.ShortHash(msg.Hash.Hex()))))
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
