package mempool

import (
	"strings"
	"testing"

	"cairn/tui/styles"
	"cairn/tui/tuitest"

	"charm.land/lipgloss/v2"
)

// TestPainterMatchesRender: the per-drawing painter gives what lipgloss
// would for every row style, light and dark.
func TestPainterMatchesRender(t *testing.T) {
	for _, dark := range []bool{true, false} {
		s := styles.DefaultStyles(dark)
		for _, st := range []lipgloss.Style{s.Value, s.Selected, s.Highlight, s.Subtle, s.Selected.Bold(true).Foreground(s.Colors.Accent)} {
			for _, line := range []string{"› 0x61fc…6d692 0x3C44…293BC      1        1,000    1.0s  ", " •0xed6a…35a1c (create)  —  "} {
				if got, want := newPainter(st).paint(line), st.Render(line); got != want {
					t.Errorf("painter %q, Render %q", got, want)
				}
			}
		}
	}
}

// TestNarrowLayoutDropsColumns: a narrow screen gives up the recipient and
// the nonce before anything else, never the sorted column, and the row
// fits; 80 columns and more show every column.
func TestNarrowLayoutDropsColumns(t *testing.T) {
	titles := func(cs []cell) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.title)
		}
		return strings.Join(s, ",")
	}
	width := func(cs []cell) int {
		w := gutter + len(cs) - 1
		for _, c := range cs {
			w += c.w
		}
		return w
	}
	for _, tc := range []struct {
		w    int
		col  column
		want string
	}{
		{120, byAge, "hash,from,to,nonce,value CRN,tip gwei,age"},
		{80, byAge, "hash,from,to,nonce,value CRN,tip gwei,age"},
		{60, byAge, "hash,from,value CRN,tip gwei,age"},
		{60, byNonce, "hash,from,nonce,value CRN,age"},
		{40, byTip, "hash,value CRN,tip gwei"},
	} {
		cs := layout(tc.w, tc.col)
		if got := titles(cs); got != tc.want || width(cs) > tc.w {
			t.Errorf("at %d columns sorted by %s: %s (%d cells), want %s", tc.w, tc.col.name(), got, width(cs), tc.want)
		}
	}
}

// TestNarrowHeaderKeepsWhatItShows: under a flood at 45 columns the
// header gives up the size and the queued count, not "showing N of M".
func TestNarrowHeaderKeepsWhatItShows(t *testing.T) {
	c, _, _, m := setup(t, 45, 20)
	for _, msg := range floodEvents(Keep + 10) {
		m.Update(msg)
	}
	v := m.table()
	checkFits(t, c, v)
	head := strings.Split(tuitest.Plain(v), "\n")[0]
	if head != "5,013 pending · showing 5,000 of 5,013" {
		t.Fatalf("header at 45 columns: %q", head)
	}
}
