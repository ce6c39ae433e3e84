package logview

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"cairn/node/logs"
	"cairn/tui/common"
	"cairn/tui/tuitest"
)

func setup(t *testing.T, w, h int, n int) (*logs.Buffer, common.Screen) {
	t.Helper()
	buf := logs.NewBuffer(100)
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	log := slog.New(buf.Handler(slog.LevelDebug))
	for i := 0; i < n; i++ {
		r := slog.NewRecord(base.Add(time.Duration(i)*time.Second), []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}[i%4], "committed block", 0)
		r.AddAttrs(slog.Int("height", i))
		log.Handler().Handle(t.Context(), r)
	}
	c := common.NewCommon()
	c.Logs = buf
	c.Width, c.Height = w, h-4
	return buf, New(c)
}

func TestLogsGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		_, s := setup(t, w, h, 60)
		tuitest.Golden(t, s.View())
	})
}

func TestLevelFilterAndLiveLines(t *testing.T) {
	_, s := setup(t, 100, 30, 8)
	if v := tuitest.Plain(s.View()); strings.Contains(v, "DEBUG") || !strings.Contains(v, "INFO") {
		t.Fatalf("default filter should hide debug and show info:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("f"), tuitest.Key("f")) // info → warn → error
	v := tuitest.Plain(s.View())
	if strings.Contains(v, "WARN ") || !strings.Contains(v, "ERROR") {
		t.Fatalf("error filter:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, common.LogMsg{Line: logs.Line{Time: time.Now(), Level: slog.LevelError, Message: "disk full"}})
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "disk full") {
		t.Fatalf("a new line did not appear while following:\n%s", v)
	}
}

func TestScrollingStopsFollowing(t *testing.T) {
	_, s := setup(t, 100, 14, 80)                                                    // 10 rows of content, 1 header
	s, _ = tuitest.Drive(t, s, tuitest.Key("f"), tuitest.Key("f"), tuitest.Key("f")) // info → warn → error → debug: all 80
	s, _ = tuitest.Drive(t, s, tuitest.Key("g"))
	v := tuitest.Plain(s.View())
	if !strings.Contains(v, "height=0") || !strings.Contains(v, "line 1 of 80") {
		t.Fatalf("top of the log:\n%s", v)
	}
	s, _ = tuitest.Drive(t, s, tuitest.Key("G"))
	if v := tuitest.Plain(s.View()); !strings.Contains(v, "height=79") || !strings.Contains(v, "following") {
		t.Fatalf("bottom of the log:\n%s", v)
	}
}
