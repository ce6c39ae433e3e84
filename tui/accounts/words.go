package accounts

import (
	"fmt"
	"strings"

	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// openWords shows the recovery words, asked for with the wallet password.
// They stay in the model only while shown (toList forgets them) and are
// drawn on this screen alone: never logged, never in a notice.
func (m *Model) openWords() tea.Cmd {
	w := m.c.Wallet
	if w == nil {
		m.toList()
		return nil
	}
	mn, err := w.Mnemonic()
	if err != nil {
		m.toList()
		m.err = lockedOr(err)
		return nil
	}
	m.mode, m.words = modeWords, strings.Fields(mn)
	return nil
}

// tooSmallForWords is what the words page says where they cannot all fit.
const tooSmallForWords = "Make the window larger to see the recovery words: they must all be on the screen at once."

// wordsView lays the words out numbered, in as many columns as fit.
func (m *Model) wordsView() string {
	s := m.c.Styles
	lines := []string{
		s.Title.Render("Recovery words") + s.Subtle.Render(fmt.Sprintf(" · %d words", len(m.words))),
		s.Warning.Render(common.Wrap("Anyone who sees these words can take every account of this wallet. Write them down on paper; never type them into a website.", m.c.Width)),
		"",
	}
	cell := 0
	for i, wd := range m.words {
		cell = max(cell, lipgloss.Width(fmt.Sprintf("%2d. %s", i+1, wd)))
	}
	cols := max(min((m.c.Width-2)/(cell+3), 4), 1)
	rows := (len(m.words) + cols - 1) / cols
	if 2+cell > m.c.Width || lipgloss.Height(strings.Join(lines, "\n"))+rows+2 > m.c.Height {
		// A phrase copied from a cut screen restores nothing: all or none.
		return strings.Join(append(lines[:1], "", s.Error.Render(common.Wrap(tooSmallForWords, m.c.Width)), "", s.Subtle.Render("esc hides them")), "\n")
	}
	for r := 0; r < rows; r++ {
		var b strings.Builder
		b.WriteString("  ")
		for c := 0; c < cols; c++ {
			i := c*rows + r
			if i >= len(m.words) {
				break
			}
			b.WriteString(s.Label.Render(fmt.Sprintf("%2d. ", i+1)) + s.Value.Render(m.words[i]))
			b.WriteString(strings.Repeat(" ", max(cell+3-lipgloss.Width(fmt.Sprintf("%2d. %s", i+1, m.words[i])), 1)))
		}
		lines = append(lines, strings.TrimRight(b.String(), " "))
	}
	lines = append(lines, "", s.Subtle.Render("esc hides them"))
	return strings.Join(lines, "\n")
}
