package logview

import (
	"strings"
	"testing"

	"cairn/tui/tuitest"
)

func TestLogsTextFilter(t *testing.T) {
	_, s := setup(t, 100, 30, 40)
	s, _ = tuitest.Drive(t, s, tuitest.Key("/"))
	if !s.Capturing() {
		t.Fatal("the filter being typed takes every key")
	}
	s, _ = tuitest.Drive(t, s, tuitest.Type("HEIGHT=2")...) // info and above: 2, 21, 22, 23, 25, 26, 27, 29 (…0 and …4 and …8 are debug)
	v := tuitest.Plain(s.View())
	lines := 0
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "committed block") {
			lines++
			if !strings.Contains(l, "height=2") {
				t.Fatalf("a line without height=2 shows: %q", l)
			}
		}
	}
	if lines != 8 || !strings.Contains(v, "8 of 30") {
		t.Fatalf("8 of the 30 lines at info and above hold height=2; %d show:\n%s", lines, v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("enter"))
	if s.Capturing() {
		t.Fatal("enter gives the keys back")
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("f")) // the level filter still works under it
	if v := tuitest.Plain(s.View()); strings.Contains(v, "INFO ") || !strings.Contains(v, "of 20") {
		t.Fatalf("warn and above:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("esc"))
	if v := tuitest.Plain(s.View()); strings.Contains(v, "of 20") || !strings.Contains(v, "height=39") {
		t.Fatalf("esc clears the text filter:\n%s", v)
	}
}

func TestLogsTextFilterFits(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		_, s := setup(t, w, h, 80)
		s, _ = tuitest.Drive(t, s, tuitest.Key("/"))
		s, _ = tuitest.Drive(t, s, tuitest.Type("block")...)
		tuitest.Fits(t, s.View(), w, h-4)
		if v := tuitest.Plain(s.View()); !strings.Contains(v, "60 of 60") || !strings.Contains(v, "height=79") {
			t.Fatalf("every line at info and above holds block, the newest shows:\n%s", v)
		}
	})
}
