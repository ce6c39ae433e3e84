package onboarding

import (
	"cairn/tui/common"
	"errors"
	"unicode/utf8"

	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

// MinPasswordLen is the shortest wallet password accepted, in characters.
const MinPasswordLen = 8

func (m *Model) toPassword() tea.Cmd {
	m.step = stepPassword
	pw := common.NewInput(m.c.Styles, "Password ", true)
	pw.CharLimit = 1024
	again := common.NewInput(m.c.Styles, "Again    ", true)
	again.CharLimit = 1024
	return m.setInputs(pw, again)
}

// checkPasswords returns what is wrong with a password pair, or "".
func checkPasswords(pw, again string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return "The password is too short: use at least 8 characters."
	case pw != again:
		return "The two passwords do not match. Type them again."
	}
	return ""
}

func (m *Model) submitPassword() tea.Cmd {
	pw, again := m.inputs[0].Value(), m.inputs[1].Value()
	if msg := checkPasswords(pw, again); msg != "" {
		m.err = msg
		m.inputs[0].Reset()
		m.inputs[1].Reset()
		return m.focusField(0)
	}
	m.err = ""
	m.step, m.busy = stepBusy, "Encrypting wallet…"
	var ks *keystoreImport
	if m.flow == flowKeystore {
		ks = &keystoreImport{json: m.keystoreJSON, password: m.keystorePass}
	}
	return createWallet(m.path, m.mnemonic, m.passphrase, pw, m.opts, ks)
}

// keystoreImport is the key to import right after creation.
type keystoreImport struct {
	json     []byte
	password string
}

// createdMsg ends the wallet write (and the keystore import, if any).
type createdMsg struct {
	w         *wallet.Wallet
	err       error // the wallet was not created
	importErr error // created, but the keystore did not import
}

// createWallet writes the wallet: with the default KDF cost that takes
// about a second, so it runs as a command.
func createWallet(path, mnemonic, passphrase, password string, opts []wallet.Option, ks *keystoreImport) tea.Cmd {
	return func() tea.Msg {
		w, err := wallet.Create(path, mnemonic, passphrase, password, opts...)
		if err != nil {
			return createdMsg{err: err}
		}
		if ks == nil {
			return createdMsg{w: w}
		}
		return createdMsg{w: w, importErr: importInto(w, ks.json, ks.password)}
	}
}

func (m *Model) onCreated(msg createdMsg) tea.Cmd {
	if m.step != stepBusy {
		return nil
	}
	switch {
	case msg.err != nil:
		cmd := m.toPassword()
		m.err = "The wallet was not created: " + msg.err.Error()
		if errors.Is(msg.err, wallet.ErrExists) {
			m.err = "A wallet file appeared at " + m.path + " meanwhile; restart Cairn to unlock it."
		}
		return cmd
	case msg.importErr != nil:
		return m.toKeystoreRetry(msg.w, keystoreError(msg.importErr))
	}
	return m.ready(msg.w)
}

func (m *Model) passwordView() string {
	s := m.c.Styles
	text := "The password encrypts the wallet file on this computer. You type it each time Cairn " +
		"starts or locks itself. It is not part of the recovery phrase and cannot restore the wallet."
	out := m.heading("choose a password") + "\n\n" + s.Value.Render(wrap(text, m.textWidth())) + "\n\n"
	if m.flow == flowImport && m.firstAddr != "" {
		out += s.Label.Render("First account ") + s.Highlight.Render(m.firstAddr) + "\n\n"
	}
	if m.flow == flowKeystore && m.keystoreAddr != "" {
		out += s.Label.Render("Key to import ") + s.Highlight.Render(m.keystoreAddr) + "\n\n"
	}
	return out + m.fieldsView()
}
