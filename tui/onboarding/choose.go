package onboarding

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// option is one way in, on the first screen.
type option struct {
	flow  flow
	title string
	about string
}

var options = []option{
	{flowCreate, "Create a new wallet", "Make a fresh recovery phrase and a first account from it."},
	{flowImport, "Import recovery words", "Restore a wallet from a BIP-39 phrase you already have."},
	{flowKeystore, "Import a keystore file", "Bring a key from geth, MetaMask or ethers (keystore v3 JSON)."},
}

func (m *Model) toChoose() {
	m.forget()
	m.step, m.err = stepChoose, ""
}

func (m *Model) chooseKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, keyUp):
		m.choice = (m.choice + len(options) - 1) % len(options)
	case key.Matches(msg, keyDown), msg.String() == "tab":
		m.choice = (m.choice + 1) % len(options)
	case key.Matches(msg, keyWordsLen):
		if m.wordCount == 12 {
			m.wordCount = 24
		} else {
			m.wordCount = 12
		}
	case key.Matches(msg, keyEnter):
		m.flow = options[m.choice].flow
		switch m.flow {
		case flowCreate:
			return m.newWords()
		case flowImport:
			return m.toImportWords()
		case flowKeystore:
			return m.toKeystorePath()
		}
	}
	return nil
}

func (m *Model) chooseView() string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render("Welcome to Cairn") + "\n")
	b.WriteString(s.Subtle.Render("There is no wallet yet. It will be kept, encrypted, in") + "\n")
	b.WriteString(s.Value.Render(m.path) + "\n\n")
	for i, o := range options {
		if i == m.choice {
			b.WriteString(s.Highlight.Render("▸ "+o.title) + "\n")
		} else {
			b.WriteString(s.Value.Render("  "+o.title) + "\n")
		}
		about := wrap(o.about, m.textWidth()-4)
		b.WriteString(s.Subtle.Render("    "+strings.ReplaceAll(about, "\n", "\n    ")) + "\n")
	}
	b.WriteString("\n" + s.Label.Render("New recovery phrases have ") +
		s.Value.Render(fmt.Sprintf("%d words", m.wordCount)) +
		s.Subtle.Render(fmt.Sprintf(" (w: %d words)", 36-m.wordCount)))
	if m.err != "" {
		b.WriteString("\n\n" + s.Error.Render("✗ "+m.err))
	}
	return b.String()
}
