package logview

import (
	"fmt"
	"log/slog"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// View implements common.Screen.
func (m *Model) View() string {
	if m.c.Logs == nil && m.c.Remote != "" {
		return m.remoteView()
	}
	if m.open != nil {
		return m.openView()
	}
	s := m.c.Styles
	shown := m.shown()
	top, sel := m.layout(shown)
	mode := "following"
	if !m.follow {
		mode = fmt.Sprintf("line %d of %d", sel+1, len(shown))
	}
	header := s.Header.Render(fmt.Sprintf("level ≥ %s · %d lines · %s", levels[m.min], len(shown), mode))
	if m.c.Logs == nil {
		header = s.Subtle.Render("this node's logs are not available here")
	}
	out := []string{header}
	for i := top; i < len(shown) && len(out) <= m.rows(); i++ {
		out = append(out, m.wrapped(m.lines[shown[i]-m.first], i == sel)...)
	}
	out = out[:min(len(out), m.rows()+1)]
	if m.filter.Active() && m.c.Logs != nil {
		out = append(out, m.filter.Line(len(shown), m.levelCount(), m.c.Width))
	}
	return common.Fit(strings.Join(out, "\n"), m.c.Width, m.c.Height)
}

// wrapped is a line as its rows: one (Fit ends it in an ellipsis) or, with
// wrap on, as many as its width needs.
func (m *Model) wrapped(l api.LogLine, selected bool) []string {
	line := m.render(l, selected)
	if !m.wrap {
		return []string{line}
	}
	return strings.Split(ansi.Wrap(line, max(m.c.Width, 10), " "), "\n")
}

// render styles one line; the cursor's line shows in the selection's
// colours, the text filter's matches in the highlight's.
func (m *Model) render(l api.LogLine, selected bool) string {
	s := m.c.Styles
	if selected {
		return s.Selected.Render(plain(l))
	}
	q := m.search
	if m.filter.Filtering() {
		q = strings.ToLower(m.filter.Query())
	}
	return s.Faint.Render(l.Time.Format("15:04:05")) + " " + m.levelStyle(l.Level).Render(fmt.Sprintf("%-5s", l.Level)) + " " +
		mark(l.Message, q, s.Value, s.Highlight) + " " + mark(l.Attrs, q, s.Subtle, s.Highlight)
}

// plain is a line as the list shows it, without styles.
func plain(l api.LogLine) string {
	return l.Time.Format("15:04:05") + " " + fmt.Sprintf("%-5s", l.Level) + " " + l.Message + " " + l.Attrs
}

func (m *Model) levelStyle(l slog.Level) lipgloss.Style {
	s := m.c.Styles
	switch {
	case l >= slog.LevelError:
		return s.Error
	case l >= slog.LevelWarn:
		return s.Warning
	case l >= slog.LevelInfo:
		return s.Success
	}
	return s.Subtle
}

// mark renders text in base with each occurrence of the lower-case query
// q (ignoring case) in hl.
func mark(text, q string, base, hl lipgloss.Style) string {
	if q == "" {
		return base.Render(text)
	}
	lower := strings.ToLower(text)
	if len(lower) != len(text) { // a case change moved bytes: no safe offsets
		return base.Render(text)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, q)
		if i < 0 {
			b.WriteString(base.Render(text))
			return b.String()
		}
		if i > 0 {
			b.WriteString(base.Render(text[:i]))
		}
		b.WriteString(hl.Render(text[i : i+len(q)]))
		text, lower = text[i+len(q):], lower[i+len(q):]
	}
}

// openView is the line the cursor was on, in full: its date and time, its
// level and message, then one attribute a line, each wrapped to the width.
func (m *Model) openView() string {
	s := m.c.Styles
	l := *m.open
	w := max(m.c.Width, 10)
	out := []string{
		s.Header.Render("Log line") + "  " + s.Faint.Render(l.Time.Format("2006-01-02 15:04:05.000 MST")),
		m.levelStyle(l.Level).Render(l.Level.String()) + " " + s.Value.Render(ansi.Wrap(l.Message, w-len(l.Level.String())-1, " ")),
		"",
	}
	for _, a := range splitAttrs(l.Attrs) {
		k, v, _ := strings.Cut(a, "=")
		out = append(out, ansi.Wrap(s.Subtle.Render(k+"=")+s.Value.Render(v), w, ""))
	}
	return common.Fit(strings.Join(out, "\n"), m.c.Width, m.c.Height)
}

// splitAttrs cuts "k=v k2="a b"" into its attributes, keeping quoted
// values (as node/logs writes values with spaces) whole.
func splitAttrs(attrs string) []string {
	var out []string
	var cur strings.Builder
	quoted, escaped := false, false
	for _, r := range attrs {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quoted:
			escaped = true
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// remoteView is the screen of a console attached to a node elsewhere whose
// API does not serve its logs (an older node): they are read on its host.
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
