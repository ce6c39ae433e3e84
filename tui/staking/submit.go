package staking

import (
	"context"
	"errors"
	"fmt"

	"cairn/chain/staking/stakingabi"
	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/tui/txsign"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// formKey handles keys while a form is open.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.c.Keys.Cancel):
		m.toList()
		return nil
	case key.Matches(msg, m.c.Keys.NextField):
		return m.form.FocusOn(m.form.Focus + 1)
	case key.Matches(msg, m.c.Keys.PrevField):
		return m.form.FocusOn(m.form.Focus - 1)
	case key.Matches(msg, m.c.Keys.Submit):
		// Enter stops at a bad field, moves on to the next empty one, and
		// acts once all are filled.
		if err := m.fieldError(m.act.fields[m.form.Focus]); err != nil {
			m.err = form.Capitalize(err.Error()) + "."
			return nil
		}
		if i := m.form.NextEmpty(); i >= 0 {
			return m.form.FocusOn(i)
		}
		return m.submit()
	}
	cmd := m.form.Update(msg)
	m.err = ""
	return cmd
}

// preparedMsg carries what the confirm step needs from the node.
type preparedMsg struct {
	*txsign.Prepared
	err error
}

// submit checks every field, encodes the call and asks the node for the
// nonce, the base fee and the gas the call needs.
func (m *Model) submit() tea.Cmd {
	for i, f := range m.act.fields {
		if err := m.fieldError(f); err != nil {
			m.err = form.Capitalize(err.Error()) + "."
			return m.form.FocusOn(i)
		}
	}
	value, data, what, err := m.call()
	if err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return nil
	}
	tip, _ := form.ParseGwei(m.value(fieldTip))
	to := stakingabi.Address
	// A delegation stays the sender's (undelegate brings it back), so
	// send_confirm_above does not ask; an unjail always asks.
	m.draft = &txsign.Draft{From: m.act.from, To: &to, Value: value, Tip: tip, Data: data, Call: what, Staked: true}
	if m.act.kind == actUnjail {
		m.draft.Reauth = "unjail " + m.moniker(m.act.validator) + " " + common.ShortAddr(m.act.validator)
	}
	m.err = ""
	node, d := m.c.Node, *m.draft
	return m.setBusy("Reading the nonce and the base fee, estimating the gas…", func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		p, err := txsign.Prepare(ctx, node, &d)
		return preparedMsg{p, err}
	})
}

func (m *Model) onPrepared(msg preparedMsg) tea.Cmd {
	if m.mode != modeForm || m.busy == "" {
		return nil
	}
	m.idle()
	if msg.err != nil {
		m.err = txsign.NodeError(msg.err)
		return nil
	}
	d := m.draft
	d.Fill(msg.Prepared)
	if d.Balance != nil && d.MaxCost().Cmp(d.Balance) > 0 {
		m.err = fmt.Sprintf("%s has %s CRN; this can cost up to %s CRN (value + gas limit × max fee).",
			d.From.Label, common.FormatCRN(d.Balance, 18), common.FormatCRN(d.MaxCost(), 18))
		return nil
	}
	m.mode, m.err = modeConfirm, ""
	m.form.Blur()
	return nil
}

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	// txsign.Confirm asks for the wallet password first for an unjail and
	// for a value above send_confirm_above.
	answer, cmd, busy, errText := txsign.Confirm(msg, m.c, m.draft)
	switch answer {
	case txsign.AnswerSend:
		m.err = errText
		if busy != "" {
			cmd = m.setBusy(busy, cmd)
		}
	case txsign.AnswerBack:
		m.mode, m.err = modeForm, ""
		return m.form.FocusOn(0)
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
	m.idle()
	if msg.Err != nil {
		m.err = txsign.NodeError(msg.Err)
		return nil
	}
	m.mode, m.sent = modeSent, msg.Hash
	m.form.Clear()
	text := fmt.Sprintf("sent %s · tx %s", m.draft.Call, common.ShortHash(msg.Hash.Hex()))
	return tea.Batch(m.fetch(), func() tea.Msg { return common.NoticeMsg{Text: text} })
}

// errNoWallet is why an action cannot open without an unlocked wallet.
var errNoWallet = errors.New("open the wallet first: staking signs with its accounts")
