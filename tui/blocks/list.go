package blocks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"
	"cairn/tui/filter"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// addBlocks merges blocks into the list: newest first, one per height. A
// cursor below the first row shown stays on its block, on the same screen
// line, as blocks land above it; on the first row shown it follows the
// newest. Positions are counted among the rows the filter shows, so a
// filtered list scrolls by the rows that appear, not by every block.
func (m *Model) addBlocks(bs []*api.Block) {
	rv := m.shown()
	pos := rv.Pos(m.cursor)
	follow := len(m.blocks) == 0 || pos <= 0
	var sel uint64
	if !follow {
		sel = m.blocks[m.cursor].Height
	}
	for _, b := range bs {
		if b != nil && !m.heights[b.Height] {
			m.heights[b.Height] = true
			m.blocks = append(m.blocks, b)
		}
	}
	slices.SortFunc(m.blocks, func(a, b *api.Block) int { return cmp.Compare(b.Height, a.Height) })
	rv = m.shown()
	if follow {
		m.cursor = max(rv.Snap(0), 0)
		return
	}
	m.cursor, _ = slices.BinarySearchFunc(m.blocks, sel, func(b *api.Block, h uint64) int { return cmp.Compare(h, b.Height) })
	m.top += rv.Pos(m.cursor) - pos
}

// prepend puts a new block on top. Past Keep the oldest go, unless the
// user is reading them.
func (m *Model) prepend(b *api.Block) {
	if m.heights[b.Height] {
		return
	}
	m.addBlocks([]*api.Block{b})
	if limit := max(Keep, m.cursor+m.rows()+1); len(m.blocks) > limit {
		for _, old := range m.blocks[limit:] {
			delete(m.heights, old.Height)
		}
		clear(m.blocks[limit:])
		m.blocks = m.blocks[:limit]
	}
}

// lowest is the oldest height in the list (0 when empty).
func (m *Model) lowest() uint64 {
	if len(m.blocks) == 0 {
		return 0
	}
	return m.blocks[len(m.blocks)-1].Height
}

// fetchOlder asks for the page below the list, once at a time.
func (m *Model) fetchOlder() tea.Cmd {
	low := m.lowest()
	if m.olderBusy || m.c.Node == nil || len(m.blocks) == 0 || low == 0 {
		return nil
	}
	m.olderBusy = true
	n := min(uint64(m.page), low)
	return tea.Batch(fetchBlocks(m.c.Node, low-n, int(n), true), m.busy.Start())
}

// onFilter gives a key or a paste to the filter being typed; the cursor
// moves onto a row that still shows.
func (m *Model) onFilter(msg tea.Msg) tea.Cmd {
	cmd := m.filter.Update(msg)
	m.cursor = m.shown().Snap(m.cursor)
	return cmd
}

// shown is the rows the filter lets through: a block shows when its
// height holds the query or its hash or proposer starts with it.
func (m *Model) shown() filter.Rows {
	return m.filter.Rows(len(m.blocks), func(i int) filter.Row {
		b := m.blocks[i]
		return filter.Row{Text: []string{fmt.Sprint(b.Height), txview.Num(b.Height)}, Keys: []string{b.Hash.Hex(), b.Proposer.Hex()}}
	})
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	rv := m.shown()
	n := len(m.blocks)
	page := max(m.rows()-1, 1)
	atBottom := rv.Len() == 0 || rv.Pos(m.cursor) >= rv.Len()-1
	switch {
	case key.Matches(msg, k.Filter):
		return m.filter.Open()
	case key.Matches(msg, k.Up):
		m.cursor = rv.Move(m.cursor, -1)
	case key.Matches(msg, k.Down):
		if atBottom {
			return m.fetchOlder()
		}
		m.cursor = rv.Move(m.cursor, 1)
	case key.Matches(msg, k.PageUp):
		m.cursor = rv.Move(m.cursor, -page)
	case key.Matches(msg, k.PageDown):
		if atBottom {
			return m.fetchOlder()
		}
		m.cursor = rv.Move(m.cursor, page)
	case key.Matches(msg, k.Top):
		m.cursor = rv.Move(0, -n)
	case key.Matches(msg, k.Bottom):
		m.cursor = rv.Move(m.cursor, n)
	case key.Matches(msg, k.Enter):
		if rv.Shows(m.cursor) && m.c.Node != nil {
			m.want = m.blocks[m.cursor].Hash
			return tea.Batch(fetchBlock(m.c.Node, m.want), m.busy.Start())
		}
	}
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
	return nil
}

// rows is how many list rows fit under the two header lines (and over the
// filter's line).
func (m *Model) rows() int { return max(m.c.Height-2-m.filter.Lines(), 1) }

// cell is one list column.
type cell struct {
	title string
	w     int
	right bool
}

// listLayout fits the columns to width: the hash and proposer share what
// the fixed columns leave, the hash first (it names the block; up to its
// full 66 characters), and below 72 columns the proposer goes.
func listLayout(width int) []cell {
	cells := []cell{{"height", 10, true}, {"age", 8, true}, {"txs", 5, true}, {"gas used", 9, true}}
	fixed := 2 + 10 + 8 + 5 + 9 + 4 // gutter, the fixed columns, their separators
	if width < 72 {
		return append(cells, cell{"hash", min(max(width-fixed-1, 11), 66), false})
	}
	flex := max(width-fixed-2, 22) // two more separators
	hash := flex / 2
	if flex >= 66+13 { // the full hash, and a proposer still worth reading
		hash = 66
	}
	return append(cells, cell{"proposer", min(flex-hash, 42), false}, cell{"hash", hash, false})
}

func (m *Model) listView() string {
	s, w, h := m.c.Styles, m.c.Width, m.c.Height
	if !m.loaded && len(m.blocks) == 0 {
		return common.Fit(s.Accent.Render(m.busy.View())+s.Subtle.Render(" reading the latest blocks…"), w, h)
	}
	rv := m.shown()
	head := m.listHead(rv, w)
	cells := listLayout(w)
	var t strings.Builder
	t.WriteString("  ")
	for i, c := range cells {
		if i > 0 {
			t.WriteByte(' ')
		}
		t.WriteString(txview.Pad(c.title, c.w, c.right))
	}
	out := []string{s.Header.Render(head), s.Header.Render(t.String())}
	rows, n := m.rows(), rv.Len()
	if n == 0 && len(m.blocks) > 0 {
		out = append(out, s.Subtle.Render("no block in the list matches the filter"))
	}
	if cur := rv.Pos(m.cursor); cur >= 0 {
		m.cursor = rv.At(cur)
		m.top = min(max(m.top, cur-rows+1), cur)
		m.top = max(min(m.top, n-rows), 0)
	}
	now := m.c.Now()
	for pos := max(m.top, 0); pos < min(m.top+rows, n); pos++ {
		i := rv.At(pos)
		out = append(out, m.listRow(m.blocks[i], cells, i == m.cursor, now, w))
	}
	view := common.Fit(strings.Join(out, "\n"), w, h-m.filter.Lines())
	if m.filter.Active() {
		view += "\n" + m.filter.Line(n, rv.Total(), w)
	}
	return view
}

// listHead is the line over the list: the head, the range held, and what
// is under way. The parts that matter least go first when the width is
// short: "newest first", then the range.
func (m *Model) listHead(rv filter.Rows, w int) string {
	parts := []string{"no blocks yet"}
	if len(m.blocks) > 0 {
		top := txview.Num(m.blocks[0].Height)
		parts = []string{"head " + top, fmt.Sprintf("%d blocks, %s to %s", len(m.blocks), top, txview.Num(m.lowest())), "newest first"}
	}
	var note string
	switch {
	case m.want != (ethcommon.Hash{}):
		note = m.busy.View() + " opening the block…"
	case m.olderBusy:
		note = m.busy.View() + " loading older…"
	case m.lowest() > 0 && (rv.Len() == 0 || rv.Pos(m.cursor) >= rv.Len()-1):
		note = "pgdn for older"
	}
	for {
		line := strings.Join(parts, " · ")
		if note != "" {
			line += " · " + note
		}
		if len(parts) <= 1 || utf8.RuneCountInString(line) <= w {
			return line
		}
		parts = parts[:len(parts)-1]
	}
}

func (m *Model) listRow(b *api.Block, cells []cell, selected bool, now time.Time, w int) string {
	s := m.c.Styles
	gas := "—"
	if b.GasLimit > 0 {
		gas = fmt.Sprintf("%.2f%%", float64(b.GasUsed)*100/float64(b.GasLimit))
	}
	vals := []string{
		txview.Num(b.Height),
		common.Ago(now.Sub(time.UnixMilli(int64(b.Time)))),
		txview.Num(uint64(b.TxCount)),
		gas,
	}
	if len(cells) == 6 {
		vals = append(vals, txview.Abbrev(b.Proposer.Hex(), cells[4].w))
	}
	vals = append(vals, txview.Abbrev(b.Hash.Hex(), cells[len(cells)-1].w))
	var r strings.Builder
	if selected {
		r.WriteString("› ")
	} else {
		r.WriteString("  ")
	}
	for i, c := range cells {
		if i > 0 {
			r.WriteByte(' ')
		}
		r.WriteString(txview.Pad(vals[i], c.w, c.right))
	}
	line := txview.Pad(r.String(), w, false)
	switch {
	case selected:
		return s.Selected.Render(line)
	case b.TxCount == 0:
		return s.Subtle.Render(line)
	}
	return s.Value.Render(line)
}
