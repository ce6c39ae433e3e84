package onboarding

import (
	"path/filepath"
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/tuitest"
	"cairn/wallet"
)

// lockedDevWallet writes a dev-mnemonic wallet with two accounts and
// returns it opened, locked.
func lockedDevWallet(t *testing.T) *wallet.Wallet {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wallet.json")
	w, err := wallet.Create(path, wallet.DevMnemonic, "", "right password", fast...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Derive("Savings"); err != nil {
		t.Fatal(err)
	}
	w, err = wallet.Open(path, fast...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func newUnlockScreen(t *testing.T, w *wallet.Wallet, width, height int) common.Screen {
	c := common.NewCommon()
	c.Width, c.Height = width, height-4
	s := NewUnlock(c, w)
	s.SetSize(width, height-2)
	return s
}

func TestGoldenUnlock(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, width, height int) {
		s := newUnlockScreen(t, lockedDevWallet(t), width, height)
		s, _ = drive(t, s, typed("nope", "enter")...)
		golden(t, s, width, height)
	})
}

func TestUnlockWrongThenRight(t *testing.T) {
	w := lockedDevWallet(t)
	s := newUnlockScreen(t, w, 80, 24)
	if !s.Capturing() {
		t.Fatal("the password prompt does not take text")
	}
	s, out := drive(t, s, tuitest.Key("enter"))
	if readyWallet(t, out) != nil || !strings.Contains(plain(s), "Type your wallet password") {
		t.Fatalf("empty password:\n%s", plain(s))
	}
	for i := 1; i <= 4; i++ {
		s, out = drive(t, s, typed("wrong password", "enter")...)
		if readyWallet(t, out) != nil || !w.Locked() {
			t.Fatal("a wrong password unlocked the wallet")
		}
		if !strings.Contains(plain(s), "Wrong password") || !s.Capturing() {
			t.Fatalf("try %d:\n%s", i, plain(s))
		}
	}
	if strings.Contains(plain(s), "wrong password") {
		t.Fatal("the typed password is shown")
	}
	s, out = drive(t, s, typed("right password", "enter")...)
	if got := readyWallet(t, out); got != w {
		t.Fatalf("no WalletReadyMsg for the wallet; view:\n%s", plain(s))
	}
	if w.Locked() {
		t.Fatal("the wallet is still locked")
	}
	if s.Capturing() {
		t.Fatal("still capturing once unlocked")
	}
}

func TestUnlockShowsPublicInfoOnly(t *testing.T) {
	view := plain(newUnlockScreen(t, lockedDevWallet(t), 120, 40))
	if !strings.Contains(view, "2 accounts") || !strings.Contains(view, devFirst) {
		t.Fatalf("unlock view:\n%s", view)
	}
	if strings.Contains(view, "test test") {
		t.Fatal("the unlock view shows the words")
	}
}
