package peers

import (
	"strings"
	"testing"

	"cairn/tui/tuitest"
)

func TestPeersFilter(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h, true)
		before := shownLabels(m.View())
		keys(t, m, "/")
		if !m.Capturing() {
			t.Fatal("the filter being typed takes every key")
		}
		tuitest.Drive(t, m, tuitest.Type("0.0.9")...) // C's agent
		v := m.View()
		checkFits(t, c, v)
		if got := shownLabels(v); got != "C" || !strings.Contains(tuitest.Plain(v), "1 of 5") {
			t.Fatalf("cairn/0.0.9 is peer C's agent: rows %q (all %q):\n%s", got, before, tuitest.Plain(v))
		}
		keys(t, m, "enter", "enter")
		if !m.detail || label(m.sel) != "C" {
			t.Fatalf("enter opens the one peer shown, not %q", label(m.sel))
		}
		keys(t, m, "esc", "/", "backspace", "backspace", "backspace", "backspace", "backspace")
		tuitest.Drive(t, m, tuitest.Type("INBOUND")...) // B and D
		keys(t, m, "enter")
		if got := shownLabels(m.View()); len(got) != 2 || !strings.Contains(got, "B") || !strings.Contains(got, "D") {
			t.Fatalf("direction in: rows %q", got)
		}
		keys(t, m, "up", "down", "down")
		if l := label(m.sel); l != "B" && l != "D" {
			t.Fatalf("the cursor left the rows shown for %s", l)
		}
		keys(t, m, "esc")
		if got := shownLabels(m.View()); got != before {
			t.Fatalf("esc clears the filter: %q, want %q", got, before)
		}
	})
}

// shownLabels are rowLabels without the filter's line under the rows.
func shownLabels(view string) string {
	var b strings.Builder
	for _, id := range rowIDs(view) {
		if !strings.HasPrefix(id, "/") {
			b.WriteString(label(id))
		}
	}
	return b.String()
}
