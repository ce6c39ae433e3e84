package accounts

import (
	"fmt"
	"slices"
	"strings"

	"cairn/node/api"

	"cairn/tui/common"
	"cairn/tui/txsign"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
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
	m.mode, m.sent, m.sentFate = modeSent, msg.Hash, ""
	m.form.Clear()
	return tea.Batch(m.fetch(), m.notify(fmt.Sprintf("sent %s CRN to %s · tx %s",
		common.FormatCRN(d.Value, 18), common.ShortAddr(*d.To), common.ShortHash(msg.Hash.Hex()))))
}

// confirmView shows every field that will be signed.
func (m *Model) confirmView() string {
	return txsign.ConfirmViewIn(m.c.Styles, m.draft, m.spin.Line(m.busy), m.err, m.c.Width, m.c.Height)
}

// follow keeps the sent page's status current: a block that holds the
// sent transaction (matched by hash: the event lists them), or the node
// dropping it from its mempool.
func (m *Model) follow(ev api.Event) {
	if m.sent == (ethcommon.Hash{}) || m.sentFate != "" {
		return
	}
	switch {
	case ev.Type == api.EventBlock && ev.Block != nil:
		if slices.Contains(ev.Block.Transactions, m.sent) {
			m.sentFate = "included in block " + common.FormatCount(ev.Block.Height)
		}
	case ev.Type == api.EventDropped && ev.Dropped != nil && ev.Dropped.Hash == m.sent:
		m.sentFate = "dropped by the node: " + ev.Dropped.Reason
	}
}

func (m *Model) sentView() string {
	s := m.c.Styles
	d := m.draft
	kv := func(k, v string) string { return "  " + s.Label.Render(fmt.Sprintf("%-7s", k)) + v }
	status := s.Warning.Render("pending") + s.Subtle.Render(" · in the mempool, waiting for a block")
	head := s.Success.Render("✓ Sent") + s.Subtle.Render(" · the node accepted the transaction")
	switch {
	case strings.HasPrefix(m.sentFate, "included"):
		status = s.Success.Render(m.sentFate)
	case m.sentFate != "":
		status = s.Error.Render(m.sentFate)
	}
	lines := []string{head, "",
		kv("Hash", s.Highlight.Render(common.Truncate(m.sent.Hex(), m.c.Width-9))),
		kv("Status", status),
	}
	if d != nil {
		lines = append(lines,
			kv("Amount", s.Value.Render(common.FormatCRN(d.Value, 18)+" CRN")),
			kv("To", s.Value.Render(d.To.Hex())),
			kv("Nonce", s.Value.Render(fmt.Sprintf("%d", d.Nonce))))
	}
	lines = append(lines, "", s.Subtle.Render(common.Wrap("It shows in Blocks once a block includes it. esc: back to the accounts", m.c.Width)))
	return strings.Join(lines, "\n")
}
