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
		// Esc clears the filter: all five rows are back in their order, the
		// cursor still on its peer. A small screen shows only a window of
		// them (as many rows as before), scrolled to keep the cursor in view,
		// so the rows shown need not be the ones shown before filtering.
		sel := label(m.sel)
		keys(t, m, "esc")
		v = m.View()
		got := shownLabels(v)
		if all := peerLabels(m); all != "BAECD" || !strings.Contains(all, got) || len(got) != len(before) ||
			label(m.sel) != sel || selectedLabel(v) != sel || strings.Contains(tuitest.Plain(v), "of 5") {
			t.Fatalf("esc clears the filter: rows %q of %q with %s selected, want %d rows of BAECD, %s selected:\n%s",
				got, all, selectedLabel(v), len(before), sel, tuitest.Plain(v))
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

// peerLabels are the labels of all the peers in table order.
func peerLabels(m *Model) string {
	var b strings.Builder
	for _, p := range m.peers {
		b.WriteString(label(p.ID))
	}
	return b.String()
}
