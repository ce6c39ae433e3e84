package staking

import (
	"fmt"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// listView is the three tables and this node's validator.
func (m *Model) listView() string {
	s, h := m.c.Styles, m.c.Height
	if !m.loaded {
		if m.fetchErr != nil {
			return s.Error.Render("✗ " + m.fetchErr.Error())
		}
		return s.Subtle.Render("Reading the validators…")
	}
	head := []string{m.headLine(), ""}
	vTitle, vHeader, vRows := m.validatorTable()
	dTitle, dHeader, dRows := m.delegationTable()
	var uTitle, uHeader string
	var uRows []string
	if len(m.ubRows) > 0 {
		uTitle, uHeader, uRows = m.unbondingTable()
	}
	own := m.ownLines()
	foot := m.footLine()

	fixed := len(head) + 2 + 1 + 2 + len(own) + 1 // titles and headers, the blank lines between, the footer
	if uTitle != "" {
		fixed += 3
	}
	if len(own) > 0 {
		fixed++
	}
	fixed += m.filter.Lines()
	rooms := share(max(h-fixed, 3), len(vRows), len(dRows), len(uRows))

	rv := m.shownValidators()
	lines := append(head, m.windowed(vTitle, vHeader, vRows, max(rv.Pos(m.valCur), 0), rooms[0])...)
	if m.filter.Active() {
		lines = append(lines, m.filter.Line(rv.Len(), rv.Total(), m.c.Width))
	}
	lines = append(lines, "")
	lines = append(lines, m.windowed(dTitle, dHeader, dRows, m.delCur, rooms[1])...)
	if uTitle != "" {
		lines = append(lines, "")
		lines = append(lines, m.windowed(uTitle, uHeader, uRows, 0, rooms[2])...)
	}
	if len(own) > 0 {
		lines = append(append(lines, ""), own...)
	}
	lines = append(lines, foot)
	return strings.Join(lines, "\n")
}

// share divides room rows among tables that want needs rows: each gets up
// to 2 first, then the first table what it wants, then the next.
func share(room int, needs ...int) []int {
	got := make([]int, len(needs))
	for i, n := range needs {
		got[i] = min(n, 2, room)
		room -= got[i]
	}
	for i, n := range needs {
		more := min(n-got[i], room)
		got[i] += more
		room -= more
	}
	return got
}

// windowed is a table's title (with "3–5 of 9" when it does not fit),
// header and the rows that fit, scrolled to keep row sel in view.
func (m *Model) windowed(title, header string, rows []string, sel, room int) []string {
	first := 0
	if room <= 0 && len(rows) > 0 { // no room: say what a taller window shows
		return []string{title + m.c.Styles.Faint.Render(fmt.Sprintf("  %d, in a taller window", len(rows)))}
	}
	if len(rows) > room {
		first = max(0, min(sel-room+1, len(rows)-room))
		title += m.c.Styles.Faint.Render(fmt.Sprintf("  %d–%d of %d", first+1, first+room, len(rows)))
	}
	out := []string{title, header}
	return append(out, rows[first:min(first+room, len(rows))]...)
}

func (m *Model) headLine() string {
	s := m.c.Styles
	active := 0
	for _, v := range m.vals {
		if v.Status == api.ValidatorActive {
			active++
		}
	}
	noun := "validators"
	if len(m.vals) == 1 {
		noun = "validator"
	}
	return s.Title.Render("Staking") + s.Subtle.Render(fmt.Sprintf("  %d %s · %d active · total power %s",
		len(m.vals), noun, active, common.FormatCount(m.totalPower)))
}

// sectionTitle draws a table's title, brighter for the table with the
// cursor.
func (m *Model) sectionTitle(text string, focused bool) string {
	if focused {
		return m.c.Styles.Accent.Render("▸ " + text)
	}
	return m.c.Styles.Label.Render("  " + text)
}

// cells lays out one row: each value in its width, left or right aligned.
type cells []cell

type cell struct {
	text  string
	width int
	right bool
}

func (cs cells) String() string {
	var b strings.Builder
	for i, c := range cs {
		if c.width <= 0 {
			continue
		}
		if i > 0 {
			b.WriteString("  ")
		}
		t := common.Truncate(c.text, c.width)
		pad := strings.Repeat(" ", max(c.width-lipgloss.Width(t), 0))
		if c.right {
			b.WriteString(pad + t)
		} else {
			b.WriteString(t + pad)
		}
	}
	return b.String()
}

// row draws a table row: the selected one in the cursor's style, the
// others in style.
func (m *Model) row(line string, selected bool, render func(...string) string) string {
	if selected {
		return m.c.Styles.Selected.Render(lipgloss.NewStyle().Width(m.c.Width).Render("›" + line))
	}
	return render(" " + line)
}

func (m *Model) footLine() string {
	s := m.c.Styles
	switch {
	case m.err != "":
		return s.Error.Render("✗ " + m.err)
	case m.fetchErr != nil:
		return s.Error.Render("✗ " + m.fetchErr.Error())
	}
	if m.focus == tableValidators && m.valCur < len(m.vals) {
		v := m.vals[m.valCur]
		return m.selectedLine(v.Moniker, v.Operator)
	}
	if r, ok := m.selectedDelegation(); ok {
		return m.selectedLine(r.account.Label+" → "+m.moniker(r.Validator), r.Validator)
	}
	return ""
}

// selectedLine names what the cursor is on with its full address, or the
// short one where the full one would be cut.
func (m *Model) selectedLine(what string, addr ethcommon.Address) string {
	s := m.c.Styles
	a := addr.Hex()
	if lipgloss.Width("Selected "+what+" "+a) > m.c.Width {
		a = common.ShortAddr(addr)
	}
	return s.Label.Render("Selected ") + s.Value.Render(what+" ") + s.Highlight.Render(a)
}
