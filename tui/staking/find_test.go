package staking

import (
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
)

func TestValidatorFilter(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("/"))
	if !e.s.Capturing() {
		t.Fatal("the filter being typed takes every key (d types, not delegate)")
	}
	e.drive(t, tuitest.Type("LANE")...)
	v := e.view()
	table := v[strings.Index(v, "Validators"):strings.Index(v, "1 of 4")]
	if strings.Contains(table, "north-star") || strings.Contains(table, "devnet-0") || !strings.Contains(table, "slow-lane") {
		t.Fatalf("lane shows slow-lane only:\n%s", v)
	}
	if m := e.model(); m.valSel != fakenode.FixtureSlowLane {
		t.Fatal("the cursor moves onto the validator shown")
	}
	e.drive(t, tuitest.Key("enter"))
	e.drive(t, tuitest.Keys("up", "down")...)
	if m := e.model(); m.valSel != fakenode.FixtureSlowLane {
		t.Fatal("the cursor stays among the validators shown")
	}
	e.drive(t, tuitest.Key("esc"))
	if v := e.view(); !strings.Contains(v, "›devnet-0") && !strings.Contains(v, "›slow-lane") || !strings.Contains(v, " north-star  ") || e.model().filter.Active() {
		t.Fatalf("esc clears the filter:\n%s", v)
	}
	// Nothing matches: delegate says why instead of acting on a hidden row.
	e.drive(t, tuitest.Key("/"))
	e.drive(t, tuitest.Typed("zzz", "enter", "d")...)
	if v := e.view(); e.model().mode != modeList || !strings.Contains(v, "No validator matches the filter") {
		t.Fatalf("delegate with no validator shown:\n%s", v)
	}
}

func TestShowValidatorFromJump(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Keys("/", "d", "e", "v", "enter")...) // a filter that hides north-star
	e.drive(t, common.ShowMsg{Kind: common.ShowValidator, Address: fakenode.FixtureNorthStar})
	m := e.model()
	if m.valSel != fakenode.FixtureNorthStar || m.focus != tableValidators || m.filter.Active() {
		t.Fatalf("the jump selects north-star in the validators table, clearing the filter that hid it")
	}
	if v := e.view(); !strings.Contains(v, "Selected north-star") {
		t.Fatalf("the footer names it:\n%s", v)
	}
}

func TestValidatorFilterFits(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Keys("/", "n", "o")...)
		tuitest.Fits(t, e.s.View(), e.c.Width, e.c.Height)
		if v := e.view(); !strings.Contains(v, "north-star") || !strings.Contains(v, "1 of 4") {
			t.Fatalf("the filter line under the validators:\n%s", v)
		}
	})
}
