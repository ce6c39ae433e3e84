package mempool

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestMempoolGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, clk, m := setup(t, w, h)
		feed(t, m, clk)
		view := m.View()
		checkFits(t, c, view)
		tuitest.Golden(t, view)
	})
}

// TestMempoolSortsGolden renders every sort column, natural and reversed.
func TestMempoolSortsGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, clk, m := setup(t, w, h)
		feed(t, m, clk)
		for col := range numColumns {
			for _, rev := range []bool{false, true} {
				name := col.name()
				if rev {
					name += "-reversed"
				}
				t.Run(name, func(t *testing.T) {
					view := m.View()
					checkFits(t, c, view)
					tuitest.Golden(t, view)
				})
				tuitest.Drive(t, m, tuitest.Key("S"))
			}
			tuitest.Drive(t, m, tuitest.Key("s"))
		}
	})
}

// TestSortOrder checks the rows' order for each column against orders
// worked out by hand from the test data (see specs and the fake node's
// three pending transactions).
func TestSortOrder(t *testing.T) {
	_, _, clk, m := setup(t, 120, 40)
	ev := feed(t, m, clk)
	p := func(j int) ethcommon.Hash { return crypto.Keccak256Hash([]byte(fmt.Sprintf("pending-%d", j))) }
	names := map[string]string{}
	label := func(h ethcommon.Hash, n string) { names[short(h, layout(120, byAge)[0].w)] = n }
	for j := range 3 {
		label(p(j), fmt.Sprintf("P%d", j))
	}
	for i, tx := range ev {
		label(tx.Hash, fmt.Sprintf("E%d", i))
	}
	// From: the senders' addresses a→z (all distinct here).
	from := map[string]int{"P0": 3, "P1": 4, "P2": 5, "E0": 7, "E1": 0, "E2": 9, "E3": 2}
	byFromWant := []string{"P0", "P1", "P2", "E0", "E1", "E2", "E3"}
	sort.Slice(byFromWant, func(i, j int) bool {
		return bytes.Compare(chain.DevnetAccounts[from[byFromWant[i]]][:], chain.DevnetAccounts[from[byFromWant[j]]][:]) < 0
	})
	want := map[column][]string{
		byAge:   {"E3", "E2", "E1", "E0", "P0", "P1", "P2"},
		byTip:   {"E2", "E0", "P2", "E1", "P1", "E3", "P0"},
		byValue: {"E3", "E1", "P2", "P1", "P0", "E0", "E2"},
		byNonce: {"E1", "P0", "P1", "P2", "E3", "E0", "E2"},
		byFrom:  byFromWant,
	}
	rows := func() []string {
		var got []string
		for _, h := range rowHashes(m.View()) {
			got = append(got, names[h])
		}
		return got
	}
	for col := range numColumns {
		if got := rows(); !slices.Equal(got, want[col]) {
			t.Errorf("sorted by %s: rows %v, want %v", col.name(), got, want[col])
		}
		tuitest.Drive(t, m, tuitest.Key("S"))
		rev := slices.Clone(want[col])
		slices.Reverse(rev)
		if got := rows(); !slices.Equal(got, rev) {
			t.Errorf("sorted by %s reversed: rows %v, want %v", col.name(), got, rev)
		}
		tuitest.Drive(t, m, tuitest.Key("S"), tuitest.Key("s"))
	}
	if m.store.col != byAge || m.store.rev {
		t.Fatalf("s should cycle back to age, natural order; got %s reversed=%v", m.store.col.name(), m.store.rev)
	}
}

func TestOwnTransactionsMarked(t *testing.T) {
	_, _, clk, m := setup(t, 120, 40)
	ev := feed(t, m, clk)
	mine := short(ev[1].Hash, layout(120, byAge)[0].w)
	for _, l := range strings.Split(tuitest.Plain(m.View()), "\n")[2:] {
		isMine := strings.Contains(l, mine)
		if marked := strings.HasPrefix(strings.TrimPrefix(l, "›"), " •"); marked != isMine {
			t.Errorf("own mark is %v on row %q (the user's row is %s)", marked, l, mine)
		}
	}
	// And it is drawn in the Highlight style.
	hl := m.c.Styles.Highlight.Render("x")
	prefix := hl[:strings.Index(hl, "x")]
	if prefix == "" {
		t.Fatal("the Highlight style renders no styling")
	}
	for _, l := range strings.Split(m.View(), "\n")[2:] {
		if strings.Contains(l, mine) != strings.HasPrefix(l, prefix) {
			t.Errorf("highlight is %v on row %q", strings.HasPrefix(l, prefix), tuitest.Plain(l))
		}
	}
}

func TestTxEventAddsAndDroppedRemoves(t *testing.T) {
	_, _, _, m := setup(t, 120, 40)
	if n := m.store.len(); n != 3 || m.store.counts.Pending != 3 {
		t.Fatalf("after the first fetch: %d rows, %d pending; want the fake's 3", n, m.store.counts.Pending)
	}
	tx := specs[0].tx(42)
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: tx}})
	view := tuitest.Plain(m.View())
	if !strings.Contains(view, short(tx.Hash, layout(120, byAge)[0].w)) || !strings.HasPrefix(view, "4 pending") {
		t.Fatalf("a tx event should add a row and count it:\n%s", view)
	}
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: tx.Hash, Reason: "replaced"}}})
	view = tuitest.Plain(m.View())
	if strings.Contains(view, short(tx.Hash, layout(120, byAge)[0].w)) || !strings.HasPrefix(view, "3 pending") {
		t.Fatalf("a dropped event should remove the row:\n%s", view)
	}
	// A repeated event for a known transaction changes nothing.
	p0 := m.store.rows.at(0)
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: &api.Tx{Hash: p0.hash, From: p0.from}}})
	if m.store.len() != 3 || m.store.counts.Pending != 3 {
		t.Fatalf("a duplicate event changed the table: %d rows, %d pending", m.store.len(), m.store.counts.Pending)
	}
}

// signAndSend submits a transfer from the user's account 0 to the fake
// node, as the Accounts screen would, and returns the node's tx event.
func signAndSend(t *testing.T, c *common.Common, events <-chan api.Event, nonce uint64) api.Event {
	t.Helper()
	to := chain.DevnetAccounts[5]
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(chain.DevnetChainID), Nonce: nonce, GasTipCap: big.NewInt(2e9),
		GasFeeCap: big.NewInt(30e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)})
	signed, err := c.Wallet.SignTx(chain.DevnetAccounts[0], tx, big.NewInt(chain.DevnetChainID))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := signed.MarshalBinary()
	if _, err := c.Node.SendRawTx(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	return <-events
}

func TestBlockRemovesIncludedAndRefetchesOnce(t *testing.T) {
	c, node, _, m := setup(t, 120, 40)
	events, err := node.Subscribe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sent := signAndSend(t, c, events, 0)
	tuitest.Drive(t, m, common.EventMsg{Event: sent})
	if _, ok := m.store.byHash[sent.Tx.Hash]; !ok || !m.store.byHash[sent.Tx.Hash].own {
		t.Fatal("the sent transaction should be in the table, marked as the user's")
	}
	node.MineBlock()
	block := <-events
	if !slices.Contains(block.Block.Transactions, sent.Tx.Hash) {
		t.Fatal("fake block lacks the sent transaction")
	}
	// The event alone removes the included transaction and asks for one
	// re-fetch; a second block while it is out asks for nothing more.
	_, cmd := m.Update(common.EventMsg{Event: block})
	if _, ok := m.store.byHash[sent.Tx.Hash]; ok {
		t.Fatal("the included transaction is still in the table")
	}
	if cmd == nil {
		t.Fatal("a block should trigger a mempool re-fetch")
	}
	if _, cmd2 := m.Update(common.EventMsg{Event: block}); cmd2 != nil || !m.fetches.Owed() {
		t.Fatal("a second block while the fetch is out should only mark one more fetch")
	}
	// The fake mined its whole mempool: the re-fetch clears the three
	// pending transactions the events never mentioned.
	msg := cmd()
	tuitest.Drive(t, m, msg)
	if m.store.len() != 0 || m.fetches.Out() || m.fetches.Owed() {
		t.Fatalf("after the re-fetches: %d rows, fetching=%v again=%v", m.store.len(), m.fetches.Out(), m.fetches.Owed())
	}
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "no pending transactions") || !strings.HasPrefix(v, "0 pending") {
		t.Fatalf("empty mempool view:\n%s", v)
	}
}

// TestRefetchKeepsNewerEvents: a snapshot taken before a tx event arrived
// must not erase that transaction.
func TestRefetchKeepsNewerEvents(t *testing.T) {
	_, _, _, m := setup(t, 120, 40)
	cmd := m.fetch()
	tx := specs[2].tx(7)
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: tx}})
	tuitest.Drive(t, m, cmd()) // the fake's mempool does not hold tx
	if _, ok := m.store.byHash[tx.Hash]; !ok {
		t.Fatal("a re-fetch older than a tx event removed it")
	}
}

func TestEnterOpensTransactionAndEscReturns(t *testing.T) {
	c, node, _, m := setup(t, 80, 24)
	events, _ := node.Subscribe(t.Context())
	sent := signAndSend(t, c, events, 0)
	tuitest.Drive(t, m, common.EventMsg{Event: sent}) // newest: first row
	_, seen := tuitest.Drive(t, m, tuitest.Key("enter"))
	if m.detail == nil {
		t.Fatalf("enter did not open the transaction; messages %v", seen)
	}
	view := tuitest.Plain(m.View())
	for _, want := range []string{"Transaction", sent.Tx.Hash.Hex(), chain.DevnetAccounts[0].Hex() + " (yours)", "pending", "1 CRN", "esc back"} {
		if !strings.Contains(view, want) {
			t.Errorf("detail view lacks %q:\n%s", want, view)
		}
	}
	checkFits(t, c, m.View())
	tuitest.Drive(t, m, tuitest.Key("esc"))
	if m.detail != nil || !strings.Contains(tuitest.Plain(m.View()), "pending ·") {
		t.Fatal("esc should return to the table")
	}
	// A transaction the node no longer knows gives an error, no detail.
	tuitest.Drive(t, m, tuitest.Key("G"))
	_, seen = tuitest.Drive(t, m, tuitest.Key("enter"))
	if m.detail != nil || len(seen) == 0 {
		t.Fatal("an unknown transaction should not open")
	}
	if e, ok := seen[len(seen)-1].(common.ErrMsg); !ok || !strings.Contains(e.Err.Error(), "not found") {
		t.Fatalf("want an ErrMsg for the missing transaction, got %#v", seen[len(seen)-1])
	}
}

func TestNavigation(t *testing.T) {
	c, _, clk, m := setup(t, 80, 8) // 4 lines: header, titles, 2 rows
	feed(t, m, clk)
	steps := []struct {
		key  string
		want int
	}{{"down", 1}, {"down", 2}, {"up", 1}, {"G", 6}, {"pgup", 5}, {"g", 0}, {"pgdown", 1}, {"up", 0}, {"up", 0}}
	for _, s := range steps {
		tuitest.Drive(t, m, tuitest.Key(s.key))
		if m.cursor != s.want {
			t.Fatalf("after %s the cursor is on row %d, want %d", s.key, m.cursor, s.want)
		}
		view := m.View()
		checkFits(t, c, view)
		if !strings.Contains(tuitest.Plain(view), "›") {
			t.Fatalf("after %s the selected row is off screen:\n%s", s.key, tuitest.Plain(view))
		}
	}
}

// floodEvents builds n distinct tx events.
func floodEvents(n int) []tea.Msg {
	msgs := make([]tea.Msg, n)
	for i := range msgs {
		s := spec{from: 1 + i%9, to: (i + 1) % 10, nonce: uint64(i / 9), milliCRN: int64(i % 1000), tipGwei: int64(i % 13)}
		msgs[i] = common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: s.tx(1000 + i)}}
	}
	return msgs
}

// TestFloodIsCappedAndCheap feeds 20,000 tx events: the screen keeps Keep
// rows (the user's own transaction among them), says how many it shows,
// and each event costs a bounded, small number of allocations.
func TestFloodIsCappedAndCheap(t *testing.T) {
	c, _, _, m := setup(t, 120, 40)
	mine := specs[1].tx(1) // from the user's account 0, before the flood
	m.Update(common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: mine}})
	msgs := floodEvents(20_000)
	i := 0
	allocs := testing.AllocsPerRun(len(msgs)-1, func() {
		m.Update(msgs[i])
		i++
	})
	if i != len(msgs) {
		t.Fatalf("fed %d events", i)
	}
	if m.store.len() != Keep {
		t.Fatalf("kept %d transactions, want the cap %d", m.store.len(), Keep)
	}
	if _, ok := m.store.byHash[mine.Hash]; !ok {
		t.Fatal("the user's own transaction was evicted")
	}
	t.Logf("%.2f allocations per tx event", allocs)
	if allocs > 2 {
		t.Fatalf("a tx event costs %.1f allocations, want at most 2", allocs)
	}
	view := m.View()
	checkFits(t, c, view)
	if v := tuitest.Plain(view); !strings.Contains(v, "20,004 pending") || !strings.Contains(v, "showing 5,000 of 20,004") {
		t.Fatalf("header after the flood:\n%s", v)
	}
	// Drawing reads only the visible rows: it costs no more with 5,000
	// rows than with a screenful.
	big := testing.AllocsPerRun(20, func() { _ = m.table() })
	_, _, clk, small := setup(t, 120, 40)
	feed(t, small, clk)
	for _, msg := range floodEvents(40) {
		small.Update(msg)
	}
	few := testing.AllocsPerRun(20, func() { _ = small.table() })
	t.Logf("drawing: %.0f allocations with %d rows, %.0f with %d", big, m.store.len(), few, small.store.len())
	if big > few*1.2 {
		t.Fatalf("View allocates %.0f times with %d rows and %.0f with %d: it should not depend on the row count", big, m.store.len(), few, small.store.len())
	}
}

// TestDrawingIsReusedAndFloodsCoalesce: a message that changes nothing
// costs no drawing; within a flood the table lags by at most burstEvery
// events, and the next tick brings it current.
func TestDrawingIsReusedAndFloodsCoalesce(t *testing.T) {
	_, _, clk, m := setup(t, 120, 40)
	first := m.View()
	if allocs := testing.AllocsPerRun(10, func() {
		m.Update(common.LogMsg{})
		_ = m.View()
	}); allocs != 0 || m.View() != first {
		t.Fatalf("an unrelated message redrew the table (%.0f allocations)", allocs)
	}
	msgs := floodEvents(burstFree + 2*burstEvery + 5)
	for i, msg := range msgs {
		m.Update(msg)
		want := i + 1 + 3 // plus the fake's three
		if got := headerPending(m.View()); got > want || got < want-burstEvery {
			t.Fatalf("after %d events the header says %d pending, want within %d of %d", i+1, got, burstEvery, want)
		}
	}
	if got := headerPending(m.View()); got == len(msgs)+3 {
		t.Fatal("the last events of the flood should be coalesced until the tick")
	}
	m.Update(common.TickMsg{Time: clk.t})
	if got := headerPending(m.View()); got != len(msgs)+3 {
		t.Fatalf("after the tick the header says %d pending, want %d", got, len(msgs)+3)
	}
}

func headerPending(view string) int {
	var n int
	fmt.Sscanf(strings.ReplaceAll(tuitest.Plain(view), ",", ""), "%d pending", &n)
	return n
}

func BenchmarkTxEvent(b *testing.B) {
	_, _, _, m := setup(b, 120, 40)
	msgs := floodEvents(20_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Update(msgs[i%len(msgs)])
		if i%len(msgs) == len(msgs)-1 { // start over: the same hashes again would be duplicates
			b.StopTimer()
			for _, msg := range msgs {
				m.store.onGone(msg.(common.EventMsg).Tx.Hash)
			}
			b.StartTimer()
		}
	}
}

func BenchmarkViewFullTable(b *testing.B) {
	_, _, _, m := setup(b, 120, 40)
	for _, msg := range floodEvents(Keep) {
		m.Update(msg)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// TestOpenTransactionFollowsItsInclusion: a transaction opened from the
// mempool shows pending, then, when a block includes it, the block and
// its receipt, without being opened again.
func TestOpenTransactionFollowsItsInclusion(t *testing.T) {
	c, node, _, m := setup(t, 120, 40)
	events, _ := node.Subscribe(t.Context())
	sent := signAndSend(t, c, events, 0)
	tuitest.Drive(t, m, common.EventMsg{Event: sent})
	tuitest.Drive(t, m, tuitest.Key("enter"))
	if m.detail == nil || !strings.Contains(tuitest.Plain(m.View()), "pending") {
		t.Fatalf("the transaction did not open pending:\n%s", tuitest.Plain(m.View()))
	}
	b := node.MineBlock()
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
	view := tuitest.Plain(m.View())
	if m.detail == nil || strings.Contains(view, "pending") || !strings.Contains(view, fmt.Sprint(b.Height)) || !strings.Contains(view, "21,000") {
		t.Fatalf("after block %d includes it the page should show the block and the gas used:\n%s", b.Height, view)
	}
}
