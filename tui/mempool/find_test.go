package mempool

import (
	"strings"
	"testing"

	"cairn/chain"
	"cairn/tui/tuitest"
)

// query is a sender of one of the specs and the recipient of another:
// two of the seven transactions.
var query = strings.ToLower(chain.DevnetAccounts[9].Hex()[:12])

func TestMempoolFilterGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, clk, m := setup(t, w, h)
		feed(t, m, clk)
		tuitest.Drive(t, m, tuitest.Key("/"))
		tuitest.Drive(t, m, tuitest.Type(query)...)
		t.Run("typing", func(t *testing.T) {
			checkFits(t, c, m.View())
			tuitest.Golden(t, m.View())
		})
		tuitest.Drive(t, m, tuitest.Key("enter"))
		t.Run("kept", func(t *testing.T) {
			checkFits(t, c, m.View())
			tuitest.Golden(t, m.View())
		})
	})
}

func TestMempoolFilter(t *testing.T) {
	_, _, clk, m := setup(t, 120, 40)
	txs := feed(t, m, clk)
	if m.Capturing() {
		t.Fatal("the table takes no text before /")
	}
	tuitest.Drive(t, m, tuitest.Key("/"))
	if !m.Capturing() {
		t.Fatal("the filter being typed takes every key")
	}
	tuitest.Drive(t, m, tuitest.Type(strings.ToUpper(query))...)
	v := m.View()
	got := rowHashes(v)
	if len(got) != 2 {
		t.Fatalf("two transactions involve %s, the table shows %v:\n%s", query, got, tuitest.Plain(v))
	}
	for _, h := range got {
		if !strings.HasPrefix(txs[1].Hash.Hex(), h[:8]) && !strings.HasPrefix(txs[2].Hash.Hex(), h[:8]) {
			t.Fatalf("row %s should not show:\n%s", h, tuitest.Plain(v))
		}
	}
	if p := tuitest.Plain(v); !strings.Contains(p, "2 of 7") {
		t.Fatalf("the filter line should count 2 of 7:\n%s", p)
	}
	tuitest.Drive(t, m, tuitest.Key("enter"))
	if m.Capturing() || !m.filter.Active() {
		t.Fatal("enter keeps the filter and gives the keys back to the table")
	}
	// The cursor moves between the two rows only, and enter opens the one
	// it is on.
	tuitest.Drive(t, m, tuitest.Keys("down", "down", "down")...)
	sel := m.store.rows.at(m.cursor)
	if sel.hash != txs[1].Hash && sel.hash != txs[2].Hash {
		t.Fatalf("the cursor is on a transaction the filter hides: %s", sel.hash.Hex())
	}
	tuitest.Drive(t, m, tuitest.Keys("g")...)
	first := m.store.rows.at(m.cursor).hash
	tuitest.Drive(t, m, tuitest.Keys("G")...)
	if last := m.store.rows.at(m.cursor).hash; last == first || (last != txs[1].Hash && last != txs[2].Hash) {
		t.Fatalf("g and G go to the first and last rows shown: %s %s", first.Hex(), last.Hex())
	}
	tuitest.Drive(t, m, tuitest.Key("esc"))
	if m.filter.Active() || len(rowHashes(m.View())) != 7 {
		t.Fatalf("esc clears the filter: every row again:\n%s", tuitest.Plain(m.View()))
	}
	// A filter nothing matches says so, and enter opens nothing.
	tuitest.Drive(t, m, tuitest.Key("/"))
	tuitest.Drive(t, m, tuitest.Typed("zzz", "enter")...)
	if p := tuitest.Plain(m.View()); !strings.Contains(p, "no pending transaction matches the filter") || !strings.Contains(p, "no match among 7") {
		t.Fatalf("an empty result:\n%s", p)
	}
	tuitest.Drive(t, m, tuitest.Key("enter"))
	if m.want != ([32]byte{}) || m.detail != nil {
		t.Fatal("enter with no row shown opened something")
	}
}
