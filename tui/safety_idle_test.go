package tui

import (
	"strings"
	"testing"

	"cairn/tui/tuitest"
)

// TestIdleLockTakesNoFormKeystrokeAsAPassword: the idle lock comes on
// while the user is typing into the send form; what they type next (the
// rest of the address, enter) is not a password attempt. The lock takes
// no password until enter (an explicit focus), says how many keys it
// dropped, and the form is as it was after the unlock.
func TestIdleLockTakesNoFormKeystrokeAsAPassword(t *testing.T) {
	m, _ := unlocked(t, 100, 30)
	drive(t, m, tuitest.Keys("2", "s")...)
	if !m.screens[m.active].Capturing() {
		t.Fatal("the send form is not open")
	}
	drive(t, m, tuitest.Type("0x9965507D1a55")...)
	drive(t, m, idleMsg{gen: m.idleGen}) // the lock fires mid-typing
	if m.phase != phaseLocked {
		t.Fatalf("phase %d, want locked", m.phase)
	}
	// The rest of the address, meant for the form: swallowed, and said so.
	drive(t, m, tuitest.Type("bcC2695C58ba16FB37d819B0A4dc")...)
	view := tuitest.Plain(m.render())
	if !strings.Contains(view, "press enter to type your password") || !strings.Contains(view, "28 keys typed after the lock came on were not taken as a password") {
		t.Fatalf("the lock does not say how to unlock, or that it ignored the keys:\n%s", view)
	}
	// The form's enter: it focuses the password field, it is no attempt.
	drive(t, m, tuitest.Key("enter"))
	settle(t, m, func() bool { // an unlock attempt, if one started, ends
		return !strings.Contains(tuitest.Plain(m.render()), "Unlocking")
	})
	view = tuitest.Plain(m.render())
	if strings.Contains(view, "Wrong password") || strings.Contains(view, "Type your wallet password") || m.phase != phaseLocked {
		t.Fatalf("form keystrokes were taken as a password attempt (phase %d):\n%s", m.phase, view)
	}
	if m.c.Wallet.Locked() != true {
		t.Fatal("the wallet unlocked")
	}
	// Now the user means it: the password, enter.
	drive(t, m, tuitest.Typed(password, "enter")...)
	settle(t, m, func() bool { return m.phase == phaseMain })
	if m.phase != phaseMain || m.c.Wallet.Locked() {
		t.Fatalf("after enter and the password: phase %d\n%s", m.phase, tuitest.Plain(m.render()))
	}
	if v := tuitest.Plain(m.render()); !strings.Contains(v, "0x9965507D1a55") || strings.Contains(v, "bcC2695C58") {
		t.Fatalf("the form is not as it was before the lock:\n%s", v)
	}
}
