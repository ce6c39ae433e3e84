package form

import (
	"path/filepath"
	"strings"
	"testing"

	"cairn/tui/keymap"
	"cairn/tui/styles"
	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

const reauthPassword = "correct horse battery"

// drive gives r the messages, runs the commands they return (the check)
// and returns the last verdict.
func drive(t *testing.T, r *Reauth, w *wallet.Wallet, msgs ...tea.Msg) Verdict {
	t.Helper()
	k := keymap.Default()
	v := ReauthPending
	for len(msgs) > 0 {
		msg := msgs[0]
		msgs = msgs[1:]
		var cmd tea.Cmd
		v, cmd = r.Update(msg, w, k)
		if cmd == nil {
			continue
		}
		if out, ok := cmd().(ReauthMsg); ok {
			msgs = append([]tea.Msg{out}, msgs...)
		}
	}
	return v
}

func TestReauthChecksThePasswordWithTheWallet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wallet.json")
	w, err := wallet.Create(path, wallet.DevMnemonic, "", reauthPassword, wallet.WithKDFIterations(1000))
	if err != nil {
		t.Fatal(err)
	}
	s := styles.DefaultStyles(true)
	r, _ := NewReauth(s, "export Account 1's key", 80)

	if v := drive(t, r, w, tuitest.Keys("enter")...); v != ReauthPending || !strings.Contains(r.View(s, 80), "Type the wallet password") {
		t.Fatalf("empty password: verdict %d\n%s", v, tuitest.Plain(r.View(s, 80)))
	}
	if v := drive(t, r, w, tuitest.Typed("hunter22", "enter")...); v != ReauthPending {
		t.Fatalf("a wrong password gave verdict %d", v)
	}
	view := tuitest.Plain(r.View(s, 80))
	if !strings.Contains(view, "Wrong password: nothing was done") {
		t.Fatalf("wrong password not said:\n%s", view)
	}
	if strings.Contains(view, "hunter22") || r.input.Value() != "" {
		t.Fatalf("the wrong password stays on screen or in the field:\n%s", view)
	}
	if v := drive(t, r, w, tuitest.Typed(reauthPassword, "enter")...); v != ReauthOK {
		t.Fatalf("the right password gave verdict %d:\n%s", v, tuitest.Plain(r.View(s, 80)))
	}
	if strings.Contains(tuitest.Plain(r.View(s, 80)), reauthPassword) {
		t.Fatal("the password is shown")
	}

	// An answer for another prompt is not this one's.
	other, _ := NewReauth(s, "show the words", 80)
	r2, _ := NewReauth(s, "unjail", 80)
	drive(t, r2, w, tuitest.Type(reauthPassword)...)
	r2.busy = true
	if v, _ := r2.Update(ReauthMsg{For: other}, w, keymap.Default()); v != ReauthPending {
		t.Fatal("a prompt took another prompt's verdict")
	}
	r2.busy = false
	if v := drive(t, r2, w, tuitest.Keys("esc")...); v != ReauthCancel {
		t.Fatalf("esc gave verdict %d", v)
	}
}
