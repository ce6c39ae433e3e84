package onboarding

import (
	"cairn/tui/common"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

// maxKeystoreFile bounds how much of a keystore file is read.
const maxKeystoreFile = 64 << 10

func (m *Model) toKeystorePath() tea.Cmd {
	m.step = stepKeystorePath
	in := common.NewInput(m.c.Styles, "File ", false)
	in.Placeholder = "path to the keystore JSON, e.g. ~/keystore/UTC--…"
	in.CharLimit = 4096
	return m.setInputs(in)
}

func (m *Model) submitKeystorePath() tea.Cmd {
	data, err := readKeystoreFile(m.inputs[0].Value())
	if err != nil {
		m.err = err.Error()
		return nil
	}
	m.keystoreJSON = data
	return m.toKeystorePassword()
}

// readKeystoreFile reads a keystore v3 file and checks its shape; whether
// the password opens it is known only at import.
func readKeystoreFile(path string) ([]byte, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return nil, errors.New("Enter the path of the keystore file.")
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("Cannot read the keystore file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeystoreFile+1))
	if err != nil {
		return nil, fmt.Errorf("Cannot read the keystore file: %w", err)
	}
	if len(data) > maxKeystoreFile {
		return nil, fmt.Errorf("This file is larger than %d KiB: not a keystore file.", maxKeystoreFile>>10)
	}
	var doc struct {
		Version int             `json:"version"`
		Crypto  json.RawMessage `json:"crypto"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Crypto) == 0 {
		return nil, errors.New("This is not a keystore file (JSON with a \"crypto\" section).")
	}
	if doc.Version != 3 {
		return nil, fmt.Errorf("This keystore is version %d; Cairn reads version 3.", doc.Version)
	}
	return data, nil
}

func (m *Model) toKeystorePassword() tea.Cmd {
	m.step = stepKeystorePassword
	in := common.NewInput(m.c.Styles, "Keystore password ", true)
	in.CharLimit = 256
	return m.setInputs(in)
}

// submitKeystorePassword opens the keystore with the password before
// anything else is asked: a wrong one is said here, not after the user
// wrote down and confirmed a new phrase and chose a wallet password.
func (m *Model) submitKeystorePassword() tea.Cmd {
	pw := m.inputs[0].Value()
	if pw == "" {
		m.err = "Enter the password the keystore file was saved with."
		return nil
	}
	m.keystorePass, m.err = pw, ""
	m.step, m.busy = stepBusy, "Opening the keystore file…"
	data := m.keystoreJSON
	// scrypt takes a moment at the usual cost, so it runs as a command.
	return func() tea.Msg {
		addr, err := wallet.CheckKeystore(data, pw)
		return keystoreCheckedMsg{addr.Hex(), err}
	}
}

// keystoreCheckedMsg ends the keystore password check: the address of
// its key, or why it did not open.
type keystoreCheckedMsg struct {
	addr string
	err  error
}

func (m *Model) onKeystoreChecked(msg keystoreCheckedMsg) tea.Cmd {
	if m.step != stepBusy || m.flow != flowKeystore {
		return nil
	}
	if msg.err != nil {
		m.keystorePass = ""
		cmd := m.toKeystorePassword()
		m.err = keystoreError(msg.err)
		return cmd
	}
	m.keystoreAddr = msg.addr
	return m.newWords()
}

// toKeystoreRetry asks for the keystore password again once the wallet
// exists.
func (m *Model) toKeystoreRetry(w *wallet.Wallet, why string) tea.Cmd {
	m.wallet = w
	m.step = stepKeystoreRetry
	in := common.NewInput(m.c.Styles, "Keystore password ", true)
	in.CharLimit = 256
	cmd := m.setInputs(in)
	m.err = why
	return cmd
}

func (m *Model) submitKeystoreRetry() tea.Cmd {
	if m.inputs[0].Value() == "" {
		m.err = "Enter the password the keystore file was saved with, or press esc to go on without it."
		return nil
	}
	m.keystorePass = m.inputs[0].Value()
	m.step, m.busy = stepBusy, "Decrypting the keystore…"
	return importKeystore(m.wallet, m.keystoreJSON, m.keystorePass)
}

// importedMsg ends a keystore import into the new wallet.
type importedMsg struct {
	w   *wallet.Wallet
	err error
}

// importKeystore adds the keystore's key to w and makes it the default.
func importKeystore(w *wallet.Wallet, keyJSON []byte, password string) tea.Cmd {
	return func() tea.Msg {
		return importedMsg{w, importInto(w, keyJSON, password)}
	}
}

func importInto(w *wallet.Wallet, keyJSON []byte, password string) error {
	acc, err := w.ImportKeystore(keyJSON, password, "Imported")
	if err != nil {
		return err
	}
	return w.SetDefault(acc.Address)
}

func (m *Model) onImported(msg importedMsg) tea.Cmd {
	if m.step != stepBusy {
		return nil
	}
	if msg.err != nil {
		return m.toKeystoreRetry(msg.w, keystoreError(msg.err))
	}
	return m.ready(msg.w)
}

// keystoreError says what went wrong with an import, in the user's terms.
func keystoreError(err error) string {
	if errors.Is(err, wallet.ErrWrongPassword) {
		return "That password does not open the keystore file. Try again."
	}
	return "The keystore could not be imported: " + err.Error()
}

func (m *Model) keystorePathView() string {
	s := m.c.Styles
	text := "Cairn keeps every key in one wallet that also has a recovery phrase. " +
		"It will make a new phrase for that wallet (you write it down and confirm it), " +
		"then import the key from your keystore file and make it the default account."
	return m.heading("the keystore file") + "\n\n" + s.Value.Render(wrap(text, m.textWidth())) + "\n\n" + m.fieldsView()
}

func (m *Model) keystorePasswordView() string {
	s := m.c.Styles
	text := "The password the keystore file was saved with (not a new one). It is checked now, before anything else is asked."
	return m.heading("the keystore password") + "\n\n" + s.Value.Render(wrap(text, m.textWidth())) + "\n\n" + m.fieldsView()
}

func (m *Model) keystoreRetryView() string {
	s := m.c.Styles
	text := "Your wallet is created and saved. The keystore key is not in it yet: type the keystore password again, " +
		"or press esc to go on without it (import it later with `cairn wallet import-keystore`)."
	return s.Title.Render("Import the keystore") + "\n\n" + s.Value.Render(wrap(text, m.textWidth())) + "\n\n" + m.fieldsView()
}
