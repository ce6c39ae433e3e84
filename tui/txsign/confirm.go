package txsign

import (
	"context"
	"fmt"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Confirm answers a key at the confirm step, for every screen that signs
// through it. y/enter signs and sends, or first asks for the wallet
// password again when PasswordFor says so (an unjail, a value above
// send_confirm_above); n/esc goes back to the form. While the password is
// asked, keys go to its field (ConfirmView draws it); its enter checks the
// password and, only if it is right, signs and sends, in one command whose
// message is SentMsg (a wrong one: Err matches wallet.ErrWrongPassword,
// and nothing was signed); esc leaves the prompt for the confirm step.
// busy and errText are for the screen to show, as with Start.
func Confirm(msg tea.KeyPressMsg, c *common.Common, d *Draft) (a Answer, cmd tea.Cmd, busy, errText string) {
	if d.prompt != nil {
		if key.Matches(msg, c.Keys.Submit) {
			if pw := d.prompt.Take(); pw != "" {
				d.prompt = nil
				cmd, busy, errText = startChecked(c.Wallet, c.Node, d, pw)
				return AnswerSend, cmd, busy, errText
			}
		}
		v, cmd := d.prompt.Update(msg, c.Wallet, c.Keys)
		if v == form.ReauthCancel {
			d.prompt = nil
		}
		return AnswerNone, cmd, "", ""
	}
	switch a := ConfirmKey(msg, c.Keys); a {
	case AnswerSend:
		if what := PasswordFor(c.Home, d); what != "" {
			var cmd tea.Cmd
			d.prompt, cmd = form.NewReauth(c.Styles, what, c.Width)
			return AnswerNone, cmd, "", ""
		}
		cmd, busy, errText = Start(c.Wallet, c.Node, d)
		return AnswerSend, cmd, busy, errText
	case AnswerBack:
		return AnswerBack, nil, "", ""
	}
	return AnswerNone, nil, "", ""
}

// Asking reports whether the confirm step is asking for the wallet
// password (the screen gives it every key, and pasted text with Paste).
func (d *Draft) Asking() bool { return d != nil && d.prompt != nil }

// Paste gives pasted text to the password field while it is asked.
func (d *Draft) Paste(msg tea.PasteMsg, c *common.Common) tea.Cmd {
	if !d.Asking() {
		return nil
	}
	_, cmd := d.prompt.Update(msg, c.Wallet, c.Keys)
	return cmd
}

// startChecked is Start behind the wallet password: the command checks it
// first and signs nothing if it is wrong.
func startChecked(w *wallet.Wallet, node api.Service, d *Draft, password string) (tea.Cmd, string, string) {
	if w == nil || w.Locked() {
		return nil, "", NodeError(wallet.ErrLocked)
	}
	return func() tea.Msg {
		if err := w.VerifyPassword(password); err != nil {
			return SentMsg{Draft: d, Err: fmt.Errorf("before signing: %w", err)}
		}
		ctx, cancel := context.WithTimeout(context.Background(), SendTimeout)
		defer cancel()
		hash, err := SignAndSend(ctx, w, node, d)
		return SentMsg{Draft: d, Hash: hash, Err: err}
	}, "Checking the password, then signing and sending…", ""
}
