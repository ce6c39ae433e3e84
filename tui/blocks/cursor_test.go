package blocks

import (
	"strings"
	"testing"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/tuitest"
)

// selectedRow is the screen line of the selected row and the height it
// shows, or -1 when no row is marked.
func selectedRow(t *testing.T, m *Model) (int, string) {
	t.Helper()
	for i, l := range strings.Split(tuitest.Plain(m.View()), "\n") {
		if strings.HasPrefix(l, "›") {
			return i, strings.Fields(strings.TrimPrefix(l, "›"))[0]
		}
	}
	return -1, ""
}

// feedBlocks sends n new block events on top of the list.
func feedBlocks(m *Model, n int) {
	for range n {
		h := m.blocks[0].Height + 1
		m.Update(common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: synthetic(h, 0)}})
	}
}

// TestCursorStaysWhileBlocksArrive: a selected block stays selected, on
// the same screen line when the rows below allow, while 60 blocks land on
// top: unfiltered, scrolled down the list, and filtered.
func TestCursorStaysWhileBlocksArrive(t *testing.T) {
	cases := []struct {
		name   string
		keys   []string
		want   string
		stable bool // enough rows below the cursor to keep its screen line
	}{
		{"plain", []string{"down", "down", "down"}, "9", false},
		{"scrolled", nil, "", true},
		{"filtered", []string{"/", "1", "enter", "down", "down", "down", "down", "down"}, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _, m := setup(t, 80, 24)
			switch tc.name {
			case "scrolled":
				feedBlocks(m, Keep) // a full list: each new block pushes the oldest out
				drive(t, m, "G", "up", "up")
				_, tc.want = selectedRow(t, m)
			case "filtered":
				feedBlocks(m, 80) // enough rows with a 1 to scroll
				drive(t, m, tc.keys...)
				_, tc.want = selectedRow(t, m)
			default:
				drive(t, m, tc.keys...)
			}
			line, got := selectedRow(t, m)
			if got != tc.want {
				t.Fatalf("selected %q before the blocks, want %q", got, tc.want)
			}
			hash := m.blocks[m.cursor].Hash
			feedBlocks(m, 60)
			checkFits(t, c, m.View())
			line2, got2 := selectedRow(t, m)
			if m.blocks[m.cursor].Hash != hash || got2 != tc.want {
				t.Fatalf("after 60 new blocks the cursor is on %q, want %q", got2, tc.want)
			}
			if line2 < 0 || (tc.stable && line2 != line) {
				t.Fatalf("the selected row moved from screen line %d to %d:\n%s", line, line2, tuitest.Plain(m.View()))
			}
		})
	}
}
