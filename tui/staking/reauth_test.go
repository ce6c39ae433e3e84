package staking

import (
	"strings"
	"testing"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
)

// jailedEnv is setup with this node's validator jailed and its jail time
// over, at the unjail confirm step.
func jailedEnv(t *testing.T, w, h int) *env {
	t.Helper()
	e := setup(t, w, h)
	vals, dels := fakenode.FixtureStaking()
	vals.Validators[0].Status = api.ValidatorJailed
	vals.Validators[0].JailedUntil = uint64(e.now.Add(-time.Second).UnixMilli())
	e.node.SetStaking(vals, dels)
	e.drive(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 13}}})
	e.drive(t, tuitest.Keys("U", "enter")...)
	if e.model().mode != modeConfirm {
		t.Fatalf("not at the unjail's confirm step:\n%s", e.view())
	}
	return e
}

func TestUnjailAsksTheWalletPasswordAgain(t *testing.T) {
	e := jailedEnv(t, 100, 30)
	e.drive(t, tuitest.Key("y"))
	e.must(t, "Type the wallet password to unjail devnet-0")
	if !e.s.Capturing() || len(e.node.Sent) != 0 {
		t.Fatalf("the prompt: capturing %v, sent %d", e.s.Capturing(), len(e.node.Sent))
	}
	e.drive(t, tuitest.Typed("not it", "enter")...)
	e.must(t, "Wrong password: nothing was signed or sent")
	if len(e.node.Sent) != 0 || strings.Contains(e.view(), "not it") {
		t.Fatalf("a wrong password: sent %d\n%s", len(e.node.Sent), e.view())
	}
	e.drive(t, tuitest.Keys("y", "esc")...) // the prompt again, then back
	if e.model().mode != modeConfirm || e.model().draft.Asking() {
		t.Fatal("esc at the prompt does not go back to the confirm step")
	}
	e.drive(t, tuitest.Key("y"))
	e.drive(t, tuitest.Typed("pw", "enter")...)
	if _, method, _ := lastSent(t, e, e.w.Default().Address); method != "unjail" {
		t.Fatalf("sent %s", method)
	}
}

func TestGoldenUnjailPassword(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := jailedEnv(t, w, h)
		e.drive(t, tuitest.Key("y"))
		golden(t, e)
	})
}

func TestAnAbsurdTipIsRefused(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Keys("down", "d")...)
	e.drive(t, tuitest.Typed("10", "tab", "ctrl+u")...)
	e.drive(t, tuitest.Typed("2000")...)
	e.must(t, "✗ a tip of 2000 gwei is absurd")
	e.drive(t, tuitest.Key("enter"))
	if e.model().mode != modeForm || !strings.Contains(e.model().err, "absurd") {
		t.Fatalf("submit of an absurd tip: mode %v err %q", e.model().mode, e.model().err)
	}
}
