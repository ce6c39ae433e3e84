// Package logview is the console's Logs screen: the node's own log lines,
// live, filterable by level.
package logview

import (
	"fmt"
	"log/slog"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/filter"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// keep is how many lines the screen holds.
const keep = 2000

var levels = []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}

var (
	keyLevel  = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "level filter"))
	keyFollow = key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "follow"))
)

// Model is the Logs screen.
type Model struct {
	c      *common.Common
	lines  []api.LogLine
	min    int  // index into levels
	offset int  // first shown line among the filtered ones
	follow bool // stick to the newest line
	filter filter.Model
}

// New returns the Logs screen; it starts with the lines the node kept.
func New(c *common.Common) *Model {
	m := &Model{c: c, min: 1, follow: true, filter: filter.New(c)}
	if c.Logs != nil {
		m.lines = c.Logs.Recent()
	}
	return m
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Logs" }

// Init implements common.Screen.
func (m *Model) Init() tea.Cmd { return nil }

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.LogMsg:
		m.lines = append(m.lines, msg.Line)
		if len(m.lines) > keep {
			m.lines = append(m.lines[:0:0], m.lines[len(m.lines)-keep:]...)
		}
	case tea.PasteMsg:
		if m.filter.Editing() {
			return m, m.onFilter(msg)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// onFilter gives a key or a paste to the filter being typed; the view
// follows the newest matching line.
func (m *Model) onFilter(msg tea.Msg) tea.Cmd {
	cmd := m.filter.Update(msg)
	m.follow = true
	return cmd
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if m.filter.Editing() {
		return m.onFilter(msg)
	}
	shown := len(m.filtered())
	page := m.rows()
	switch {
	case key.Matches(msg, k.Filter):
		return m.filter.Open()
	case key.Matches(msg, k.Back):
		m.filter.Clear()
		m.follow = true
	case key.Matches(msg, keyLevel):
		m.min = (m.min + 1) % len(levels)
		m.follow = true
	case key.Matches(msg, keyFollow):
		m.follow = !m.follow
	case key.Matches(msg, k.Up):
		m.scrollTo(m.top(shown) - 1)
	case key.Matches(msg, k.Down):
		m.scrollTo(m.top(shown) + 1)
	case key.Matches(msg, k.PageUp):
		m.scrollTo(m.top(shown) - page)
	case key.Matches(msg, k.PageDown):
		m.scrollTo(m.top(shown) + page)
	case key.Matches(msg, k.Top):
		m.scrollTo(0)
	case key.Matches(msg, k.Bottom):
		m.follow = true
	}
	return nil
}

// scrollTo pins the view at a line; reaching the end resumes following.
func (m *Model) scrollTo(top int) {
	shown := len(m.filtered())
	maxTop := max(shown-m.rows(), 0)
	m.offset = min(max(top, 0), maxTop)
	m.follow = m.offset == maxTop
}

func (m *Model) top(shown int) int {
	if m.follow {
		return max(shown-m.rows(), 0)
	}
	return m.offset
}

func (m *Model) rows() int { return max(m.c.Height-1-m.filter.Lines(), 1) }

// filtered is the lines at or above the level shown that the text filter
// lets through (its message or attributes hold the query).
func (m *Model) filtered() []api.LogLine {
	min := levels[m.min]
	if min == slog.LevelDebug && !m.filter.Filtering() {
		return m.lines
	}
	out := make([]api.LogLine, 0, len(m.lines))
	for _, l := range m.lines {
		if l.Level >= min && m.filter.Match(l.Message, l.Attrs) {
			out = append(out, l)
		}
	}
	return out
}

// levelCount is how many lines the level filter shows (what the text
// filter narrows).
func (m *Model) levelCount() int {
	n := 0
	for _, l := range m.lines {
		if l.Level >= levels[m.min] {
			n++
		}
	}
	return n
}

// SetSize implements common.Screen.
func (m *Model) SetSize(int, int) {}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	if m.filter.Editing() {
		return []key.Binding{k.Submit, k.Cancel}
	}
	return []key.Binding{k.Filter, keyLevel, k.Up, k.Down}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{{k.Filter, keyLevel, keyFollow}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Capturing implements common.Screen: the screen takes text while its
// filter is typed.
func (m *Model) Capturing() bool { return m.filter.Editing() }

// View implements common.Screen.
func (m *Model) View() string {
	s := m.c.Styles
	lines := m.filtered()
	top := m.top(len(lines))
	end := min(top+m.rows(), len(lines))
	mode := "following"
	if !m.follow {
		mode = fmt.Sprintf("line %d of %d", top+1, len(lines))
	}
	header := s.Header.Render(fmt.Sprintf("level ≥ %s · %d lines · %s", levels[m.min], len(lines), mode))
	if m.c.Logs == nil {
		if m.c.Remote != "" {
			return m.remoteView()
		}
		header = s.Subtle.Render("this node's logs are not available here")
	}
	out := []string{header}
	for _, l := range lines[top:end] {
		out = append(out, m.render(l))
	}
	if m.filter.Active() && m.c.Logs != nil {
		out = append(out, m.filter.Line(len(lines), m.levelCount(), m.c.Width))
	}
	return common.Fit(strings.Join(out, "\n"), m.c.Width, m.c.Height)
}

// remoteView is the screen of a console attached to a node elsewhere: the
// API does not serve the node's logs, so they are read on its host.
func (m *Model) remoteView() string {
	s := m.c.Styles
	wrap := lipgloss.NewStyle().Width(max(m.c.Width, 1))
	text := []string{
		s.Header.Render("The node's logs are on its host"),
		"",
		wrap.Render(s.Value.Render("This console is attached to ") + s.Subtle.Render(m.c.Remote) +
			s.Value.Render(" over its API, which does not serve the node's logs.")),
		wrap.Render(s.Value.Render("Read them where the node runs: the output of `cairn node`, or <home>/console.log of a console that runs one.")),
	}
	return common.Fit(strings.Join(text, "\n"), m.c.Width, m.c.Height)
}

func (m *Model) render(l api.LogLine) string {
	s := m.c.Styles
	lvl := s.Subtle
	switch {
	case l.Level >= slog.LevelError:
		lvl = s.Error
	case l.Level >= slog.LevelWarn:
		lvl = s.Warning
	case l.Level >= slog.LevelInfo:
		lvl = s.Success
	}
	return s.Faint.Render(l.Time.Format("15:04:05")) + " " + lvl.Render(fmt.Sprintf("%-5s", l.Level)) + " " +
		s.Value.Render(l.Message) + " " + s.Subtle.Render(l.Attrs)
}
