package accounts

import (
	"cairn/tui/form"
	"cairn/tui/txsign"

	tea "charm.land/bubbletea/v2"
)

// pending is what a right wallet password lets go on.
type pending int

const (
	pendNone   pending = iota
	pendExport         // open the export form
	pendWords          // show the recovery words
	pendSend           // sign and send the confirmed draft
)

// askPassword puts the wallet password prompt in front of an action. The
// send's prompt sits under its confirm step; the others have the screen.
func (m *Model) askPassword(what string, then pending) tea.Cmd {
	r, cmd := form.NewReauth(m.c.Styles, what, m.c.Width)
	m.reauth, m.pending, m.err = r, then, ""
	if then != pendSend {
		m.mode = modeReauth
	}
	return cmd
}

// onReauth gives msg to the prompt and, on its verdict, goes on with the
// pending action or back where the user came from.
func (m *Model) onReauth(msg tea.Msg) tea.Cmd {
	v, cmd := m.reauth.Update(msg, m.c.Wallet, m.c.Keys)
	if v == form.ReauthPending {
		return cmd
	}
	then := m.pending
	m.reauth, m.pending = nil, pendNone
	if v == form.ReauthCancel {
		if then != pendSend {
			m.toList()
		}
		return nil
	}
	switch then {
	case pendExport:
		return m.openExport()
	case pendWords:
		return m.openWords()
	case pendSend:
		return m.startSend()
	}
	return nil
}

// startSend signs and sends the confirmed draft.
func (m *Model) startSend() tea.Cmd {
	var cmd tea.Cmd
	cmd, m.busy, m.err = txsign.Start(m.c.Wallet, m.c.Node, m.draft)
	return cmd
}

// reauthView is the prompt on a screen of its own (export, words).
func (m *Model) reauthView() string {
	s := m.c.Styles
	title := "Export a keystore"
	if m.pending == pendWords {
		title = "Show the recovery words"
	}
	return s.Title.Render(title) + "\n\n" + m.reauth.View(s, m.c.Width)
}
