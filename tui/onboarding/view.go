package onboarding

import (
	"fmt"
	"strings"

	"cairn/tui/common"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// areaWidth and areaHeight are the gate's drawing area (SetSize), or the
// screens' area before the first size arrives.
func (m *Model) areaWidth() int {
	if m.width > 0 {
		return m.width
	}
	return max(m.c.Width, 40)
}

func (m *Model) areaHeight() int {
	if m.height > 0 {
		return m.height
	}
	return max(m.c.Height, 10)
}

// textWidth is how wide paragraphs wrap.
func (m *Model) textWidth() int { return max(min(m.areaWidth(), 90)-2, 20) }

func wrap(s string, w int) string { return ansi.Wordwrap(s, w, "") }

// heading names the flow and the step within it.
func (m *Model) heading(what string) string {
	s := m.c.Styles
	title := map[flow]string{flowCreate: "Create a new wallet", flowImport: "Import recovery words",
		flowKeystore: "Import a keystore file"}[m.flow]
	steps := map[flow][]step{
		flowCreate:   {stepWords, stepConfirm, stepPassword},
		flowImport:   {stepImportWords, stepPassword},
		flowKeystore: {stepKeystorePath, stepKeystorePassword, stepWords, stepConfirm, stepPassword},
	}[m.flow]
	for i, st := range steps {
		if st == m.step {
			return s.Title.Render(title) + s.Subtle.Render(fmt.Sprintf(" · step %d of %d · %s", i+1, len(steps), what))
		}
	}
	return s.Title.Render(title) + s.Subtle.Render(" · "+what)
}

// fieldsView draws the step's fields and its error.
func (m *Model) fieldsView() string {
	s := m.c.Styles
	var b strings.Builder
	for i, in := range m.inputs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("  " + in.View())
	}
	if m.err != "" {
		b.WriteString("\n\n" + s.Error.Render(wrap("✗ "+m.err, m.textWidth())))
	}
	return b.String()
}

// hints are the keys that work in the current step.
func (m *Model) hints() []key.Binding {
	enter := func(help string) key.Binding {
		return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", help))
	}
	back := func(help string) key.Binding {
		return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", help))
	}
	switch m.step {
	case stepChoose:
		return []key.Binding{keyUp, enter("continue"), keyWordsLen, keyQuit}
	case stepWords:
		if _, shown := m.wordsLayout(); !shown {
			return []key.Binding{back("back"), keyQuit}
		}
		return []key.Binding{enter("I wrote them down"), back("back"), keyQuit}
	case stepConfirm:
		return []key.Binding{keyNext, enter("check"), back("show the words again"), keyQuit}
	case stepImportWords:
		return []key.Binding{keyNext, enter("continue"), back("back"), keyQuit}
	case stepPassword:
		return []key.Binding{keyNext, enter("create the wallet"), back("back"), keyQuit}
	case stepKeystorePath, stepKeystorePassword:
		return []key.Binding{enter("continue"), back("back"), keyQuit}
	case stepKeystoreRetry:
		return []key.Binding{enter("import"), back("go on without it"), keyQuit}
	}
	return []key.Binding{keyQuit}
}

// hintLine draws the hints (the gate has no help bar of its own), as many
// as fit in w whole, the first (the step's own keys) first: a hint cut
// mid-way reads as a different key.
func hintLine(bs []key.Binding, st lipgloss.Style, w int) string {
	line := ""
	for _, b := range bs {
		h := b.Help()
		next := h.Key + " " + h.Desc
		if line != "" {
			next = line + " · " + next
		}
		if lipgloss.Width(next) > w {
			break
		}
		line = next
	}
	return st.Render(line)
}

// View implements common.Screen.
func (m *Model) View() string {
	s := m.c.Styles
	var body string
	switch m.step {
	case stepChoose:
		body = m.chooseView()
	case stepKeystorePath:
		body = m.keystorePathView()
	case stepKeystorePassword:
		body = m.keystorePasswordView()
	case stepWords:
		body = m.wordsView()
	case stepConfirm:
		body = m.confirmView()
	case stepImportWords:
		body = m.importView()
	case stepPassword:
		body = m.passwordView()
	case stepBusy:
		body = s.Title.Render(m.spin.Line(m.busy)) + "\n\n" + s.Subtle.Render(wrap("This takes a moment: the password is stretched on purpose, so guessing it is slow.", m.textWidth()))
	case stepKeystoreRetry:
		body = m.keystoreRetryView()
	case stepDone:
		body = s.Success.Render("✓ Wallet ready.")
	}
	return frame(body, hintLine(m.hints(), s.Subtle, m.areaWidth()), m.areaWidth(), m.areaHeight())
}

// frame puts the hint line on the area's last line, below the body.
func frame(body, hint string, w, h int) string {
	lines := strings.Split(body, "\n")
	if len(lines) > h-2 {
		lines = lines[:max(h-2, 0)]
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines, hint)
	return common.Fit(strings.Join(lines, "\n"), w, h)
}
