package onboarding

import (
	"path/filepath"
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/tuitest"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// spins checks the spinner of a screen whose enter started slow work:
// the work's message and a first tick come out; the tick turns the
// spinner while the work is out; once the work's message is in, a tick
// does nothing more. It returns the screen after the work.
func spins(t *testing.T, s common.Screen, cmd tea.Cmd, busyText string, isWork func(tea.Msg) bool) common.Screen {
	t.Helper()
	var work, tick tea.Msg
	for _, msg := range tuitest.Results(cmd) {
		switch {
		case isWork(msg):
			work = msg
		default:
			if _, ok := msg.(spinner.TickMsg); ok {
				tick = msg
			}
		}
	}
	if work == nil || tick == nil {
		t.Fatalf("enter gave no work and spinner tick: work=%v tick=%v", work, tick)
	}
	before := plain(s)
	if !strings.Contains(before, busyText) {
		t.Fatalf("no %q while busy:\n%s", busyText, before)
	}
	s, next := s.Update(tick)
	if next == nil {
		t.Fatal("the spinner stopped while the work is out")
	}
	if plain(s) == before {
		t.Fatal("a tick did not turn the spinner")
	}
	s, _ = s.Update(work)
	if _, next = s.Update(tick); next != nil {
		t.Fatal("the spinner still ticks after the work ended")
	}
	return s
}

func TestUnlockSpinsWhileChecking(t *testing.T) {
	s := newUnlockScreen(t, lockedDevWallet(t), 80, 24)
	s, _ = drive(t, s, tuitest.Type("right password")...)
	s, cmd := s.Update(tuitest.Key("enter"))
	s = spins(t, s, cmd, "Unlocking…", func(m tea.Msg) bool { _, ok := m.(unlockedMsg); return ok })
	if !strings.Contains(plain(s), "Unlocked") {
		t.Fatalf("not unlocked:\n%s", plain(s))
	}
}

func TestEncryptingSpins(t *testing.T) {
	m := newFirstRun(t, filepath.Join(t.TempDir(), "wallet.json"), 80, 24)
	m.mnemonic = fixedMnemonic(t, 12)
	m.toPassword()
	s, _ := drive(t, m, typed("correct horse", "enter")...)
	s, _ = drive(t, s, tuitest.Type("correct horse")...)
	s, cmd := s.Update(tuitest.Key("enter"))
	spins(t, s, cmd, "Encrypting wallet…", func(msg tea.Msg) bool { _, ok := msg.(createdMsg); return ok })
	if m.step != stepDone {
		t.Fatalf("step %v after the wallet was written, err %q", m.step, m.err)
	}
}
