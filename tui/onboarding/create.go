package onboarding

import (
	"cairn/tui/common"
	"crypto/rand"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// confirmCount is how many words the user types back.
const confirmCount = 3

// newWords makes a fresh recovery phrase and shows it.
func (m *Model) newWords() tea.Cmd {
	mn, err := m.newMnemonic(m.wordCount)
	if err != nil {
		m.err = "Could not make a recovery phrase: " + err.Error()
		return nil
	}
	m.mnemonic = mn
	m.words = strings.Fields(mn)
	m.toWords()
	return nil
}

// toWords shows the phrase (again).
func (m *Model) toWords() {
	m.step, m.err = stepWords, ""
	m.inputs, m.focus, m.positions = nil, 0, nil
}

func (m *Model) wordsKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, keyBack):
		if m.flow == flowKeystore {
			m.mnemonic, m.words = "", nil
			return m.toKeystorePassword()
		}
		m.toChoose()
	case key.Matches(msg, keyEnter):
		if _, shown := m.wordsLayout(); !shown {
			return nil // not "I wrote them down" for words never on the screen
		}
		return m.toConfirm()
	}
	return nil
}

// pickPositions chooses k distinct indexes below n with crypto/rand, in
// ascending order.
func pickPositions(n, k int) ([]int, error) {
	if k > n {
		return nil, fmt.Errorf("pick %d of %d words", k, n)
	}
	chosen := map[int]bool{}
	for len(chosen) < k {
		r, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
		if err != nil {
			return nil, fmt.Errorf("pick words: %w", err)
		}
		chosen[int(r.Int64())] = true
	}
	out := make([]int, 0, k)
	for i := range chosen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out, nil
}

func (m *Model) toConfirm() tea.Cmd {
	pos, err := m.pick(len(m.words), confirmCount)
	if err == nil {
		for _, p := range pos {
			if p < 0 || p >= len(m.words) {
				err = fmt.Errorf("word position %d out of range", p)
			}
		}
	}
	if err != nil {
		m.err = err.Error()
		return nil
	}
	m.positions = pos
	m.step = stepConfirm
	inputs := make([]textinput.Model, len(pos))
	for i, p := range pos {
		inputs[i] = common.NewInput(m.c.Styles, fmt.Sprintf("Word #%-3d ", p+1), false)
		inputs[i].CharLimit = 16
	}
	return m.setInputs(inputs...)
}

func (m *Model) submitConfirm() tea.Cmd {
	var wrong []int
	for i, p := range m.positions {
		got := strings.ToLower(strings.TrimSpace(m.inputs[i].Value()))
		if got != m.words[p] {
			wrong = append(wrong, i)
		}
	}
	if len(wrong) == 0 {
		return m.toPassword()
	}
	names := make([]string, len(wrong))
	for i, w := range wrong {
		names[i] = fmt.Sprintf("#%d", m.positions[w]+1)
		m.inputs[w].Reset()
	}
	if len(wrong) == 1 {
		m.err = "Word " + names[0] + " does not match. Check your written copy and type it again."
	} else {
		m.err = "Words " + strings.Join(names, ", ") + " do not match. Check your written copy and type them again."
	}
	return m.focusField(wrong[0])
}

// wordsView shows the words in a box, in as many columns (up to four) as
// the area's width holds. Where the area cannot hold them all, it shows
// none and asks for a larger window: a phrase written down with a word
// missing restores nothing.
func (m *Model) wordsView() string {
	v, _ := m.wordsLayout()
	return v
}

// wordsLayout is the words step and whether the words are on it.
func (m *Model) wordsLayout() (string, bool) {
	s := m.c.Styles
	head := m.heading("your recovery phrase") + "\n\n"
	warn := fmt.Sprintf("Write these %d words down on paper, in order, and keep them somewhere safe. "+
		"They are the only way to restore this wallet, and anyone who sees them can take everything in it. "+
		"Never type them into a website.", len(m.words))
	warning := s.Warning.Render(wrap(warn, m.textWidth()))
	box := ""
	for cols := 4; cols >= 1; cols-- {
		box = s.Box.Render(m.wordGrid(cols))
		if lipgloss.Width(box) <= m.areaWidth() {
			break
		}
	}
	next := s.Subtle.Render("Next you type three of them back.")
	body := head + warning + "\n\n" + box + "\n" + next
	if lipgloss.Width(box) > m.areaWidth() || lipgloss.Height(body) > m.areaHeight()-2 {
		return head + s.Error.Render(wrap(tooSmallForWords, m.textWidth())) + "\n\n" + warning, false
	}
	return body, true
}

// tooSmallForWords is what the words step says where they cannot all fit.
const tooSmallForWords = "Make the window larger to see your recovery words: they must all be on the screen at once."

// wordGrid lays the words out numbered, row by row, in cols columns.
func (m *Model) wordGrid(cols int) string {
	s := m.c.Styles
	rows := (len(m.words) + cols - 1) / cols
	var grid strings.Builder
	for r := 0; r < rows; r++ {
		if r > 0 {
			grid.WriteString("\n")
		}
		for c := 0; c < cols; c++ {
			i := r*cols + c
			if i >= len(m.words) {
				break
			}
			cell := s.Subtle.Render(fmt.Sprintf("%2d ", i+1)) + s.Highlight.Render(fmt.Sprintf("%-9s", m.words[i]))
			if c < cols-1 {
				cell += "  "
			}
			grid.WriteString(cell)
		}
	}
	return grid.String()
}

func (m *Model) confirmView() string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(m.heading("confirm your words") + "\n\n")
	b.WriteString(s.Value.Render(wrap("Type these words from your written copy, to be sure it is complete and right.", m.textWidth())) + "\n\n")
	b.WriteString(m.fieldsView())
	return b.String()
}
