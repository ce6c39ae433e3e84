package logview

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"cairn/node/logs"
	"cairn/tui/common"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
)

// long is a line far wider than any terminal, its end marked.
var long = logs.Line{Time: time.Date(2026, 1, 1, 13, 0, 0, 0, time.UTC), Level: slog.LevelWarn, Message: "peer misbehaved",
	Attrs: "peer=" + strings.Repeat("ab", 60) + " reason=\"bad vote from an old round\" END=1"}

func TestCursorStaysOnItsLineWhileLinesArrive(t *testing.T) {
	_, s := setup(t, 100, 14, 80) // info and above: 60 lines, 9 rows
	s, _ = tuitest.Drive(t, s, tuitest.Keys("k", "k", "k")...)
	v := tuitest.Plain(s.View())
	if !strings.Contains(v, "line 57 of 60") {
		t.Fatalf("three lines up from the newest:\n%s", v)
	}
	before := strings.Split(v, "\n")[1:]
	for i := 0; i < 1000; i++ {
		s, _ = tuitest.Drive(t, s, common.LogMsg{Line: logs.Line{Time: time.Now(), Level: slog.LevelInfo, Message: "new line"}})
	}
	v = tuitest.Plain(s.View())
	if !strings.Contains(v, "line 57 of 1060") || strings.Contains(v, "new line") {
		t.Fatalf("scrolled up, 1,000 new lines must not move the view:\n%s", v)
	}
	if after := strings.Split(v, "\n")[1:]; strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("the view moved:\n%s\nwas\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("enter"))
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "height=75") { // 57th of the info-and-above lines
		t.Fatalf("enter opens the cursor's line:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("esc"), tuitest.Key("G"))
	s, _ = tuitest.Drive(t, s, common.LogMsg{Line: logs.Line{Time: time.Now(), Level: slog.LevelInfo, Message: "newest"}})
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "newest") || !strings.Contains(v, "following") {
		t.Fatalf("at the bottom the view follows:\n%s", v)
	}
}

func TestOldLinesDroppedUnderTheCursor(t *testing.T) {
	_, s := setup(t, 100, 14, 80)
	s, _ = tuitest.Drive(t, s, tuitest.Key("g"))
	for i := 0; i < keep+10; i++ {
		s, _ = tuitest.Drive(t, s, common.LogMsg{Line: logs.Line{Time: time.Now(), Level: slog.LevelInfo, Message: "filler"}})
	}
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "line 1 of") || !strings.Contains(v, "filler") {
		t.Fatalf("the cursor's line was dropped: the cursor moves to the oldest kept:\n%s", v)
	}
}

func TestLongLinesTruncateOrWrap(t *testing.T) {
	buf, s := setup(t, 80, 24, 4)
	_ = buf
	s, _ = tuitest.Drive(t, s, common.LogMsg{Line: long}, tuitest.Key("k")) // the cursor off the long line
	v := tuitest.Plain(s.View())
	if !strings.Contains(v, "…") || strings.Contains(v, "END=1") {
		t.Fatalf("by default a long line ends in an ellipsis:\n%s", v)
	}
	tuitest.Fits(t, s.View(), 80, 20)
	s, _ = tuitest.Drive(t, s, tuitest.Key("w"))
	v = tuitest.Plain(s.View())
	if !strings.Contains(v, "END=1") || strings.Contains(v, "…") {
		t.Fatalf("w wraps long lines:\n%s", v)
	}
	tuitest.Fits(t, s.View(), 80, 20)
}

func TestEnterOpensTheFullLine(t *testing.T) {
	_, s := setup(t, 60, 20, 4)
	s, _ = tuitest.Drive(t, s, common.LogMsg{Line: long}, tuitest.Key("enter"))
	if !s.Capturing() {
		t.Fatal("an open line takes the keys, so esc closes it rather than leaving the screen")
	}
	v := tuitest.Plain(s.View())
	for _, want := range []string{"2026-01-01 13:00:00.000", "peer misbehaved", `reason="bad vote from an old round"`, "END=1"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the open line lacks %q:\n%s", want, v)
		}
	}
	tuitest.Fits(t, s.View(), 60, 16)
	s, _ = tuitest.Drive(t, s, tuitest.Key("esc"))
	if s.Capturing() || strings.Contains(tuitest.Plain(s.View()), "END=1") {
		t.Fatalf("esc closes the line:\n%s", tuitest.Plain(s.View()))
	}
}

func TestFilterMatchHighlightedAndCursorKeptOnClear(t *testing.T) {
	_, s := setup(t, 100, 14, 80)
	s, _ = tuitest.Drive(t, s, tuitest.Key("/"))
	s, _ = tuitest.Drive(t, s, tuitest.Typed("height=3", "enter")...) // 3 and 30 to 39 at info and above
	c := common.NewCommon()
	if v := s.View(); !strings.Contains(v, c.Styles.Highlight.Render("height=3")) {
		t.Fatalf("the match is not highlighted:\n%q", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Keys("g", "j", "j")...) // matches: 3, 30, 31...
	s, _ = tuitest.Drive(t, s, tuitest.Key("esc"))
	v := tuitest.Plain(s.View())
	if !strings.Contains(v, "height=31") || !strings.Contains(v, "height=30") || !strings.Contains(v, "of 60") {
		t.Fatalf("esc clears the filter and leaves the cursor on the match, among its neighbours:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("enter"))
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "height=31") || strings.Contains(v, "height=30") {
		t.Fatalf("the cursor is on height=31:\n%s", v)
	}
}

func TestLogsOpenAndWrapGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		_, s := setup(t, w, h, 20)
		s, _ = tuitest.Drive(t, s, common.LogMsg{Line: long}, tuitest.Key("w")) // the cursor on the long line
		tuitest.Fits(t, s.View(), w, h-4)
		wrapped := s.View()
		s, _ = tuitest.Drive(t, s, tuitest.Key("enter"))
		tuitest.Fits(t, s.View(), w, h-4)
		tuitest.Golden(t, wrapped+"\n-----\n"+s.View())
	})
}

// selected is the line the cursor is on, opened in full.
func selected(t *testing.T, s common.Screen) string {
	t.Helper()
	s, _ = tuitest.Drive(t, s, tuitest.Key("enter"))
	v := tuitest.Plain(s.View())
	tuitest.Drive(t, s, tuitest.Key("esc"))
	return v
}

func TestSearchKeptAfterTheFilterJumpsWithNAndShiftN(t *testing.T) {
	_, s := setup(t, 100, 14, 80)
	s, _ = tuitest.Drive(t, s, tuitest.Key("/"))
	s, _ = tuitest.Drive(t, s, tuitest.Typed("height=3", "enter")...)
	s, _ = tuitest.Drive(t, s, tuitest.Key("esc")) // every line again, the search kept
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "height=79") || strings.Contains(v, "of 60") {
		t.Fatalf("esc clears the filter:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("N"))
	if v := selected(t, s); !strings.Contains(v, "height=39") {
		t.Fatalf("N from the newest line goes to the last match, height=39:\n%s", v)
	}
	c := common.NewCommon()
	if v := s.View(); !strings.Contains(v, c.Styles.Highlight.Render("height=3")) {
		t.Fatalf("the kept search is highlighted:\n%q", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("N"))
	if v := selected(t, s); !strings.Contains(v, "height=38") {
		t.Fatalf("N again: height=38:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("n"))
	s, msgs := tuitest.Drive(t, s, tuitest.Key("n"))
	if v := selected(t, s); !strings.Contains(v, "height=39") {
		t.Fatalf("n, n: back on height=39, the last match:\n%s", v)
	}
	if !hasNotice(msgs, "no line below holds height=3") {
		t.Fatalf("past the last match the status line says so: %v", msgs)
	}
	if h := tuitest.Plain(helpText(s)); !strings.Contains(h, "n/N") {
		t.Fatalf("the help offers n/N while a search is kept: %s", h)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("esc"), tuitest.Key("N")) // the second esc drops the search
	if v := selected(t, s); !strings.Contains(v, "height=39") {
		t.Fatalf("without a search N does not move the cursor:\n%s", v)
	}
	if h := helpText(s); strings.Contains(h, "n/N") {
		t.Fatalf("the help offers n/N with no search: %s", h)
	}
}

func hasNotice(msgs []tea.Msg, text string) bool {
	for _, m := range msgs {
		if n, ok := m.(common.NoticeMsg); ok && n.Text == text {
			return true
		}
	}
	return false
}

func helpText(s common.Screen) string {
	var out []string
	for _, b := range s.ShortHelp() {
		out = append(out, b.Help().Key)
	}
	return strings.Join(out, " ")
}
