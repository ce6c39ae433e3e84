package onboarding

import (
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
)

// TestRelockTakesNoPasswordUntilEnter: keys and pastes before enter are
// dropped (and counted), never tried; enter focuses the empty field.
func TestRelockTakesNoPasswordUntilEnter(t *testing.T) {
	w := lockedDevWallet(t)
	c := common.NewCommon()
	c.Width, c.Height = 80, 20
	s := NewRelock(c, w)
	s.SetSize(80, 22)
	if !s.Capturing() || !strings.Contains(plain(s), "press enter to type your password") {
		t.Fatalf("relock prompt:\n%s", plain(s))
	}
	s, out := drive(t, s, typed("right password")...)
	s, out2 := drive(t, s, tea.PasteMsg{Content: "right password"})
	if readyWallet(t, append(out, out2...)) != nil || !w.Locked() {
		t.Fatal("keys typed before enter unlocked the wallet")
	}
	if !strings.Contains(plain(s), "14 keys typed after the lock came on were not taken as a password") {
		t.Fatalf("the dropped keys are not said:\n%s", plain(s))
	}
	s, out = drive(t, s, tuitest.Key("enter"))
	if readyWallet(t, out) != nil || strings.Contains(plain(s), "Wrong password") || strings.Contains(plain(s), "Type your wallet password") {
		t.Fatalf("enter woke the prompt as an attempt:\n%s", plain(s))
	}
	s, out = drive(t, s, typed("right password", "enter")...)
	if readyWallet(t, out) != w || w.Locked() {
		t.Fatalf("the password after enter does not unlock:\n%s", plain(s))
	}
}

func TestGoldenRelock(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c := common.NewCommon()
		c.Width, c.Height = w, h-4
		s := NewRelock(c, lockedDevWallet(t))
		s.SetSize(w, h-2)
		s, _ = drive(t, s, typed("abc")...)
		golden(t, s, w, h)
	})
}
