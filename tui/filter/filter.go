// Package filter is the console's table filter: `/` opens a text input
// under a table, the table shows only the rows whose text contains the
// query (case-insensitive) as it is typed, enter keeps the filter and gives
// the keys back to the table, esc clears it. One Model per table; the
// screen tells it the rows' text through Rows and draws Line under the
// table while Active.
package filter

import (
	"fmt"
	"strings"

	"cairn/tui/common"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Model is one table's filter.
type Model struct {
	c       *common.Common
	input   textinput.Model
	editing bool   // the input has the keys
	query   string // lower-cased; "" shows every row
}

// New returns a closed filter drawn with c's styles.
func New(c *common.Common) Model {
	return Model{c: c, input: common.NewInput(c.Styles, "/", false)}
}

// Editing reports whether the filter's input takes the keys: the screen
// reports it as Capturing, so q, tab and digits type instead of acting.
func (f *Model) Editing() bool { return f.editing }

// Active reports whether the filter shows: being typed, or kept.
func (f *Model) Active() bool { return f.editing || f.query != "" }

// Filtering reports whether a query is narrowing the rows.
func (f *Model) Filtering() bool { return f.query != "" }

// Lines is how many lines Line takes under the table: 1 while Active.
func (f *Model) Lines() int {
	if f.Active() {
		return 1
	}
	return 0
}

// Query is the filter's text as typed.
func (f *Model) Query() string { return f.input.Value() }

// Open gives the keys to the filter's input, keeping a filter already
// typed so it can be edited.
func (f *Model) Open() tea.Cmd {
	f.editing = true
	return f.input.Focus()
}

// Clear empties and closes the filter: every row shows again.
func (f *Model) Clear() {
	f.editing, f.query = false, ""
	f.input.SetValue("")
	f.input.Blur()
}

// Set opens the filter kept on text (not editing), as if typed and
// confirmed.
func (f *Model) Set(text string) {
	f.input.SetValue(text)
	f.query = strings.ToLower(strings.TrimSpace(text))
	f.editing = false
	f.input.Blur()
}

// Update handles a key or a paste while Editing: enter keeps the filter
// (closed when empty) and gives the keys back to the table, esc clears
// it, anything else edits the query, which applies as it is typed.
func (f *Model) Update(msg tea.Msg) tea.Cmd {
	if !f.editing {
		return nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, f.c.Keys.Cancel):
			f.Clear()
			return nil
		case key.Matches(k, f.c.Keys.Submit):
			f.editing = false
			f.input.Blur()
			return nil
		}
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	f.query = strings.ToLower(strings.TrimSpace(f.input.Value()))
	return cmd
}

// Match reports whether a row whose text is made of fields passes the
// filter: some field contains the query, ignoring case. Every row passes
// an empty filter.
func (f *Model) Match(fields ...string) bool {
	if f.query == "" {
		return true
	}
	for _, s := range fields {
		if Contains(s, f.query) {
			return true
		}
	}
	return false
}

// Row is what a table row is found by: Text (what it shows: heights,
// names, agents, log lines) holds the query anywhere; Keys (hashes and
// addresses) start with it, with or without 0x, so a short query of
// digits finds the heights it names, not every hash that holds them.
type Row struct {
	Text []string
	Keys []string
}

// MatchRow reports whether a row passes the filter.
func (f *Model) MatchRow(r Row) bool {
	if f.query == "" || f.Match(r.Text...) {
		return true
	}
	q := strings.TrimPrefix(f.query, "0x")
	if q == "" {
		return len(r.Keys) > 0 // "0x" alone: every row with a hash or an address
	}
	for _, k := range r.Keys {
		k = strings.TrimPrefix(strings.TrimPrefix(k, "0x"), "0X")
		if len(k) >= len(q) && strings.EqualFold(k[:len(q)], q) {
			return true
		}
	}
	return false
}

// Contains reports whether s holds the lower-case query q, ignoring case.
func Contains(s, q string) bool {
	if len(q) > len(s) {
		return false
	}
	return strings.Contains(strings.ToLower(s), q)
}

// Rows is the rows of a table of n that pass the filter, row(i) being the
// i-th row's text and keys.
func (f *Model) Rows(n int, row func(i int) Row) Rows {
	if f.query == "" {
		return Rows{n: n, all: true}
	}
	idx := make([]int, 0, min(n, 64))
	for i := range n {
		if f.MatchRow(row(i)) {
			idx = append(idx, i)
		}
	}
	return Rows{n: n, idx: idx}
}

// Line is the filter under the table: the input (or the query kept) and
// "12 of 340" rows shown, fitted to width.
func (f *Model) Line(shown, total, width int) string {
	s := f.c.Styles
	count := fmt.Sprintf("  %s of %s", common.FormatCount(uint64(shown)), common.FormatCount(uint64(total)))
	if shown == 0 && f.query != "" {
		count = fmt.Sprintf("  no match among %s", common.FormatCount(uint64(total)))
	}
	var line string
	if f.editing {
		common.FitInput(&f.input, width-lipgloss.Width(count)-28)
		line = f.input.View() + s.Subtle.Render(count+" · enter keep · esc clear")
	} else {
		line = s.Accent.Render("/") + s.Value.Render(f.input.Value()) + s.Subtle.Render(count+" · / edit · esc clear")
	}
	return common.Fit(line, width, 1)
}

// Rows are the table rows a filter lets through, by their index in the
// whole table. The zero filter lets every row through and maps each index
// to itself, so a screen draws the same with or without one.
type Rows struct {
	n   int
	all bool
	idx []int // the indexes shown, ascending (when !all)
}

// Len is the number of rows shown.
func (r Rows) Len() int {
	if r.all {
		return r.n
	}
	return len(r.idx)
}

// Total is the number of rows in the table.
func (r Rows) Total() int { return r.n }

// At is the table index of the pos-th row shown.
func (r Rows) At(pos int) int {
	if r.all {
		return pos
	}
	return r.idx[pos]
}

// Pos is the position among the rows shown of table row i, or of the first
// row shown after it (the last one if none is); -1 when none shows.
func (r Rows) Pos(i int) int {
	if r.all {
		return min(max(i, 0), r.n-1)
	}
	if len(r.idx) == 0 {
		return -1
	}
	for p, j := range r.idx {
		if j >= i {
			return p
		}
	}
	return len(r.idx) - 1
}

// Snap is the table index of the row shown at or after i (see Pos); i
// itself when no row shows.
func (r Rows) Snap(i int) int {
	p := r.Pos(i)
	if p < 0 {
		return i
	}
	return r.At(p)
}

// Move is the table index delta rows shown away from row i, clamped to
// the rows shown; i when none shows.
func (r Rows) Move(i, delta int) int {
	p := r.Pos(i)
	if p < 0 {
		return i
	}
	return r.At(min(max(p+delta, 0), r.Len()-1))
}

// Shows reports whether table row i is shown.
func (r Rows) Shows(i int) bool {
	if i < 0 || i >= r.n {
		return false
	}
	if r.all {
		return true
	}
	p := r.Pos(i)
	return p >= 0 && r.idx[p] == i
}
