package accounts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/tuitest"
	"cairn/wallet"
)

// TestExportAsksTheWalletPasswordFirst: a wrong password says so and
// opens nothing; esc goes back to the list.
func TestExportAsksTheWalletPasswordFirst(t *testing.T) {
	e := setup(t, 80, 24)
	m := e.model()
	e.drive(t, keys("e")...)
	if m.mode != modeReauth || !e.s.Capturing() || !strings.Contains(e.view(), "Type the wallet password to export Account 1's private key") {
		t.Fatalf("e: mode %v\n%s", m.mode, e.view())
	}
	e.drive(t, typed("not the password", "enter")...)
	v := e.view()
	if m.mode != modeReauth || len(m.form.Inputs) != 0 || !strings.Contains(v, "Wrong password: nothing was done") {
		t.Fatalf("a wrong password: mode %v\n%s", m.mode, v)
	}
	if strings.Contains(v, "not the password") {
		t.Fatal("the typed password is shown")
	}
	e.drive(t, keys("esc")...)
	if m.mode != modeList || m.reauth != nil {
		t.Fatalf("esc: mode %v", m.mode)
	}
	e.drive(t, keys("e")...)
	e.drive(t, typed(walletPassword, "enter")...)
	if m.mode != modeExport {
		t.Fatalf("the right password does not open the export form: mode %v\n%s", m.mode, e.view())
	}
}

func TestRecoveryWordsAskThePasswordAndHideAgain(t *testing.T) {
	e := setup(t, 80, 24)
	m := e.model()
	words := strings.Fields(wallet.DevMnemonic)
	e.drive(t, keys("w")...)
	e.drive(t, typed("wrong password", "enter")...)
	if m.mode != modeReauth || strings.Contains(e.view(), words[1]) || m.words != nil {
		t.Fatalf("a wrong password showed the words: mode %v\n%s", m.mode, e.view())
	}
	e.drive(t, typed(walletPassword, "enter")...)
	v := e.view()
	if m.mode != modeWords {
		t.Fatalf("the right password: mode %v\n%s", m.mode, v)
	}
	for i, w := range words {
		if !strings.Contains(v, w) {
			t.Fatalf("word %d (%s) is not shown:\n%s", i+1, w, v)
		}
	}
	checkArea(t, e)
	e.drive(t, keys("esc")...)
	if m.mode != modeList || m.words != nil || strings.Contains(e.view(), words[1]) {
		t.Fatalf("esc does not hide the words: mode %v", m.mode)
	}

	// Leaving the screen (another tab, the idle lock) hides them too.
	e.drive(t, keys("w")...)
	e.drive(t, typed(walletPassword, "enter")...)
	e.drive(t, common.FocusMsg{Focused: false})
	if m.mode != modeList || m.words != nil {
		t.Fatalf("the words stay up behind another screen: mode %v", m.mode)
	}
}

func TestGoldenWords(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("w")...)
		e.drive(t, typed(walletPassword, "enter")...)
		golden(t, e)
	})
}

func TestGoldenReauth(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("e")...)
		e.drive(t, typed("wrong password", "enter")...)
		golden(t, e)
	})
}

// toConfirm fills the send form with amount to dest and stops at the
// confirm step.
func toConfirm(t *testing.T, e *env, amount string) {
	t.Helper()
	e.drive(t, keys("s")...)
	e.drive(t, typed(dest.Hex(), "enter")...)
	e.drive(t, typed(amount, "enter")...) // the tip is filled: enter submits
	if m := e.model(); m.mode != modeConfirm {
		t.Fatalf("amount %s: not at the confirm step: %q", amount, m.err)
	}
}

func TestSendAboveTheThresholdAsksThePassword(t *testing.T) {
	e := setup(t, 80, 24)
	m := e.model()

	// 100 CRN is the default threshold: 100 goes at y.
	toConfirm(t, e, "100")
	e.drive(t, keys("y")...)
	if len(e.node.Sent) != 1 || m.draft.Asking() {
		t.Fatalf("100 CRN: sent %d, asked %v", len(e.node.Sent), m.draft.Asking())
	}
	e.drive(t, keys("esc")...)

	toConfirm(t, e, "100.5")
	e.drive(t, keys("y")...)
	if len(e.node.Sent) != 1 || !m.draft.Asking() || !strings.Contains(e.view(), "Type the wallet password to send 100.5 CRN (above the 100 CRN") {
		t.Fatalf("100.5 CRN: sent %d\n%s", len(e.node.Sent), e.view())
	}
	checkArea(t, e)
	e.drive(t, keys("esc")...) // back to the confirm step, nothing sent
	if m.mode != modeConfirm || m.draft.Asking() || len(e.node.Sent) != 1 {
		t.Fatalf("esc: mode %v, sent %d", m.mode, len(e.node.Sent))
	}
	e.drive(t, keys("y")...)
	e.drive(t, typed("wrong password", "enter")...)
	if len(e.node.Sent) != 1 || m.mode != modeConfirm || !strings.Contains(e.view(), "Wrong password: nothing was signed or sent") {
		t.Fatalf("a wrong password: sent %d\n%s", len(e.node.Sent), e.view())
	}
	if strings.Contains(e.view(), "wrong password") {
		t.Fatal("the typed password is shown")
	}
	e.drive(t, keys("y")...)
	e.drive(t, typed(walletPassword, "enter")...)
	if len(e.node.Sent) != 2 || m.mode != modeSent {
		t.Fatalf("the right password: sent %d, mode %v err %q", len(e.node.Sent), m.mode, m.err)
	}
}

func TestSendThresholdFromConsoleToml(t *testing.T) {
	e := setup(t, 80, 24)
	e.c.Home = t.TempDir()
	if err := os.WriteFile(filepath.Join(e.c.Home, "console.toml"), []byte(`send_confirm_above = "1"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	toConfirm(t, e, "1.5")
	e.drive(t, keys("y")...)
	if len(e.node.Sent) != 0 || !strings.Contains(e.view(), "above the 1 CRN set as") {
		t.Fatalf("1.5 CRN over a 1 CRN threshold: sent %d\n%s", len(e.node.Sent), e.view())
	}
	e.drive(t, typed(walletPassword, "enter")...)
	if len(e.node.Sent) != 1 {
		t.Fatalf("not sent after the password: %q", e.model().err)
	}
}

// TestInlineChecksAgreeWithSubmit: what the field shows as it is typed is
// what enter and submit say, for the zero address, an absurd tip and an
// amount that fits the balance only without the fee.
func TestInlineChecksAgreeWithSubmit(t *testing.T) {
	e := setup(t, 100, 30)
	m := e.model()
	e.drive(t, keys("s")...)
	e.drive(t, typed("0x0000000000000000000000000000000000000000")...)
	if !strings.Contains(e.view(), "✗ the zero address") {
		t.Fatalf("the zero address is not refused inline:\n%s", e.view())
	}
	e.drive(t, keys("enter")...)
	if m.form.Focus != fieldTo || !strings.Contains(m.err, "The zero address") {
		t.Fatalf("enter on the zero address: focus %d err %q", m.form.Focus, m.err)
	}
	e.drive(t, keys("ctrl+u")...)
	e.drive(t, typed(dest.Hex(), "enter")...)
	e.drive(t, typed("999999.99999", "tab")...)
	inline := m.sendFieldError(fieldAmount)
	if inline == nil || !strings.Contains(e.view(), "✗ "+inline.Error()) || !strings.Contains(inline.Error(), "plus the max fee") {
		t.Fatalf("amount + max fee above the balance, inline %v:\n%s", inline, e.view())
	}
	e.drive(t, keys("enter")...) // at the tip: every field is filled, submit
	if m.mode != modeSend || m.err != form_(inline) {
		t.Fatalf("submit says %q, the field said %q", m.err, inline)
	}

	if m.form.Focus != fieldAmount {
		t.Fatalf("submit does not go back to the amount: focus %d", m.form.Focus)
	}
	e.drive(t, keys("ctrl+u")...)
	e.drive(t, typed("1", "tab", "ctrl+u")...)
	e.drive(t, typed("5000")...)
	if !strings.Contains(e.view(), "✗ a tip of 5000 gwei is absurd") {
		t.Fatalf("an absurd tip is not refused inline:\n%s", e.view())
	}
	e.drive(t, keys("enter")...)
	if m.mode != modeSend || !strings.Contains(m.err, "absurd") {
		t.Fatalf("submit of an absurd tip: mode %v err %q", m.mode, m.err)
	}
	e.drive(t, keys("ctrl+u")...)
	e.drive(t, typed("50")...) // 50× the 1 gwei base fee: allowed, warned
	if !strings.Contains(e.view(), "! over 10× the base fee of 1 gwei") {
		t.Fatalf("a high tip is not warned about:\n%s", e.view())
	}
	e.drive(t, keys("enter")...)
	if m.mode != modeConfirm {
		t.Fatalf("a high tip (a warning, not an error) does not go on: %q", m.err)
	}
	if len(e.node.Sent) != 0 {
		t.Fatal("sent without a confirm")
	}
}

// form_ is how the form words an error as its status line.
func form_(err error) string {
	s := err.Error()
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func TestGoldenSendPassword(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		toConfirm(t, e, "250")
		e.drive(t, keys("y")...)
		e.drive(t, tuitest.Type("secret")...) // dots only
		golden(t, e)
	})
}
