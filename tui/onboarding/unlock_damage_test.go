package onboarding

import (
	"fmt"
	"strings"
	"testing"

	"cairn/wallet"
)

// A damaged wallet file is said to be damage, with the way out, and a
// wrong password stays a wrong password.
func TestUnlockTellsDamageFromAWrongPassword(t *testing.T) {
	u := &Unlock{busy: true}
	u.onUnlocked(unlockedMsg{fmt.Errorf("unlock: %w", wallet.ErrCorrupt)})
	if !strings.Contains(u.err, "damaged") || !strings.Contains(u.err, "cairn wallet import") {
		t.Fatalf("damaged file: %q", u.err)
	}
	u.busy = true
	u.onUnlocked(unlockedMsg{wallet.ErrWrongPassword})
	if !strings.HasPrefix(u.err, "Wrong password") {
		t.Fatalf("wrong password: %q", u.err)
	}
}
