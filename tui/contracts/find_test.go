package contracts

import (
	"strings"
	"testing"

	"cairn/chain/staking/stakingabi"
	"cairn/tui/common"
	"cairn/tui/tuitest"
)

func TestListFilter(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("/"))
	if !e.s.Capturing() {
		t.Fatal("the filter being typed takes every key (n and a type, not deploy and add)")
	}
	e.drive(t, tuitest.Type("tok")...)
	if v := e.view(); strings.Contains(v, "built in: validators") || !strings.Contains(v, "Token") || !strings.Contains(v, "1 of 2") {
		t.Fatalf("tok shows Token only:\n%s", v)
	}
	e.drive(t, tuitest.Keys("enter", "enter")...)
	if m := e.model(); m.mode != modePage || m.page.entry.Name != "Token" {
		t.Fatalf("enter opens the one contract shown; mode %d", m.mode)
	}
	e.drive(t, tuitest.Keys("esc", "esc")...)
	if v := e.view(); !strings.Contains(v, "built in: validators") || e.model().filter.Active() {
		t.Fatalf("esc on the list clears the filter:\n%s", v)
	}
}

func TestShowContractFromJump(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, common.ShowMsg{Kind: common.ShowContract, Address: tokenAddr})
	if m := e.model(); m.mode != modePage || m.page.entry.Name != "Token" {
		t.Fatalf("the jump opens Token's page; mode %d", m.mode)
	}
	e.drive(t, common.ShowMsg{Kind: common.ShowContract, Address: stakingabi.Address})
	if m := e.model(); m.mode != modePage || m.page.entry.Name != stakingName {
		t.Fatal("and the staking contract's")
	}
}

func TestListFilterFits(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Keys("/", "0", "x")...)
		tuitest.Fits(t, e.s.View(), e.c.Width, e.c.Height)
		e.must(t, "2 of 2")
	})
}
