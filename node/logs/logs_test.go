package logs

import (
	"log/slog"
	"testing"
)

func TestBufferKeepsTheLastLinesInOrder(t *testing.T) {
	b := NewBuffer(3)
	log := slog.New(b.Handler(slog.LevelInfo))
	for i := 0; i < 5; i++ {
		log.Info("line", "i", i)
	}
	log.Debug("below the level")
	got := b.Recent()
	if len(got) != 3 || got[0].Attrs != "i=2" || got[2].Attrs != "i=4" {
		t.Fatalf("recent = %+v, want i=2..4", got)
	}
}

func TestSubscribersGetNewLinesWithAttrsAndGroups(t *testing.T) {
	b := NewBuffer(10)
	c, stop := b.Subscribe(4)
	log := slog.New(b.Handler(slog.LevelDebug)).With("part", "engine").WithGroup("blk")
	log.Warn("slow block", "height", 7, "note", "two words")
	l := <-c
	if l.Level != slog.LevelWarn || l.Message != "slow block" || l.Attrs != `part=engine blk.height=7 blk.note="two words"` {
		t.Fatalf("line = %+v", l)
	}
	stop()
	stop()
	log.Info("after stop")
	select {
	case l := <-c:
		t.Fatalf("got %+v after unsubscribing", l)
	default:
	}
}

func TestSlowSubscriberDoesNotBlockLogging(t *testing.T) {
	b := NewBuffer(10)
	_, stop := b.Subscribe(1)
	defer stop()
	log := slog.New(b.Handler(slog.LevelInfo))
	for i := 0; i < 100; i++ {
		log.Info("x") // must not block on the full subscriber
	}
	if n := len(b.Recent()); n != 10 {
		t.Fatalf("kept %d lines, want 10", n)
	}
}
