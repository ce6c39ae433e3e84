package tui

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestCursorStaysOnItsTransactionWhile1000Arrive: in the running console,
// the Mempool's cursor is put on a transaction; then 1,000 transactions
// arrive through the node's event feed, many of them sorting above it.
// When the table shows all of them, the cursor is still on the same
// transaction, on screen.
func TestCursorStaysOnItsTransactionWhile1000Arrive(t *testing.T) {
	screen, node, keys, _ := findConsole(t)
	keys("3")
	screen.must(t, "3 pending")
	first := cursorLine(screen.frame())
	keys("down")
	screen.await(t, "the cursor on the second row", func(f string) bool { return cursorLine(f) != first })
	chosen := rowHash(cursorLine(screen.frame()))
	if chosen == "" {
		t.Fatalf("no hash on the cursor's line:\n%s", screen.frame())
	}
	// The fake node's feed holds 64 events, as a subscriber's queue does:
	// push them 50 at a time, each batch as fast as the feed takes it.
	for batch := range 20 {
		for j := range 50 {
			i := batch*50 + j
			to := chain.DevnetAccounts[i%10]
			node.Push(api.Event{Type: api.EventTx, Tx: &api.Tx{
				Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("flood-%d", i))), Status: api.TxPending,
				From: chain.DevnetAccounts[(i+3)%10], To: &to, Nonce: uint64(100 + i), Value: api.NewAmount(big.NewInt(1)),
				Gas: 21000, Type: 2, MaxFeePerGas: api.NewAmount(big.NewInt(30e9)),
				MaxPriorityFeePerGas: api.NewAmount(big.NewInt(int64(1+i%9) * 1e9)),
			}})
		}
		f := screen.must(t, common.FormatCount(uint64(3+50*(batch+1)))+" pending")
		if got := rowHash(cursorLine(f)); got != chosen {
			t.Fatalf("after %d arrivals the cursor is on %q, want %q:\n%s", 50*(batch+1), got, chosen, f)
		}
	}
}

// rowHash is the first 0x… word of a table line.
func rowHash(line string) string {
	for _, w := range strings.Fields(line) {
		if strings.HasPrefix(w, "0x") {
			return w
		}
	}
	return ""
}
