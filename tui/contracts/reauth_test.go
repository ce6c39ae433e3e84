package contracts

import (
	"strings"
	"testing"

	"cairn/chain"
	"cairn/tui/tuitest"
)

// TestAPayableCallAboveTheThresholdAsksThePassword: a contract call that
// sends more than send_confirm_above (100 CRN by default) asks for the
// wallet password at its confirm step, as a transfer does; a wrong one
// sends nothing.
func TestAPayableCallAboveTheThresholdAsksThePassword(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("enter")) // the built-in Staking contract
	selectFn(t, e, "delegate(address)")
	e.drive(t, tuitest.Key("enter"))
	e.drive(t, tuitest.Typed(chain.DevnetAccounts[1].Hex(), "tab")...)
	e.drive(t, tuitest.Typed("150", "enter")...)
	e.must(t, "Confirm the transaction", "150 CRN")
	e.drive(t, tuitest.Key("y"))
	e.must(t, "Type the wallet password to send 150 CRN (above the 100 CRN")
	e.drive(t, tuitest.Typed("wrong", "enter")...)
	e.must(t, "Wrong password: nothing was signed or sent")
	if len(e.node.Sent) != 0 {
		t.Fatal("sent with a wrong password")
	}
	e.drive(t, tuitest.Key("y"))
	e.drive(t, tuitest.Typed("pw", "enter")...)
	if len(e.node.Sent) != 1 {
		t.Fatalf("not sent after the right password:\n%s", e.view())
	}
	if strings.Contains(e.view(), "wrong") {
		t.Fatal("a password is shown")
	}
}
