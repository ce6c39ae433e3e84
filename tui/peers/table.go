package peers

import (
	"fmt"
	"strings"
	"time"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
)

// tableChrome are the table's lines besides its rows: its title and the
// column titles.
const tableChrome = 2

// cell is one column of the table: its title, the sort column it shows
// (or -1), its width and alignment.
type cell struct {
	title string
	col   column
	w     int
	right bool
}

// Column widths. The ID and the agent share what the fixed columns leave:
// the ID in full when the agent still gets minAgentW, else abbreviated.
const (
	gutter    = 2 // the cursor mark
	dirW      = 4
	latencyW  = 8
	scoreW    = 6
	heightW   = 8
	uptimeW   = 7
	numCells  = 7
	minAgentW = 16
	// narrowAgentW is the narrowest agent column worth drawing.
	narrowAgentW = 10
	fixedCols    = gutter + dirW + latencyW + scoreW + heightW + uptimeW + numCells - 1
)

func layout(width int, peers []api.Peer) []cell {
	longest := shortIDW
	for _, p := range peers {
		longest = max(longest, len(p.ID))
	}
	rest := width - fixedCols // the ID, a separator and the agent
	idW := min(longest, max(rest-1-minAgentW, shortIDW))
	cells := []cell{
		{"id", -1, idW, false},
		{"dir", byDirection, dirW, false},
		{"latency", byLatency, latencyW, true},
		{"score", byScore, scoreW, true},
		{"height", byHeight, heightW, true},
		{"uptime", byUptime, uptimeW, true},
		{"agent", -1, rest - 1 - idW, false},
	}
	if rest-1-shortIDW < narrowAgentW {
		// Too narrow for an agent to say anything ("cair…"): the agent
		// goes (the detail pane shows it) and the ID takes its room.
		cells = cells[:len(cells)-1]
		cells[0].w = min(longest, max(rest+1, shortIDW))
	}
	return cells
}

// table draws the table's title, its column titles and up to rows rows
// around the cursor.
func (m *Model) table(st *api.Status, w, rows int) []string {
	s := m.c.Styles
	title := s.Title.Render("Peers")
	switch {
	case !m.loaded && len(m.peers) == 0:
		return []string{title, s.Subtle.Render("reading the peers…")}
	case len(m.peers) == 0:
		return []string{title, s.Subtle.Render(pick(st.NodeID == "", "none: this node runs alone", "no peers connected"))}
	}
	cells := layout(w, m.peers)
	out := []string{"", m.titles(cells)}
	rv := m.shown()
	n := rv.Len()
	m.cursor = min(max(m.cursor, 0), len(m.peers)-1)
	m.rowsShown = rows
	if cur := rv.Pos(m.cursor); cur >= 0 {
		if !m.detail && rv.At(cur) != m.cursor {
			m.selectRow(rv.At(cur))
		}
		m.top = min(max(m.top, cur-rows+1), cur)
		m.top = max(min(m.top, n-rows), 0)
	} else {
		out = append(out, s.Subtle.Render("no peer matches the filter"))
	}
	out[0] = title + s.Subtle.Render(m.caption(w-lipgloss.Width(title), n, rows))
	now := m.c.Now()
	for pos := m.top; pos < min(m.top+rows, n); pos++ {
		i := rv.At(pos)
		out = append(out, m.row(m.peers[i], cells, i == m.cursor, now, w))
	}
	if m.filter.Active() {
		out = append(out, m.filter.Line(n, rv.Total(), w))
	}
	return out
}

// caption follows the table's title: how many peers, the sort, and which
// rows show when not all fit, as much of it as fits in w cells.
func (m *Model) caption(w, shown, rows int) string {
	line := fmt.Sprintf("  %d connected · by %s, %s", len(m.peers), m.col.name(), m.col.direction(m.rev))
	if shown > rows {
		if more := fmt.Sprintf(" · showing %d–%d", m.top+1, min(m.top+rows, shown)); lipgloss.Width(line+more) <= w {
			line += more
		}
	}
	return line
}

func (m *Model) titles(cells []cell) string {
	hs := make([]txview.Heading, len(cells))
	for i, c := range cells {
		hs[i] = txview.Heading{Title: c.title, W: c.w, Right: c.right, Sorted: c.col == m.col && c.col >= 0}
	}
	return txview.Headings(m.c.Styles, gutter, hs, m.rev)
}

func (m *Model) row(p api.Peer, cells []cell, selected bool, now time.Time, w int) string {
	s := m.c.Styles
	vals := [numCells]string{
		shortID(p.ID, cells[0].w),
		direction(p.Direction),
		latency(p.LatencyMs),
		fmt.Sprintf("%.1f", p.Score),
		height(p.Height),
		uptime(p.ConnectedSince, now),
		pick(p.Agent == "", "—", p.Agent),
	}
	var b strings.Builder
	b.WriteString(pick(selected, "› ", "  "))
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(txview.Pad(vals[i], c.w, c.right))
	}
	line := txview.Pad(b.String(), w, false)
	if selected {
		return s.Selected.Render(line)
	}
	return s.Value.Render(line)
}

func direction(d string) string {
	switch d {
	case "outbound":
		return "out"
	case "inbound":
		return "in"
	}
	return "?"
}

// latency writes a round trip in milliseconds; "—" until measured.
func latency(ms float64) string {
	switch {
	case ms <= 0:
		return "—"
	case ms < 10:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.0fms", ms)
}

// height writes a reported height; "—" until the peer reported one.
func height(h uint64) string {
	if h == 0 {
		return "—"
	}
	return txview.Num(h)
}

// uptime is how long the connection has been open by the console's clock.
func uptime(since uint64, now time.Time) string {
	if since == 0 {
		return "—"
	}
	return common.Ago(now.Sub(time.UnixMilli(int64(since))))
}
