package mempool

import (
	"testing"

	"cairn/tui/styles"

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
