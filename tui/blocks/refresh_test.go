package blocks

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// sendPending submits a transfer from the user's first account and
// returns it as the node has it: pending.
func sendPending(t *testing.T, c *common.Common, node *fakenode.Node) *api.Tx {
	t.Helper()
	to := chain.DevnetAccounts[5]
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(chain.DevnetChainID), Nonce: 4, GasTipCap: big.NewInt(2e9),
		GasFeeCap: big.NewInt(30e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)})
	signed, err := c.Wallet.SignTx(chain.DevnetAccounts[0], tx, big.NewInt(chain.DevnetChainID))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := signed.MarshalBinary()
	hash, err := node.SendRawTx(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := node.Tx(context.Background(), hash)
	if err != nil || pending.Status != api.TxPending {
		t.Fatalf("the sent transaction is not pending: %v %v", pending, err)
	}
	return pending
}

// TestOpenTransactionFollowsItsInclusion: a transaction opened while
// pending shows its block, receipt and gas once a block includes it, with
// a spinner while the page rereads it, and one read at a time.
func TestOpenTransactionFollowsItsInclusion(t *testing.T) {
	c, node, m := setup(t, 120, 40)
	tx := sendPending(t, c, node)
	tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowTx, Tx: tx})
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "pending") || strings.Contains(v, "Receipt") {
		t.Fatalf("the page should open pending:\n%s", v)
	}
	b := node.MineBlock()
	ev := common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}}
	_, cmd := m.Update(ev)
	if cmd == nil {
		t.Fatal("a block including the open transaction should reread it")
	}
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "reading the receipt…") {
		t.Fatalf("no spinner while the page rereads:\n%s", v)
	}
	if _, again := m.Update(ev); again != nil {
		t.Fatal("a second read went out while the first is out")
	}
	runCmd(t, m, cmd)
	v := tuitest.Plain(m.View())
	for _, want := range []string{"included in block 13", "Receipt", "success", "Gas used      21,000", tx.Hash.Hex()} {
		if !strings.Contains(v, want) {
			t.Errorf("after its block the page lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "reading the receipt") || strings.Contains(v, "pending") {
		t.Errorf("the page still says it waits:\n%s", v)
	}
}

// runCmd runs cmd, and a batch's commands, feeding what they answer to m.
func runCmd(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(t, m, c)
		}
	default:
		tuitest.Drive(t, m, msg)
	}
}

// TestOpenTransactionDropped: the page says so when the node drops the
// pending transaction it shows, and ignores other transactions' drops.
func TestOpenTransactionDropped(t *testing.T) {
	c, node, m := setup(t, 120, 40)
	tx := sendPending(t, c, node)
	tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowTx, Tx: tx})
	other := ethcommon.HexToHash("0x1234")
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: other, Reason: "replaced"}}})
	if v := tuitest.Plain(m.View()); strings.Contains(v, "dropped") {
		t.Fatalf("another transaction's drop shows:\n%s", v)
	}
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: tx.Hash, Reason: "underpriced"}}})
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "dropped from the mempool (underpriced), not included") {
		t.Fatalf("the page should say the transaction was dropped:\n%s", v)
	}
}

// TestAccountPageFollowsBlocks: an open account rereads its balance and
// nonce after a block.
func TestAccountPageFollowsBlocks(t *testing.T) {
	c, node, m := setup(t, 120, 40)
	acc, _ := node.Account(context.Background(), chain.DevnetAccounts[0])
	tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowAccount, Account: acc, Address: acc.Address, Label: "Account 1"})
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "Nonce         9") || !strings.Contains(v, "1,000,000 CRN") {
		t.Fatalf("account before the block:\n%s", v)
	}
	sendPending(t, c, node) // 1 CRN, nonce 4: the fake node takes it as the account's latest
	b := node.MineBlock()
	tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
	v := tuitest.Plain(m.View())
	if !strings.Contains(v, "Nonce         5") || !strings.Contains(v, "999,999 CRN") {
		t.Fatalf("after the block the account should show the node's new nonce and balance:\n%s", v)
	}
}

// TestSpinnerWhileOpeningABlock: the list says it is opening the block
// while the node reads it, and stops ticking once the block is open.
func TestSpinnerWhileOpeningABlock(t *testing.T) {
	_, _, m := setup(t, 80, 24)
	_, cmd := m.Update(tuitest.Key("enter"))
	if v := tuitest.Plain(m.View()); !strings.Contains(v, "opening the block…") {
		t.Fatalf("no spinner while the block is read:\n%s", v)
	}
	runCmd(t, m, cmd) // the answer, then the spinner's first tick, which finds the work done
	if m.block == nil || m.working() {
		t.Fatal("the block should be open and the spinner stopped")
	}
	if strings.Contains(tuitest.Plain(m.View()), "opening") {
		t.Fatal("the spinner's note stays after the block opened")
	}
}

// TestPendingTransactionGolden: a transaction opened while pending, as a
// block that includes it is being read (the spinner in the footer), and
// once dropped.
func TestPendingTransactionGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, node, m := setup(t, w, h)
		tx := sendPending(t, c, node)
		tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowTx, Tx: tx})
		m.Update(common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: node.MineBlock()}})
		t.Run("reading", func(t *testing.T) {
			checkFits(t, c, m.View())
			tuitest.Golden(t, m.View())
		})
		_, _, m = setup(t, w, h)
		tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowTx, Tx: tx},
			common.EventMsg{Event: api.Event{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: tx.Hash, Reason: "replaced by a higher fee"}}})
		t.Run("dropped", func(t *testing.T) {
			checkFits(t, c, m.View())
			tuitest.Golden(t, m.View())
		})
	})
}
