package mempool

import (
	"strings"
	"testing"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// selectedRow is the short hash on the row the view marks with the
// cursor, or "" if no row shown is marked.
func selectedRow(view string) string {
	for _, l := range strings.Split(tuitest.Plain(view), "\n")[2:] {
		if strings.HasPrefix(l, "›") {
			if f := strings.Fields(strings.TrimLeft(l, " ›•")); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// TestCursorStaysOnItsTransactionInAFlood: with the table sorted by tip
// and a filter on, a selected transaction keeps the cursor while 1,000
// transactions arrive in batches (many sorting above it) and a block
// takes others; the table scrolls to keep it in view.
func TestCursorStaysOnItsTransactionInAFlood(t *testing.T) {
	for _, filtered := range []bool{false, true} {
		name := map[bool]string{false: "all rows", true: "filtered"}[filtered]
		t.Run(name, func(t *testing.T) {
			c, _, clk, m := setup(t, 80, 24)
			feed(t, m, clk)
			tuitest.Drive(t, m, tuitest.Keys("s", "down", "down", "down", "down")...) // by tip; the fake's P1
			if filtered {
				// "0x" matches every hash: the filter is on and hides nothing
				// it need not, so the flood still sorts rows above.
				tuitest.Drive(t, m, tuitest.Typed("0x", "enter")...)
			}
			want := selectedRow(m.View())
			if want == "" {
				t.Fatal("no row is selected")
			}
			before := m.cursor
			flood := floodEvents(1000)
			for b := 0; b < 5; b++ {
				tuitest.Drive(t, m, flood[b*200:(b+1)*200]...)
				if b == 2 {
					tuitest.Drive(t, m, includes(flood[:50], flood[300:340]))
				}
				tuitest.Drive(t, m, common.TickMsg{Time: clk.t})
				view := m.View()
				checkFits(t, c, view)
				if got := selectedRow(view); got != want {
					t.Fatalf("after batch %d the cursor is on %q, want %q:\n%s", b+1, got, want, tuitest.Plain(view))
				}
			}
			if m.cursor <= before+100 {
				t.Fatalf("the cursor went from row %d to %d: the flood should have put hundreds of rows above it", before, m.cursor)
			}
		})
	}
}

// includes is a block event that includes the given tx events.
func includes(evs ...[]tea.Msg) tea.Msg {
	var hs []ethcommon.Hash
	for _, ev := range evs {
		for _, e := range ev {
			hs = append(hs, e.(common.EventMsg).Tx.Hash)
		}
	}
	return common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 13, Transactions: hs}}}
}

// TestIncludedSelectionGoesToANeighbour: when the selected transaction
// leaves (included, or dropped), the cursor takes the row now at its
// place, not the top of the table; at the bottom, the row above.
func TestIncludedSelectionGoesToANeighbour(t *testing.T) {
	_, _, clk, m := setup(t, 80, 24)
	txs := feed(t, m, clk)
	tuitest.Drive(t, m, tuitest.Keys("down", "down")...) // age order: E3 E2 E1 E0 P0 P1 P2
	rows := rowHashes(m.View())
	if got, want := selectedRow(m.View()), short(txs[1].Hash, layout(80, byAge)[0].w); got != want {
		t.Fatalf("selected %s, want E1 %s", got, want)
	}
	// Three newer transactions arrive above it, then the block takes it,
	// before the next drawing. The block's re-fetch is not run: the fake
	// does not hold the events.
	for _, ev := range floodEvents(3) {
		m.Update(ev)
	}
	m.Update(common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 13, Transactions: []ethcommon.Hash{txs[1].Hash}}}})
	if got := selectedRow(m.View()); got != rows[3] {
		t.Fatalf("after E1 was included the cursor is on %s, want its neighbour E0 %s (rows %v)", got, rows[3], rows)
	}
	// The last row leaves: the cursor takes the one above it.
	tuitest.Drive(t, m, tuitest.Key("G"))
	rows = rowHashes(m.View())
	last := m.store.rows.at(m.cursor).hash
	m.Update(common.EventMsg{Event: api.Event{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: last}}})
	if got := selectedRow(m.View()); got != rows[len(rows)-2] {
		t.Fatalf("after the last row was dropped the cursor is on %s, want %s", got, rows[len(rows)-2])
	}
}
