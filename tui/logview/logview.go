// Package logview is the console's Logs screen: the node's own log lines,
// live, filterable by level and text, with a cursor that stays on its line
// while new ones arrive, long lines truncated or wrapped, and any line
// opened in full.
package logview

import (
	"log/slog"
	"sort"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/filter"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keep is how many lines the screen holds.
const keep = 2000

var levels = []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}

var (
	keyLevel  = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "level"))
	keyFollow = key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "follow"))
	keyWrap   = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap"))
	keyOpen   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "full line"))
	keyClose  = key.NewBinding(key.WithKeys("esc", "enter", "q"), key.WithHelp("esc", "close"))
	keyNext   = key.NewBinding(key.WithKeys("n"), key.WithHelp("n/N", "match"))
	keyPrev   = key.NewBinding(key.WithKeys("N"))
)

// Model is the Logs screen. Lines are known by their sequence number (the
// first line kept is first, the next first+1...), so the cursor and the
// view stay on their lines while lines arrive and old ones are dropped.
type Model struct {
	c      *common.Common
	lines  []api.LogLine
	first  int  // sequence number of lines[0]
	min    int  // index into levels
	follow bool // the cursor is on the newest line and stays there
	sel    int  // sequence number of the cursor's line (when not following)
	top    int  // sequence number of the first line shown (when not following)
	wrap   bool // long lines wrap rather than end in an ellipsis
	open   *api.LogLine
	filter filter.Model
	// search is the query of a filter cleared with esc (lower case): its
	// matches stay highlighted among every line, n and N jump to them.
	search string
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
		m.add(msg.Line)
	case tea.PasteMsg:
		if m.filter.Editing() {
			return m, m.onFilter(msg)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// add keeps a new line, dropping the oldest past keep. The cursor and the
// view hold sequence numbers, so they do not move.
func (m *Model) add(l api.LogLine) {
	m.lines = append(m.lines, l)
	if drop := len(m.lines) - keep; drop > 0 {
		m.lines = append(m.lines[:0:0], m.lines[drop:]...)
		m.first += drop
	}
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
	switch {
	case m.open != nil:
		if key.Matches(msg, keyClose) {
			m.open = nil
		}
		return nil
	case m.filter.Editing():
		return m.onFilter(msg)
	}
	switch {
	case key.Matches(msg, k.Filter):
		return m.filter.Open()
	case key.Matches(msg, keyOpen):
		m.openSelected()
	case key.Matches(msg, k.Back):
		// The cursor stays on its line: a match found with the filter
		// shows among its neighbours once the filter is cleared, and
		// its query stays the search of n and N until a second esc.
		m.search = strings.ToLower(m.filter.Query())
		m.filter.Clear()
	case m.search != "" && key.Matches(msg, keyNext):
		return m.jump(1)
	case m.search != "" && key.Matches(msg, keyPrev):
		return m.jump(-1)
	case key.Matches(msg, keyLevel):
		m.min = (m.min + 1) % len(levels)
	case key.Matches(msg, keyWrap):
		m.wrap = !m.wrap
	case key.Matches(msg, keyFollow):
		m.setFollow(!m.follow)
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.rows())
	case key.Matches(msg, k.PageDown):
		m.move(m.rows())
	case key.Matches(msg, k.Top):
		m.move(-len(m.lines))
	case key.Matches(msg, k.Bottom):
		m.follow = true
	}
	return nil
}

// openSelected shows the cursor's line in full.
func (m *Model) openSelected() {
	shown := m.shown()
	if len(shown) == 0 {
		return
	}
	_, sel := m.layout(shown)
	l := m.lines[shown[sel]-m.first]
	m.open = &l
}

// setFollow turns following on, or off with the cursor and view pinned
// where they are.
func (m *Model) setFollow(on bool) {
	if on {
		m.follow = true
		return
	}
	shown := m.shown()
	if len(shown) == 0 {
		return
	}
	top, sel := m.layout(shown)
	m.follow, m.top, m.sel = false, shown[top], shown[sel]
}

// move takes the cursor delta lines shown away.
func (m *Model) move(delta int) {
	shown := m.shown()
	if len(shown) == 0 {
		return
	}
	_, sel := m.layout(shown)
	m.moveTo(shown, sel+delta)
}

// jump takes the cursor to the next line (dir 1) or the previous one (-1)
// that holds the search; it stays where it is when there is none, and
// the status line says so.
func (m *Model) jump(dir int) tea.Cmd {
	shown := m.shown()
	if len(shown) == 0 {
		return nil
	}
	_, sel := m.layout(shown)
	for p := sel + dir; p >= 0 && p < len(shown); p += dir {
		if l := m.lines[shown[p]-m.first]; filter.Contains(l.Message, m.search) || filter.Contains(l.Attrs, m.search) {
			m.moveTo(shown, p)
			return nil
		}
	}
	text := "no line below holds " + m.search
	if dir < 0 {
		text = "no line above holds " + m.search
	}
	return func() tea.Msg { return common.NoticeMsg{Text: text} }
}

// moveTo takes the cursor to a position among the lines shown; reaching
// the newest line resumes following.
func (m *Model) moveTo(shown []int, sel int) {
	sel = min(max(sel, 0), len(shown)-1)
	if sel == len(shown)-1 {
		m.follow = true
		return
	}
	m.follow, m.sel = false, shown[sel]
	top, _ := m.layout(shown)
	m.top = shown[top]
}

// layout is the positions among the lines shown of the first line in the
// view and of the cursor's line, with the cursor's line in the view.
func (m *Model) layout(shown []int) (top, sel int) {
	if len(shown) == 0 {
		return 0, 0
	}
	if m.follow {
		sel = len(shown) - 1
		return m.fitUp(shown, sel), sel
	}
	sel, top = posOf(shown, m.sel), posOf(shown, m.top)
	if top > sel {
		top = sel
	}
	if up := m.fitUp(shown, sel); up > top {
		top = up // the cursor went below the view
	}
	return top, sel
}

// fitUp is the first position of a view whose last line is the one at
// last: as many lines above it as the rows hold.
func (m *Model) fitUp(shown []int, last int) int {
	room := m.rows() - m.height(shown[last])
	top := last
	for top > 0 {
		h := m.height(shown[top-1])
		if h > room {
			break
		}
		room -= h
		top--
	}
	return top
}

// posOf is the position of the line seq among those shown, or of the first
// after it (the last when none is).
func posOf(shown []int, seq int) int {
	return min(sort.SearchInts(shown, seq), len(shown)-1)
}

// height is how many rows the line seq takes.
func (m *Model) height(seq int) int {
	if !m.wrap {
		return 1
	}
	return len(m.wrapped(m.lines[seq-m.first], false))
}

func (m *Model) rows() int { return max(m.c.Height-1-m.filter.Lines(), 1) }

// shown is the sequence numbers of the lines at or above the level shown
// that the text filter lets through (their message or attributes hold the
// query), oldest first.
func (m *Model) shown() []int {
	min := levels[m.min]
	out := make([]int, 0, len(m.lines))
	for i, l := range m.lines {
		if l.Level >= min && m.filter.Match(l.Message, l.Attrs) {
			out = append(out, m.first+i)
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
	switch {
	case m.open != nil:
		return []key.Binding{keyClose}
	case m.filter.Editing():
		return []key.Binding{k.Submit, k.Cancel}
	case m.search != "":
		return []key.Binding{keyNext, keyOpen, keyWrap, keyLevel}
	}
	return []key.Binding{k.Filter, keyOpen, keyWrap, keyLevel}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{{k.Filter, keyNext, keyLevel, keyFollow, keyWrap, keyOpen},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Capturing implements common.Screen: the screen takes text while its
// filter is typed, and every key while a line is open (esc closes it
// rather than leaving the screen).
func (m *Model) Capturing() bool { return m.filter.Editing() || m.open != nil }
