package blocks

import (
	"context"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/tuitest"

	ethcommon "github.com/ethereum/go-ethereum/common"
)

func TestBlocksFilterGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, _, m := setup(t, w, h)
		drive(t, m, "/", "1") // heights 1, 10, 11 and 12, and hashes with a 1
		t.Run("typing", func(t *testing.T) {
			checkFits(t, c, m.View())
			tuitest.Golden(t, m.View())
		})
		drive(t, m, "0", "enter") // 10 only, and hashes with a 10
		t.Run("kept", func(t *testing.T) {
			checkFits(t, c, m.View())
			tuitest.Golden(t, m.View())
		})
	})
}

func TestBlocksFilter(t *testing.T) {
	_, node, m := setup(t, 120, 40)
	b7, _ := node.Block(context.Background(), "7", false)
	drive(t, m, "/")
	if !m.Capturing() {
		t.Fatal("the filter being typed takes every key")
	}
	tuitest.Drive(t, m, tuitest.Type(strings.ToUpper(b7.Hash.Hex()[2:14]))...)
	v := tuitest.Plain(m.View())
	if rows := listRows(v); len(rows) != 1 || rows[0] != "7" || !strings.Contains(v, "1 of 13") {
		t.Fatalf("block 7's hash shows block 7 only, counted 1 of 13; rows %v:\n%s", rows, v)
	}
	drive(t, m, "enter")
	if m.Capturing() {
		t.Fatal("enter gives the keys back to the table")
	}
	drive(t, m, "enter")
	if m.block == nil || m.block.b.Height != 7 {
		t.Fatal("enter opens the one block shown")
	}
	drive(t, m, "esc")
	if !m.filter.Active() {
		t.Fatal("the filter stays while a block is open")
	}
	drive(t, m, "esc")
	if m.filter.Active() || len(listRows(tuitest.Plain(m.View()))) != 13 {
		t.Fatalf("esc on the list clears the filter:\n%s", tuitest.Plain(m.View()))
	}
	// The cursor moves among the rows shown.
	drive(t, m, "/", "1", "enter", "down", "down")
	if h := m.blocks[m.cursor].Height; h != 10 && h != 11 && h != 12 && h != 1 && !strings.Contains(m.blocks[m.cursor].Hash.Hex(), "1") {
		t.Fatalf("the cursor is on block %d, which the filter hides", h)
	}
}

// listRows are the heights of the list's rows as drawn.
func listRows(view string) []string {
	var out []string
	lines := strings.Split(view, "\n")
	for _, l := range lines[min(2, len(lines)):] {
		f := strings.Fields(strings.TrimPrefix(l, "›"))
		if len(f) > 4 && strings.HasPrefix(f[len(f)-1], "0x") {
			out = append(out, f[0])
		}
	}
	return out
}

// TestShowFromJump: the messages the root sends for the jump prompt open
// a block, a transaction and an account over the list; esc goes back.
func TestShowFromJump(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		c, node, m := setup(t, w, h)
		b5, _ := node.Block(context.Background(), "5", true)
		tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowBlock, Block: b5})
		if v := tuitest.Plain(m.View()); !strings.Contains(v, "Block 5") || !strings.Contains(v, b5.Hash.Hex()[:20]) {
			t.Fatalf("block 5:\n%s", v)
		}
		tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowTx, Tx: b5.FullTransactions[0]})
		if v := tuitest.Plain(m.View()); m.block != nil || !strings.Contains(v, b5.Transactions[0].Hex()[:20]) {
			t.Fatalf("the transaction:\n%s", v)
		}
		drive(t, m, "esc")
		if m.tx != nil || len(listRows(tuitest.Plain(m.View()))) == 0 {
			t.Fatal("esc goes back to the list")
		}
		stranger := ethcommon.HexToAddress("0x00000000000000000000000000000000000c0ffe")
		acc, _ := node.Account(context.Background(), chain.DevnetAccounts[0])
		tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowAccount, Account: acc, Address: acc.Address, Label: "Account 1"})
		t.Run("account", func(t *testing.T) {
			checkFits(t, c, m.View())
			tuitest.Golden(t, m.View())
		})
		tuitest.Drive(t, m, common.ShowMsg{Kind: common.ShowAccount, Account: &api.Account{Address: stranger, IsContract: true}, Address: stranger})
		if v := tuitest.Plain(m.View()); !strings.Contains(v, stranger.Hex()) || !strings.Contains(v, "not in the address book") || strings.Contains(v, "yours") {
			t.Fatalf("another address:\n%s", v)
		}
		drive(t, m, "esc")
		if m.account != nil {
			t.Fatal("esc leaves the account")
		}
	})
}
