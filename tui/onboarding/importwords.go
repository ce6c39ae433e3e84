package onboarding

import (
	"cairn/tui/common"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	"github.com/ethereum/go-ethereum/crypto"
)

func (m *Model) toImportWords() tea.Cmd {
	m.step = stepImportWords
	words := common.NewInput(m.c.Styles, "Words      ", false)
	words.Placeholder = "12 or 24 words, separated by spaces (paste works)"
	words.CharLimit = 24 * 12
	pass := common.NewInput(m.c.Styles, "Passphrase ", true)
	pass.Placeholder = "optional; leave empty if you never set one"
	pass.CharLimit = 256
	cmd := m.setInputs(words, pass)
	if m.mnemonic != "" { // back from the password step: keep what was typed
		m.inputs[0].SetValue(m.mnemonic)
		m.inputs[1].SetValue(m.passphrase)
	}
	return cmd
}

// submitImportWords checks the words (enter on the words field moves on to
// the passphrase) and shows the first address before the password.
func (m *Model) submitImportWords() tea.Cmd {
	mn := wallet.NormalizeMnemonic(m.inputs[0].Value())
	if err := wallet.ValidateMnemonic(mn); err != nil {
		// The wallet's errors never quote the words.
		m.err = "These words are not a valid recovery phrase: " + trimInvalid(err)
		return m.focusField(0)
	}
	m.err = ""
	if m.focus == 0 {
		return m.focusField(1)
	}
	key, err := wallet.DeriveKey(mn, m.inputs[1].Value(), 0)
	if err != nil {
		m.err = "Could not derive the first account: " + trimInvalid(err)
		return nil
	}
	m.firstAddr = crypto.PubkeyToAddress(key.PublicKey).Hex()
	m.mnemonic, m.passphrase = mn, m.inputs[1].Value()
	return m.toPassword()
}

// trimInvalid drops the "invalid mnemonic: " prefix the message repeats.
func trimInvalid(err error) string {
	msg := err.Error()
	prefix := wallet.ErrInvalidMnemonic.Error() + ": "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

func (m *Model) importView() string {
	s := m.c.Styles
	text := "Type or paste your recovery phrase. If you protected it with a BIP-39 passphrase " +
		"(a \"25th word\"), enter that too: a different passphrase opens a different wallet."
	return m.heading("your recovery phrase") + "\n\n" +
		s.Value.Render(wrap(text, m.textWidth())) + "\n\n" + m.fieldsView()
}
