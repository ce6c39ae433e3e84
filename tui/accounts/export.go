package accounts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

// minKeystorePassword is the shortest keystore password accepted.
const minKeystorePassword = 8

// Export form fields.
const (
	fieldPath = iota
	fieldPassword
	fieldAgain
)

// exportedMsg ends an export.
type exportedMsg struct {
	path string
	err  error
}

// defaultExportPath suggests a file next to the wallet, named after the
// address.
func (m *Model) defaultExportPath(a wallet.Account) string {
	name := "keystore-" + strings.ToLower(a.Address.Hex()[2:]) + ".json"
	if m.c.Wallet == nil || m.c.Wallet.Path() == "" {
		return name
	}
	return filepath.Join(filepath.Dir(m.c.Wallet.Path()), name)
}

func (m *Model) openExport() tea.Cmd {
	a, _ := m.selected()
	m.mode, m.err = modeExport, ""
	s := m.c.Styles
	path := common.NewInput(s, "File      ", false)
	path.CharLimit = 4096
	path.SetValue(m.defaultExportPath(a))
	pw := common.NewInput(s, "Password  ", true)
	again := common.NewInput(s, "Again     ", true)
	cmd := m.form.Set(m.c.Width, path, pw, again)
	m.form.Inputs[fieldPath].CursorEnd()
	return cmd
}

// expandPath resolves ~/ and makes the path absolute.
func expandPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", errors.New("enter a file to write")
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home directory: %w", err)
		}
		p = filepath.Join(home, rest)
	}
	return filepath.Abs(p)
}

func (m *Model) submitExport() tea.Cmd {
	a, _ := m.selected()
	path, err := expandPath(m.form.Value(fieldPath))
	if err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return m.form.FocusOn(fieldPath)
	}
	if _, err := os.Lstat(path); err == nil {
		m.err = "A file is already there; choose another name (nothing is overwritten)."
		return m.form.FocusOn(fieldPath)
	}
	pw, again := m.form.Value(fieldPassword), m.form.Value(fieldAgain)
	switch {
	case utf8.RuneCountInString(pw) < minKeystorePassword:
		m.err = "The keystore password is too short: use at least 8 characters."
	case pw != again:
		m.err = "The two passwords do not match. Type them again."
	}
	if m.err != "" {
		m.form.Inputs[fieldPassword].Reset()
		m.form.Inputs[fieldAgain].Reset()
		return m.form.FocusOn(fieldPassword)
	}
	w := m.c.Wallet
	if w.Locked() {
		m.err = "The wallet is locked; unlock it to export a key."
		return nil
	}
	m.busy = "Encrypting the keystore…"
	return func() tea.Msg {
		return exportedMsg{path, w.ExportKeystoreFile(a.Address, pw, path)}
	}
}

func (m *Model) onExported(msg exportedMsg) tea.Cmd {
	if m.mode != modeExport || m.busy == "" {
		return nil
	}
	m.busy = ""
	switch {
	case errors.Is(msg.err, wallet.ErrExists):
		m.err = "A file is already there; choose another name (nothing is overwritten)."
		return m.form.FocusOn(fieldPath)
	case msg.err != nil:
		m.err = lockedOr(msg.err)
		return nil
	}
	m.toList()
	a, _ := m.selected()
	return m.notify("exported " + a.Label + " to " + msg.path)
}

func (m *Model) exportView() string {
	s := m.c.Styles
	a, _ := m.selected()
	lines := []string{
		s.Title.Render("Export "+a.Label) + s.Subtle.Render(" · "+m.addrFits(a.Address, len("Export "+a.Label+" · "))),
		s.Subtle.Render(common.Wrap("A keystore v3 file (scrypt) that geth, MetaMask and ethers import.", m.c.Width)),
		s.Warning.Render(common.Wrap("It holds this account's private key, protected only by the password you choose now.", m.c.Width)),
		"",
	}
	for _, in := range m.form.Inputs {
		lines = append(lines, "  "+in.View())
	}
	switch {
	case m.busy != "":
		lines = append(lines, "", s.Subtle.Render(m.spin.Line(m.busy)))
	case m.err != "":
		lines = append(lines, "", s.Error.Render("✗ "+m.err))
	}
	return strings.Join(lines, "\n")
}
