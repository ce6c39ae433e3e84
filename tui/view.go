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
	body = lipgloss.NewStyle().Height(m.c.Height).MaxHeight(m.c.Height).Render(common.Fit(body, m.c.Width, m.c.Height))
	return strings.Join([]string{m.tabBar(), body, m.noticeView(), m.help.ShortHelpView(m.ShortHelp())}, "\n")
}

func (m *Model) tabBar() string {
	s := m.c.Styles
	parts := []string{s.Title.Render("◆ Cairn")}
	for i, sc := range m.screens {
		label := fmt.Sprintf("%d %s", i+1, sc.Title())
		if i == m.active {
			parts = append(parts, s.TabActive.Render(label))
		} else {
			parts = append(parts, s.TabIdle.Render(label))
		}
	}
	left := strings.Join(parts, "")
	line := left
	if st := m.c.Status; st != nil {
		// The chain and the head on the right, or only the head when the
		// tabs leave too little room.
		for _, right := range []string{fmt.Sprintf("chain %d · #%d ", st.ChainID, st.Height), fmt.Sprintf("#%d ", st.Height)} {
			if gap := m.width - lipgloss.Width(left) - lipgloss.Width(right); gap >= 1 {
				line = left + strings.Repeat(" ", gap) + s.Subtle.Render(right)
				break
			}
		}
	}
	return s.TabBar.Width(m.width).Render(common.Fit(line, m.width, 1))
}

func (m *Model) noticeView() string {
	s := m.c.Styles
	if m.notice == "" {
		return ""
	}
	if m.isErr {
		return common.Fit(s.Error.Render("✗ "+m.notice), m.width, 1)
	}
	return common.Fit(s.StatusBar.Render(m.notice), m.width, 1)
}

func (m *Model) fullHelpView() string {
	s := m.c.Styles
	h := m.help
	h.ShowAll = true
	return s.Title.Render("Keys") + s.Subtle.Render("  (? or esc to close)") + "\n\n" + h.FullHelpView(m.FullHelp())
}
