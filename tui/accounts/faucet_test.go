package accounts

import (
	"context"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
	"github.com/ethereum/go-ethereum/core/types"
)

func TestFaucetPaysTheSelectedAccountOnTheDevnetOnly(t *testing.T) {
	e := setup(t, 100, 30)
	out := e.drive(t, keys("f")...)
	if len(e.node.Sent) != 0 || !hasErr(out, "only on the built-in devnet") {
		t.Fatalf("faucet off the devnet: sent %d, messages %v", len(e.node.Sent), out)
	}

	e.node.SetDevnet()
	st, _ := e.node.Status(context.Background())
	e.c.Status = st
	e.drive(t, keys("down")...) // "Savings"
	e.drive(t, keys("f")...)
	if len(e.node.Sent) != 1 {
		t.Fatalf("faucet sent %d transactions, want 1", len(e.node.Sent))
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(e.node.Sent[0]); err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), &tx)
	if err != nil || from != chain.DevnetAccounts[faucetKeyIndex] {
		t.Fatalf("faucet paid from %s (%v), want dev account %d", from, err, faucetKeyIndex)
	}
	savings := e.w.Accounts()[1].Address
	if *tx.To() != savings || tx.Value().Cmp(chain.CRN(faucetCRN)) != 0 || tx.ChainId().Uint64() != chain.DevnetChainID {
		t.Fatalf("faucet tx to %s value %v chain %v", tx.To(), tx.Value(), tx.ChainId())
	}
}

func hasErr(msgs []tea.Msg, text string) bool {
	for _, m := range msgs {
		if e, ok := m.(common.ErrMsg); ok && strings.Contains(e.Err.Error(), text) {
			return true
		}
	}
	return false
}
