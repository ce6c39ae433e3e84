package accounts

import (
	"cairn/tui/form"

	tea "charm.land/bubbletea/v2"
)

// pending is what a right wallet password lets go on.
type pending int

const (
	pendNone   pending = iota
	pendExport         // open the export form
	pendWords          // show the recovery words
)

// askPassword puts the wallet password prompt in front of an action. (A
// large send's prompt is the confirm step's: txsign.Confirm.)
func (m *Model) askPassword(what string, then pending) tea.Cmd {
	r, cmd := form.NewReauth(m.c.Styles, what, m.c.Width)
	m.reauth, m.pending, m.err = r, then, ""
	m.mode = modeReauth
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
		m.toList()
		return nil
	}
	switch then {
	case pendExport:
		return m.openExport()
	case pendWords:
		return m.openWords()
	}
	return nil
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
