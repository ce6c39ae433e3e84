// Package onboarding is what a person sees before the console opens: the
// first run (create a wallet, import recovery words or a keystore file,
// then a password) and the unlock prompt of an existing wallet. Both end by
// sending common.WalletReadyMsg with the wallet open and unlocked.
package onboarding

import (
	"cairn/tui/common"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// step is where the first run is.
type step int

const (
	stepChoose           step = iota // create, import words or import keystore
	stepKeystorePath                 // keystore flow: the file
	stepKeystorePassword             // keystore flow: its password
	stepWords                        // the new words, shown once
	stepConfirm                      // three of them typed back
	stepImportWords                  // import flow: words and passphrase
	stepPassword                     // the wallet password, twice
	stepBusy                         // encrypting (or importing the keystore)
	stepKeystoreRetry                // the wallet exists; the keystore did not import
	stepDone                         // WalletReadyMsg sent
)

// flow is the path chosen on the first screen.
type flow int

const (
	flowCreate flow = iota
	flowImport
	flowKeystore
)

// Model is the first-run screen.
type Model struct {
	c    *common.Common
	path string
	opts []wallet.Option

	width, height int

	step      step
	flow      flow
	choice    int // highlighted option on stepChoose
	wordCount int // 12 or 24

	// Secrets held only until the wallet is written.
	mnemonic     string
	words        []string
	positions    []int // word indexes (0-based) asked back, ascending
	passphrase   string
	keystoreJSON []byte
	keystorePass string
	keystoreAddr string // the keystore key's address, once its password opened it

	inputs []textinput.Model // the current step's fields
	focus  int
	err    string         // the current step's error, shown under its fields
	busy   string         // what stepBusy says
	spin   common.Spinner // turns while on stepBusy

	firstAddr string         // the import flow's first address, shown before the password
	wallet    *wallet.Wallet // created, waiting on the keystore retry

	// newMnemonic and pick are the randomness; tests replace them.
	newMnemonic func(words int) (string, error)
	pick        func(n, k int) ([]int, error)
}

// New returns the first-run screen for a wallet to be written at
// walletPath with the given options (tests lower the KDF cost).
func New(c *common.Common, walletPath string, opts ...wallet.Option) common.Screen {
	return &Model{
		c: c, path: walletPath, opts: opts, wordCount: 12,
		newMnemonic: wallet.NewMnemonic, pick: pickPositions,
	}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Welcome" }

// Init implements common.Screen.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize implements common.Screen: the gate draws in the area it is given.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.sizeInputs()
}

// Capturing implements common.Screen: true while a field takes text.
func (m *Model) Capturing() bool {
	return m.focus < len(m.inputs) && m.inputs[m.focus].Focused()
}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding { return m.hints() }

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.hints()} }

// Update implements common.Screen. The spinner turns exactly while the
// step is busy (encrypting, reading a keystore): it starts after the
// work's own command and stops when the step moves on.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	cmd := m.update(msg)
	switch {
	case m.step == stepBusy && !m.spin.On():
		cmd = tea.Batch(cmd, m.spin.Start())
	case m.step != stepBusy:
		m.spin.Stop()
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return m.spin.Update(msg)
	case createdMsg:
		return m.onCreated(msg)
	case importedMsg:
		return m.onImported(msg)
	case keystoreCheckedMsg:
		return m.onKeystoreChecked(msg)
	case tea.PasteMsg:
		return m.onPaste(msg)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.step {
	case stepChoose:
		return m.chooseKey(msg)
	case stepWords:
		return m.wordsKey(msg)
	case stepBusy, stepDone:
		return nil
	}
	if key.Matches(msg, keyBack) {
		return m.back()
	}
	if len(m.inputs) > 1 {
		switch {
		case key.Matches(msg, keyNext):
			return m.focusField(m.focus + 1)
		case key.Matches(msg, keyPrev):
			return m.focusField(m.focus - 1)
		}
	}
	if key.Matches(msg, keyEnter) {
		if m.step == stepImportWords {
			return m.submit()
		}
		// Enter moves on to the next empty field, and acts once all are
		// filled (so fixing one wrong field and pressing enter checks).
		for i := m.focus + 1; i < len(m.inputs); i++ {
			if m.inputs[i].Value() == "" {
				return m.focusField(i)
			}
		}
		return m.submit()
	}
	return m.updateInput(msg)
}

// submit acts on enter in a step with fields.
func (m *Model) submit() tea.Cmd {
	switch m.step {
	case stepKeystorePath:
		return m.submitKeystorePath()
	case stepKeystorePassword:
		return m.submitKeystorePassword()
	case stepConfirm:
		return m.submitConfirm()
	case stepImportWords:
		return m.submitImportWords()
	case stepPassword:
		return m.submitPassword()
	case stepKeystoreRetry:
		return m.submitKeystoreRetry()
	}
	return nil
}

// back goes one step back (esc).
func (m *Model) back() tea.Cmd {
	switch m.step {
	case stepKeystorePath, stepImportWords:
		m.toChoose()
	case stepKeystorePassword:
		return m.toKeystorePath()
	case stepConfirm:
		m.toWords()
	case stepPassword:
		if m.flow == flowImport {
			return m.toImportWords()
		}
		m.toWords()
	case stepKeystoreRetry:
		return m.ready(m.wallet)
	}
	return nil
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	if !m.Capturing() {
		return nil
	}
	if m.step == stepImportWords && m.focus == 0 {
		// Words pasted from a list or over several lines become one line.
		msg.Content = wallet.NormalizeMnemonic(msg.Content)
		if cur := m.inputs[0].Value(); cur != "" && cur[len(cur)-1] != ' ' {
			msg.Content = " " + msg.Content
		}
	}
	return m.updateInput(msg)
}

func (m *Model) updateInput(msg tea.Msg) tea.Cmd {
	if m.focus >= len(m.inputs) {
		return nil
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	return cmd
}

// setInputs replaces the step's fields and focuses the first.
func (m *Model) setInputs(inputs ...textinput.Model) tea.Cmd {
	m.inputs, m.focus, m.err = inputs, 0, ""
	m.sizeInputs()
	if len(inputs) == 0 {
		return nil
	}
	return m.focusField(0)
}

func (m *Model) focusField(i int) tea.Cmd {
	if len(m.inputs) == 0 {
		return nil
	}
	i = (i + len(m.inputs)) % len(m.inputs)
	for j := range m.inputs {
		m.inputs[j].Blur()
	}
	m.focus = i
	return m.inputs[i].Focus()
}

// sizeInputs fits each field, prompt and cursor included, in the area.
func (m *Model) sizeInputs() {
	for i := range m.inputs {
		room := m.areaWidth() - 2 - lipgloss.Width(m.inputs[i].Prompt) - 1
		m.inputs[i].SetWidth(max(min(room, 60), 8))
	}
}

// forget drops the secrets the first run held.
func (m *Model) forget() {
	m.mnemonic, m.words, m.positions, m.passphrase = "", nil, nil, ""
	clear(m.keystoreJSON)
	m.keystoreJSON, m.keystorePass = nil, ""
	m.inputs, m.focus = nil, 0
}

// ready ends the first run.
func (m *Model) ready(w *wallet.Wallet) tea.Cmd {
	m.forget()
	m.wallet = nil
	m.step = stepDone
	return func() tea.Msg { return common.WalletReadyMsg{Wallet: w} }
}
