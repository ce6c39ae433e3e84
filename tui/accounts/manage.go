package accounts

import (
	"errors"
	"fmt"
	"strings"

	"cairn/tui/common"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

// derivedMsg ends a derive.
type derivedMsg struct {
	acc wallet.Account
	err error
}

// savedMsg ends a label or default change.
type savedMsg struct {
	what string
	err  error
}

func (m *Model) openDerive() tea.Cmd {
	if m.c.Wallet == nil {
		return nil
	}
	m.mode, m.err = modeDerive, ""
	in := common.NewInput(m.c.Styles, "Label ", false)
	in.Placeholder = "optional, e.g. Savings"
	in.CharLimit = wallet.MaxLabelLen
	return m.form.Set(m.c.Width, in)
}

func (m *Model) submitDerive() tea.Cmd {
	w := m.c.Wallet
	if w.Locked() {
		m.err = "The wallet is locked; unlock it to derive an account."
		return nil
	}
	label := strings.TrimSpace(m.form.Value(0))
	m.busy = "Deriving…"
	return func() tea.Msg {
		acc, err := w.Derive(label)
		return derivedMsg{acc, err}
	}
}

func (m *Model) onDerived(msg derivedMsg) tea.Cmd {
	if m.mode != modeDerive {
		return nil
	}
	m.busy = ""
	if msg.err != nil {
		m.err = lockedOr(msg.err)
		return nil
	}
	m.toList()
	m.reload()
	m.selectAddr(msg.acc.Address)
	return tea.Batch(
		func() tea.Msg { return common.WalletChangedMsg{} },
		m.notify(fmt.Sprintf("derived %s %s at %s", msg.acc.Label, common.ShortAddr(msg.acc.Address), msg.acc.Path)),
	)
}

func (m *Model) openLabel() tea.Cmd {
	a, _ := m.selected()
	m.mode, m.err = modeLabel, ""
	in := common.NewInput(m.c.Styles, "Label ", false)
	in.CharLimit = wallet.MaxLabelLen
	in.SetValue(a.Label)
	return m.form.Set(m.c.Width, in)
}

func (m *Model) submitLabel() tea.Cmd {
	a, _ := m.selected()
	label := strings.TrimSpace(m.form.Value(0))
	if label == "" {
		m.err = "A label cannot be empty."
		return nil
	}
	w := m.c.Wallet
	m.busy = "Saving…"
	return func() tea.Msg {
		return savedMsg{"renamed to " + label, w.SetLabel(a.Address, label)}
	}
}

func (m *Model) makeDefault() tea.Cmd {
	a, _ := m.selected()
	if m.isDefault(a.Address) {
		return nil
	}
	w := m.c.Wallet
	m.busy = "Saving…"
	return func() tea.Msg {
		return savedMsg{a.Label + " is now the default account", w.SetDefault(a.Address)}
	}
}

func (m *Model) onSaved(msg savedMsg) tea.Cmd {
	if m.busy == "" {
		return nil
	}
	m.busy = ""
	if msg.err != nil {
		m.err = lockedOr(msg.err)
		return nil
	}
	m.toList()
	m.reload()
	return tea.Batch(func() tea.Msg { return common.WalletChangedMsg{} }, m.notify(msg.what))
}

// lockedOr explains a locked wallet, or gives the error.
func lockedOr(err error) string {
	if errors.Is(err, wallet.ErrLocked) {
		return "The wallet is locked; unlock it and try again."
	}
	return err.Error()
}

// nameView is the derive and label forms.
func (m *Model) nameView() string {
	s := m.c.Styles
	title := "Derive a new account"
	about := "The next address of your recovery phrase (m/44'/60'/0'/0/n). Give it a label, or leave it empty."
	if m.mode == modeLabel {
		a, _ := m.selected()
		title = "Rename " + a.Label
		about = a.Address.Hex()
	}
	lines := []string{s.Title.Render(title), s.Subtle.Render(common.Wrap(about, m.c.Width)), "", "  " + m.form.Inputs[0].View()}
	switch {
	case m.busy != "":
		lines = append(lines, "", s.Subtle.Render(m.spin.Line(m.busy)))
	case m.err != "":
		lines = append(lines, "", s.Error.Render("✗ "+m.err))
	}
	return strings.Join(lines, "\n")
}
