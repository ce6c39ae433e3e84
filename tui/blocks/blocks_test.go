package blocks

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/mempool"
	"cairn/tui/tuitest"
	"cairn/wallet"

	"github.com/charmbracelet/x/ansi"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func setup(t *testing.T, w, h int) (*common.Common, *fakenode.Node, *Model) {
	t.Helper()
	node := fakenode.New()
	c := common.NewCommon()
	c.Node = node
	c.Now = func() time.Time { return time.UnixMilli(fakenode.T0 + 11*1000 + 2300) } // 2.3 s after block 12
	wal, err := wallet.Create(filepath.Join(t.TempDir(), "wallet.json"), wallet.DevMnemonic, "", "pw", wallet.WithKDFIterations(1000))
	if err != nil {
		t.Fatal(err)
	}
	c.Wallet = wal
	c.Width, c.Height = w, h-4
	m := newModel(c)
	tuitest.Init(t, m)
	return c, node, m
}

// checkFits fails if the view draws outside the screen's area.
func checkFits(t *testing.T, c *common.Common, view string) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > c.Height {
		t.Fatalf("view has %d lines, the area is %d", len(lines), c.Height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > c.Width {
			t.Fatalf("line %d is %d cells wide, the area is %d: %q", i, w, c.Width, ansi.Strip(l))
		}
	}
}

func drive(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		tuitest.Drive(t, m, tuitest.Key(k))
	}
}

// firstRowHeight is the height in the list's first row.
func firstRowHeight(t *testing.T, m *Model) string {
	t.Helper()
	lines := strings.Split(tuitest.Plain(m.View()), "\n")
	if len(lines) < 3 {
		t.Fatalf("no rows:\n%s", strings.Join(lines, "\n"))
	}
	return strings.Fields(strings.TrimPrefix(lines[2], "›"))[0]
}

func TestBlocksListGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h)
		view := m.View()
		checkFits(t, c, view)
		tuitest.Golden(t, view)
	})
}

// TestBlockGolden opens block 11 (three transfers, the first from the
// user's account).
func TestBlockGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h)
		drive(t, m, "down", "enter")
		view := m.View()
		checkFits(t, c, view)
		tuitest.Golden(t, view)
	})
}

// TestTransactionGolden opens block 11's first transaction, the user's.
func TestTransactionGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h)
		drive(t, m, "down", "enter", "enter")
		view := m.View()
		checkFits(t, c, view)
		tuitest.Golden(t, view)
	})
}

func TestNavigateBlockTxAndBack(t *testing.T) {
	_, _, m := setup(t, 120, 40)
	if got := firstRowHeight(t, m); got != "12" {
		t.Fatalf("first row is block %s, want 12 (newest on top)", got)
	}
	drive(t, m, "down", "enter")
	v := tuitest.Plain(m.View())
	b11 := crypto.Keccak256Hash([]byte("block-11"))
	if m.block == nil || !strings.Contains(v, "Block 11") || !strings.Contains(v, b11.Hex()) || !strings.Contains(v, "Transactions (3)") {
		t.Fatalf("enter should open block 11:\n%s", v)
	}
	for _, want := range []string{"Parent", "Proposer", "State root", "Base fee", "1 gwei", "VRF output", "Signers (1)", "63,000 of 300,000,000"} {
		if !strings.Contains(v, want) {
			t.Errorf("block view lacks %q", want)
		}
	}
	drive(t, m, "down", "enter")
	v = tuitest.Plain(m.View())
	tx := crypto.Keccak256Hash([]byte("tx-11-1"))
	if m.tx == nil || !strings.Contains(v, tx.Hex()) || !strings.Contains(v, "Receipt") || !strings.Contains(v, "included in block 11, position 1") {
		t.Fatalf("enter should open block 11's second transaction:\n%s", v)
	}
	drive(t, m, "esc")
	if v := tuitest.Plain(m.View()); m.tx != nil || m.block == nil || !strings.Contains(v, "Block 11") || m.block.cursor != 1 {
		t.Fatalf("esc should return to block 11 with the cursor on the second transaction:\n%s", v)
	}
	drive(t, m, "backspace")
	if m.block != nil || m.cursor != 1 || !strings.Contains(tuitest.Plain(m.View()), "head 12") {
		t.Fatalf("backspace should return to the list on block 11 (cursor %d)", m.cursor)
	}
}

func TestBlockEventPrependsAndCursorStays(t *testing.T) {
	_, node, m := setup(t, 120, 40)
	events, _ := node.Subscribe(t.Context())
	node.MineBlock()
	tuitest.Drive(t, m, common.EventMsg{Event: <-events})
	if got := firstRowHeight(t, m); got != "13" {
		t.Fatalf("after a block event the first row is %s, want 13", got)
	}
	if m.cursor != 0 {
		t.Fatal("a cursor on the newest block should follow the newest")
	}
	drive(t, m, "down", "down") // on block 11
	node.MineBlock()
	tuitest.Drive(t, m, common.EventMsg{Event: <-events})
	if got := m.blocks[m.cursor].Height; got != 11 || m.blocks[0].Height != 14 {
		t.Fatalf("the cursor moved to block %d (top %d); it should stay on 11", got, m.blocks[0].Height)
	}
	// A repeated event adds nothing.
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: m.blocks[0]}})
	if len(m.blocks) != 15 {
		t.Fatalf("%d blocks, want 0..14", len(m.blocks))
	}
}

// TestMissedBlockEventsAreFetched: when the feed skips blocks (it drops
// events for a console that falls behind), the gap is filled from the node.
func TestMissedBlockEventsAreFetched(t *testing.T) {
	_, node, m := setup(t, 120, 40)
	node.MineBlock()
	node.MineBlock()
	b15 := node.MineBlock()
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b15}})
	var got []uint64
	for _, b := range m.blocks[:4] {
		got = append(got, b.Height)
	}
	if fmt.Sprint(got) != "[15 14 13 12]" {
		t.Fatalf("after an event for 15 over 12 the list starts %v, want [15 14 13 12]", got)
	}
}

// TestSentTransactionFlow: a transaction the user sends shows in the
// Mempool; the block that includes it removes it there and appears on top
// of Blocks, where it opens with the user's transaction and its receipt.
func TestSentTransactionFlow(t *testing.T) {
	c, node, blocksScreen := setup(t, 120, 40)
	mp := tuitest.Init(t, mempool.New(c))
	events, _ := node.Subscribe(t.Context())
	to := chain.DevnetAccounts[5]
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(chain.DevnetChainID), Nonce: 4, GasTipCap: big.NewInt(2e9),
		GasFeeCap: big.NewInt(30e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)})
	signed, err := c.Wallet.SignTx(chain.DevnetAccounts[0], tx, big.NewInt(chain.DevnetChainID))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := signed.MarshalBinary()
	if _, err := node.SendRawTx(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	txEvent := common.EventMsg{Event: <-events}
	mp, _ = tuitest.Drive(t, mp, txEvent)
	tuitest.Drive(t, blocksScreen, txEvent)
	short := signed.Hash().Hex()[:8]
	if !strings.Contains(tuitest.Plain(mp.View()), short) {
		t.Fatalf("the mempool lacks the sent transaction:\n%s", tuitest.Plain(mp.View()))
	}
	node.MineBlock()
	blockEvent := common.EventMsg{Event: <-events}
	mp, _ = tuitest.Drive(t, mp, blockEvent)
	tuitest.Drive(t, blocksScreen, blockEvent)
	if strings.Contains(tuitest.Plain(mp.View()), short) {
		t.Fatalf("the included transaction is still in the mempool:\n%s", tuitest.Plain(mp.View()))
	}
	if got := firstRowHeight(t, blocksScreen); got != "13" {
		t.Fatalf("Blocks' first row is %s, want the new block 13", got)
	}
	drive(t, blocksScreen, "enter")
	if v := tuitest.Plain(blocksScreen.View()); !strings.Contains(v, "Block 13") || !strings.Contains(v, short) {
		t.Fatalf("block 13 should list the sent transaction:\n%s", v)
	}
	drive(t, blocksScreen, "enter")
	v := tuitest.Plain(blocksScreen.View())
	for _, want := range []string{signed.Hash().Hex(), chain.DevnetAccounts[0].Hex() + " (yours)", "1 CRN", "success", "included in block 13"} {
		if !strings.Contains(v, want) {
			t.Errorf("the sent transaction's page lacks %q:\n%s", want, v)
		}
	}
}

func TestOlderPagesOnPageDownAtBottom(t *testing.T) {
	c := common.NewCommon()
	c.Node = fakenode.New()
	c.Now = func() time.Time { return time.UnixMilli(fakenode.T0 + 20_000) }
	c.Width, c.Height = 80, 20
	m := newModel(c)
	m.page = 5
	tuitest.Init(t, m)
	if len(m.blocks) != 5 || m.lowest() != 8 {
		t.Fatalf("first page: %d blocks down to %d, want 12..8", len(m.blocks), m.lowest())
	}
	drive(t, m, "G")
	if !strings.Contains(tuitest.Plain(m.View()), "pgdn for older") {
		t.Fatalf("at the bottom the header should offer older blocks:\n%s", tuitest.Plain(m.View()))
	}
	drive(t, m, "pgdown")
	if len(m.blocks) != 10 || m.lowest() != 3 || m.blocks[m.cursor].Height != 7 {
		t.Fatalf("after pgdown at the bottom: %d blocks down to %d, cursor on %d; want 12..3 on 7", len(m.blocks), m.lowest(), m.blocks[m.cursor].Height)
	}
	drive(t, m, "G", "down", "G", "pgdown")
	if m.lowest() != 0 || len(m.blocks) != 13 {
		t.Fatalf("all the way down: %d blocks down to %d, want 13 down to genesis", len(m.blocks), m.lowest())
	}
	if _, cmd := m.Update(tuitest.Key("pgdown")); cmd != nil {
		t.Fatal("below genesis there is nothing to fetch")
	}
	checkFits(t, c, m.View())
}

// synthetic returns a block at height h with n transfers from account 0.
func synthetic(h uint64, n int) *api.Block {
	b := &api.Block{Height: h, Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("synthetic-%d", h))), Time: fakenode.T0 + (h-1)*1000,
		GasLimit: 300_000_000, GasUsed: uint64(n) * 21000, TxCount: n, BaseFee: api.NewAmount(big.NewInt(1e9))}
	for i := range n {
		to := chain.DevnetAccounts[1]
		bh, idx := h, i
		tx := &api.Tx{Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("synthetic-%d-%d", h, i))), Status: api.TxIncluded,
			BlockHeight: &bh, Index: &idx, From: chain.DevnetAccounts[2], To: &to, Nonce: uint64(i),
			Value: api.NewAmount(big.NewInt(int64(i) * 1e16)), Gas: 21000,
			Receipt: &api.Receipt{Status: uint64(1 - i%7/6), GasUsed: 21000, Logs: []api.Log{}}}
		b.Transactions = append(b.Transactions, tx.Hash)
		b.FullTransactions = append(b.FullTransactions, tx)
	}
	return b
}

func TestListKeepsAtMostKeep(t *testing.T) {
	c, _, m := setup(t, 80, 24)
	for h := uint64(13); h < 13+Keep+50; h++ {
		m.Update(common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: synthetic(h, 0)}})
	}
	if len(m.blocks) != Keep || len(m.heights) != Keep || m.blocks[0].Height != 13+Keep+49 {
		t.Fatalf("after %d new blocks the list holds %d (top %d), want %d", Keep+50, len(m.blocks), m.blocks[0].Height, Keep)
	}
	checkFits(t, c, m.View())
}

// TestLongBlockScrolls opens a block with more transactions than fit: the
// cursor walks to the last, which stays in view, and up past the first
// shows the header again.
func TestLongBlockScrolls(t *testing.T) {
	c, _, m := setup(t, 80, 24)
	b := synthetic(13, 40)
	m.Update(common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
	m.want = b.Hash
	m.Update(blockMsg{hash: b.Hash, block: b}) // as the fetch would answer
	if m.block == nil {
		t.Fatal("the block did not open")
	}
	drive(t, m, "G")
	v := tuitest.Plain(m.View())
	checkFits(t, c, m.View())
	if m.block.cursor != 39 || !strings.Contains(v, b.FullTransactions[39].Hash.Hex()[:8]) || !strings.Contains(v, fmt.Sprintf("of %d", m.block.vp.TotalLineCount())) {
		t.Fatalf("G should select and show the last transaction (cursor %d):\n%s", m.block.cursor, v)
	}
	if strings.Contains(v, "Parent") {
		t.Fatal("the header should have scrolled away")
	}
	drive(t, m, "g", "up")
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "Block 13") || m.block.cursor != 0 {
		t.Fatalf("g then up should show the header with the first transaction selected:\n%s", v)
	}
	drive(t, m, "pgdown", "enter")
	if m.tx == nil || m.tx.Tx() != b.FullTransactions[m.block.cursor] || m.block.cursor == 0 {
		t.Fatal("pgdown then enter should open a transaction further down")
	}
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "failed") && !strings.Contains(v, "success") {
		t.Fatalf("transaction page without receipt status:\n%s", v)
	}
}

// TestTransactionEventsDoNotRedraw: the Blocks screen ignores pending
// transactions, and reuses its drawing while they stream in.
func TestTransactionEventsDoNotRedraw(t *testing.T) {
	_, _, m := setup(t, 120, 40)
	first := m.View()
	ev := common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: &api.Tx{}}}
	allocs := testing.AllocsPerRun(50, func() {
		m.Update(ev)
		_ = m.View()
	})
	if allocs != 0 || m.View() != first {
		t.Fatalf("a tx event redrew the list (%.0f allocations)", allocs)
	}
}
