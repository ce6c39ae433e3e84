package filter

import (
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
)

func typed(t *testing.T, f *Model, keys ...tea.Msg) {
	t.Helper()
	for _, k := range keys {
		f.Update(k)
	}
}

func TestFilterTypingKeepingClearing(t *testing.T) {
	f := New(common.NewCommon())
	if f.Active() || f.Editing() || f.Lines() != 0 {
		t.Fatal("a new filter should be closed")
	}
	f.Update(tuitest.Key("a")) // closed: keys are not its
	if f.Query() != "" {
		t.Fatal("a closed filter took a key")
	}
	f.Open()
	typed(t, &f, tuitest.Type("AbC")...)
	if !f.Editing() || !f.Filtering() || f.Lines() != 1 {
		t.Fatalf("typing: editing %v filtering %v", f.Editing(), f.Filtering())
	}
	if !f.Match("xxabcxx") || !f.Match("no", "ABC") || f.Match("ab c") {
		t.Fatal("the match should be a case-insensitive substring of any field")
	}
	f.Update(tuitest.Key("enter"))
	if f.Editing() || !f.Active() || f.Query() != "AbC" {
		t.Fatalf("enter should keep the filter and give the keys back: editing %v active %v %q", f.Editing(), f.Active(), f.Query())
	}
	f.Open()
	typed(t, &f, tuitest.Keys("backspace", "esc")...)
	if f.Active() || f.Filtering() || f.Query() != "" || !f.Match("anything") {
		t.Fatal("esc should clear and close the filter")
	}
	f.Open()
	f.Update(tea.PasteMsg{Content: "0xDEAD"})
	if !f.Match("0xdeadbeef") {
		t.Fatal("a paste should filter")
	}
	f.Update(tuitest.Key("enter"))
	f.Clear()
	f.Open()
	f.Update(tuitest.Key("enter"))
	if f.Active() {
		t.Fatal("enter on an empty filter should close it")
	}
}

func TestRows(t *testing.T) {
	f := New(common.NewCommon())
	rows := []string{"alpha", "beta", "gamma", "delta", "epsilon"}
	text := func(i int) Row { return Row{Text: []string{rows[i]}} }

	all := f.Rows(len(rows), text)
	if all.Len() != 5 || all.At(3) != 3 || all.Pos(9) != 4 || all.Move(1, 2) != 3 || all.Move(1, -5) != 0 || !all.Shows(4) || all.Shows(5) {
		t.Fatal("without a query every row shows, each at its own index")
	}
	f.Set("TA")
	r := f.Rows(len(rows), text)
	if r.Len() != 2 || r.Total() != 5 || r.At(0) != 1 || r.At(1) != 3 {
		t.Fatalf("rows beta and delta should show: %+v", r)
	}
	for _, c := range []struct{ i, pos, snap int }{{0, 0, 1}, {1, 0, 1}, {2, 1, 3}, {3, 1, 3}, {4, 1, 3}} {
		if p, s := r.Pos(c.i), r.Snap(c.i); p != c.pos || s != c.snap {
			t.Errorf("row %d: pos %d snap %d, want %d %d", c.i, p, s, c.pos, c.snap)
		}
	}
	if r.Move(1, 1) != 3 || r.Move(3, 1) != 3 || r.Move(3, -7) != 1 || r.Shows(2) || !r.Shows(3) {
		t.Fatal("moves go between the rows shown")
	}
	f.Set("zzz")
	none := f.Rows(len(rows), text)
	if none.Len() != 0 || none.Pos(2) != -1 || none.Snap(2) != 2 || none.Move(2, 1) != 2 || none.Shows(2) {
		t.Fatal("with no row shown, the cursor stays and nothing is selectable")
	}
	g := New(common.NewCommon())
	if empty := g.Rows(0, text); empty.Len() != 0 || empty.Pos(0) != -1 {
		t.Fatal("an empty table shows nothing")
	}
}

func TestLine(t *testing.T) {
	f := New(common.NewCommon())
	f.Open()
	typed(t, &f, tuitest.Type("ab")...)
	if l := tuitest.Plain(f.Line(12, 340, 80)); !strings.Contains(l, "/ab") || !strings.Contains(l, "12 of 340") || !strings.Contains(l, "esc clear") {
		t.Fatalf("the editing line: %q", l)
	}
	f.Update(tuitest.Key("enter"))
	if l := tuitest.Plain(f.Line(0, 1234, 80)); !strings.Contains(l, "/ab") || !strings.Contains(l, "no match among 1,234") || !strings.Contains(l, "/ edit") {
		t.Fatalf("the kept line: %q", l)
	}
	tuitest.Fits(t, f.Line(1, 2, 20), 20, 1)
}

func TestKeysMatchFromTheirStart(t *testing.T) {
	f := New(common.NewCommon())
	row := Row{Text: []string{"12"}, Keys: []string{"0xAbCd1200", "0x9912"}}
	for q, want := range map[string]bool{"12": true, "abcd": true, "0xABCD12": true, "0x99": true, "cd12": false, "1200": false, "0x": true, "x": false} {
		f.Set(q)
		if got := f.MatchRow(row); got != want {
			t.Errorf("query %q: match %v, want %v", q, got, want)
		}
	}
}
