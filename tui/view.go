package tui

import (
	"fmt"
	"strings"

	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// chromeLines are the lines the root draws around a screen: the tab bar
// (and its rule), the status line and the help bar.
const chromeLines = 4

// View draws the gate, or the tab bar, the screen in front, the status
// line and the help bar.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "Cairn"
	return v
}

func (m *Model) render() string {
	if m.width == 0 {
		return ""
	}
	s := m.c.Styles
	switch m.phase {
	case phaseGate, phaseLocked:
		title := s.Title.Render("◆ Cairn")
		return lipgloss.JoinVertical(lipgloss.Left, title+"  "+m.noticeView(), "", m.gate.View())
	case phaseStarting:
		return s.Title.Render("◆ Cairn") + "\n\n" + m.noticeView()
	}
	body := m.screens[m.active].View()
	if m.showHelp {
		body = m.fullHelpView()
	}
	body = common.Frame(body, m.c.Width, m.c.Height)
	return strings.Join([]string{m.tabBar(), body, m.noticeView(), m.help.ShortHelpView(m.ShortHelp())}, "\n")
}

func (m *Model) tabBar() string {
	s := m.c.Styles
	right := []string{"", ""}
	if st := m.c.Status; st != nil {
		right = []string{fmt.Sprintf("chain %d · #%d ", st.ChainID, st.Height), fmt.Sprintf("#%d ", st.Height)}
	}
	// The fullest bar that fits: the chain and the head on the right, or
	// only the head; then the brand shortened, then the idle tabs down to
	// their numbers.
	var line string
	for _, v := range []struct {
		brand string
		short bool
	}{{"◆ Cairn", false}, {"◆", false}, {"◆", true}} {
		left := s.Title.Render(v.brand) + m.tabs(v.short)
		line = left
		for _, r := range right {
			if gap := m.width - lipgloss.Width(left) - lipgloss.Width(r); gap >= 1 {
				return s.TabBar.Width(m.width).Render(left + strings.Repeat(" ", gap) + s.Subtle.Render(r))
			}
		}
	}
	return s.TabBar.Width(m.width).Render(common.Fit(line, m.width, 1))
}

// tabs draws the screens' tabs; short draws the idle ones by number only.
func (m *Model) tabs(short bool) string {
	s := m.c.Styles
	var b strings.Builder
	for i, sc := range m.screens {
		label := fmt.Sprintf("%d %s", i+1, sc.Title())
		switch {
		case i == m.active:
			b.WriteString(s.TabActive.Render(label))
		case short:
			b.WriteString(s.TabIdle.Render(fmt.Sprint(i + 1)))
		default:
			b.WriteString(s.TabIdle.Render(label))
		}
	}
	return b.String()
}

func (m *Model) noticeView() string {
	s := m.c.Styles
	if m.jump.Open() && m.phase == phaseMain {
		return m.jump.View(m.width)
	}
	if m.feed.lost && m.phase != phaseGate && m.phase != phaseStarting {
		// Stands over the notices: while the node is away, what fails is
		// the connection, whatever a screen was asking.
		return common.Fit(s.Error.Render("✗ "+m.lostLine()), m.width, 1)
	}
	n := m.notice
	if n.text == "" {
		return ""
	}
	if n.isErr {
		return common.Fit(s.Error.Render("✗ "+n.text), m.width, 1)
	}
	return common.Fit(s.StatusBar.Render(n.text+m.followSuffix()), m.width, 1)
}

func (m *Model) fullHelpView() string {
	s := m.c.Styles
	h := m.help
	h.ShowAll = true
	return s.Title.Render("Keys") + s.Subtle.Render("  (? or esc to close)") + "\n\n" + h.FullHelpView(m.FullHelp())
}
