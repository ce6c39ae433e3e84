package mempool

import (
	"fmt"
	"strings"
	"time"

	"cairn/tui/blocks/txview"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
)

// cell is one column of the table: what it shows, its title, width and
// alignment.
type cell struct {
	id    int // which value: cHash … cAge
	title string
	col   column // the sort column it shows, or -1
	w     int
	right bool
}

// The table's columns, in drawing order.
const (
	cHash = iota
	cFrom
	cTo
	cNonce
	cValue
	cTip
	cAge
	numCells
)

// Column widths: the hash, from and to columns share what the fixed ones
// leave, between a short 0x1234…cdef and the full value.
const (
	gutter   = 2 // cursor mark and own mark
	minHashW = 11
)

// columns are every column at its fixed width, or its widest for the
// flexible ones (w < 0: up to -w).
var columns = [numCells]cell{
	{cHash, "hash", -1, -66, false},
	{cFrom, "from", byFrom, -42, false},
	{cTo, "to", -1, -42, false},
	{cNonce, "nonce", byNonce, 6, true},
	{cValue, "value CRN", byValue, 12, true},
	{cTip, "tip gwei", byTip, 9, true},
	{cAge, "age", byAge, 7, true},
}

// dropFirst is the order in which a narrow screen gives up columns: the
// recipient, the nonce, the tip, the age, the sender. The hash and the
// value always show, and so does the column the table is sorted by.
var dropFirst = []int{cTo, cNonce, cTip, cAge, cFrom}

// layout chooses the columns that fit width cells, sorted by the column
// sorted, and their widths.
func layout(width int, sorted column) []cell {
	keep := [numCells]bool{}
	for i := range keep {
		keep[i] = true
	}
	for _, i := range dropFirst {
		if need(keep) <= width {
			break
		}
		if columns[i].col != sorted {
			keep[i] = false
		}
	}
	fixed, flexible, n := 0, 0, 0
	for i, c := range columns {
		switch {
		case !keep[i]:
			continue
		case c.w < 0:
			flexible++
		default:
			fixed += c.w
		}
		n++
	}
	flex := max((width-gutter-fixed-(n-1))/max(flexible, 1), minHashW)
	out := make([]cell, 0, n)
	for i, c := range columns {
		if keep[i] {
			if c.w < 0 {
				c.w = min(flex, -c.w)
			}
			out = append(out, c)
		}
	}
	return out
}

// need is the width the kept columns take at their narrowest.
func need(keep [numCells]bool) int {
	w, n := gutter, 0
	for i, c := range columns {
		if !keep[i] {
			continue
		}
		if c.w < 0 {
			w += minHashW
		} else {
			w += c.w
		}
		n++
	}
	return w + n - 1
}

// table draws the header, the column titles and the visible rows only.
func (m *Model) table() string {
	s, w := m.c.Styles, m.c.Width
	if !m.loaded && m.store.len() == 0 {
		return common.Fit(s.Subtle.Render("reading the mempool…"), w, m.c.Height)
	}
	cells := layout(w, m.store.col)
	out := make([]string, 0, m.c.Height)
	out = append(out, m.header(w), m.titles(cells))
	rv := m.shown()
	n := rv.Len()
	switch {
	case rv.Total() == 0:
		out = append(out, s.Subtle.Render("no pending transactions"))
	case n == 0:
		out = append(out, s.Subtle.Render("no pending transaction matches the filter"))
	}
	if n == 0 {
		return m.withFilter(common.Fit(strings.Join(out, "\n"), w, m.c.Height-m.filter.Lines()), n, rv.Total())
	}
	rows := m.rows()
	m.follow()
	cur := rv.Pos(m.cursor)
	m.cursor = rv.At(cur)
	m.pin()
	m.top = min(max(m.top, cur-rows+1), cur)
	m.top = max(min(m.top, n-rows), 0)
	// The header lines are measured; rows are built to exactly w cells.
	out = strings.Split(common.Fit(strings.Join(out, "\n"), w, m.c.Height), "\n")
	now := m.c.Now().UnixMilli()
	p := m.painters()
	for pos := m.top; pos < min(m.top+rows, n) && len(out) < m.c.Height-m.filter.Lines(); pos++ {
		i := rv.At(pos)
		out = append(out, m.row(m.store.rows.at(i), cells, i == m.cursor, now, w, p))
	}
	return m.withFilter(strings.Join(out, "\n"), n, rv.Total())
}

// withFilter adds the filter's line under the table while it shows.
func (m *Model) withFilter(table string, shown, total int) string {
	if !m.filter.Active() {
		return table
	}
	return table + "\n" + m.filter.Line(shown, total, m.c.Width)
}

func (m *Model) header(w int) string {
	s, st := m.c.Styles, m.store
	parts := []string{
		fmt.Sprintf("%s pending", txview.Num(uint64(st.counts.Pending))),
		fmt.Sprintf("%s queued", txview.Num(uint64(st.counts.Queued))),
		formatBytes(st.counts.Bytes),
	}
	if n, total := st.len(), st.total(); n < total {
		parts = append(parts, fmt.Sprintf("showing %s of %s", txview.Num(uint64(n)), txview.Num(uint64(total))))
	}
	// A narrow screen gives up the size, then the queued count, rather
	// than cut the "showing" part.
	for drop := 2; lipgloss.Width(strings.Join(parts, " · ")) > w && drop >= 1 && len(parts) > 2; drop-- {
		parts = append(parts[:drop:drop], parts[drop+1:]...)
	}
	line := strings.Join(parts, " · ")
	if by := fmt.Sprintf(" · by %s, %s", st.col.name(), st.col.direction(st.rev)); lipgloss.Width(line+by) <= w {
		line += by
	}
	if legend := " · • yours"; lipgloss.Width(line+legend) <= w {
		line += legend
	}
	return s.Header.Render(line)
}

func (m *Model) titles(cells []cell) string {
	hs := make([]txview.Heading, len(cells))
	for i, c := range cells {
		hs[i] = txview.Heading{Title: c.title, W: c.w, Right: c.right, Sorted: c.col == m.store.col}
	}
	return txview.Headings(m.c.Styles, gutter, hs, m.store.rev)
}

// rowPainters are the row styles of one drawing.
type rowPainters struct{ plain, selected, selectedOwn, own, queued painter }

func (m *Model) painters() rowPainters {
	s := m.c.Styles
	return rowPainters{
		plain: newPainter(s.Value), selected: newPainter(s.Selected), own: newPainter(s.Highlight),
		selectedOwn: newPainter(s.Selected.Bold(true).Foreground(s.Colors.Accent)), queued: newPainter(s.Subtle),
	}
}

func (m *Model) row(e *entry, cells []cell, selected bool, now int64, w int, p rowPainters) string {
	var b strings.Builder
	b.WriteString(pick(selected, "›", " "))
	b.WriteString(pick(e.own, "•", " "))
	if e.hex == nil {
		e.hex = newHexes(e) // checksummed hex costs a keccak: once per entry shown
	}
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(txview.Pad(value(e, c, now), c.w, c.right))
	}
	line := txview.Pad(b.String(), w, false)
	switch {
	case selected && e.own:
		return p.selectedOwn.paint(line)
	case selected:
		return p.selected.paint(line)
	case e.own:
		return p.own.paint(line)
	case e.queued:
		return p.queued.paint(line)
	}
	return p.plain.paint(line)
}

// value is what cell c of e's row shows.
func value(e *entry, c cell, now int64) string {
	switch c.id {
	case cHash:
		return txview.Abbrev(e.hex.hash, c.w)
	case cFrom:
		return txview.Abbrev(e.hex.from, c.w)
	case cTo:
		return txview.Abbrev(e.hex.to, c.w)
	case cNonce:
		return fmt.Sprint(e.nonce)
	case cValue:
		return txview.Amount(e.value, 4)
	case cTip:
		return common.FormatGwei(e.tip)
	}
	return common.Ago(time.Duration(now-e.arrival) * time.Millisecond)
}

// painter applies a style to one plain, already padded line the way
// Style.Render does (one SGR sequence around the text), measured once per
// drawing instead of once per row: lipgloss measures every string it
// renders, which dominated drawing a full table.
type painter struct{ open, close string }

func newPainter(st lipgloss.Style) painter {
	r := st.Render("x")
	i := strings.IndexByte(r, 'x')
	if i < 0 {
		return painter{}
	}
	return painter{open: r[:i], close: r[i+1:]}
}

func (p painter) paint(s string) string { return p.open + s + p.close }

// hexes are an entry's hash and addresses as drawn.
type hexes struct{ hash, from, to string }

func newHexes(e *entry) *hexes {
	h := &hexes{hash: e.hash.Hex(), from: e.from.Hex(), to: "(create)"}
	if e.to != nil {
		h.to = e.to.Hex()
	}
	return h
}

// formatBytes writes a size the way a person reads it: 342 B, 12.4 kB.
func formatBytes(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
