package accounts

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"cairn/chain"
	"cairn/tui/common"
	"cairn/tui/txsign"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// On the built-in devnet only, f asks a faucet for CRN: the console signs a
// transfer from one of the public development accounts to the selected
// account, so a new wallet can try the chain without importing the public
// words. The devnet's keys are public, so this gives away nothing.
var keyFaucet = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "faucet (devnet)"))

// faucetCRN is what one faucet request sends.
const faucetCRN = 100

// faucetKeyIndex picks the development account that pays: the last of the
// ten the devnet funds, the one least likely to be in use by hand.
const faucetKeyIndex = 9

var devnetGenesisHash = sync.OnceValue(func() ethcommon.Hash {
	b, err := chain.GenesisBlock(chain.Devnet())
	if err != nil {
		return ethcommon.Hash{}
	}
	return b.Hash()
})

// onDevnet reports whether the node runs the built-in devnet.
func (m *Model) onDevnet() bool {
	st := m.c.Status
	return st != nil && st.GenesisHash == devnetGenesisHash()
}

type faucetMsg struct {
	to   wallet.Account
	hash ethcommon.Hash
	err  error
}

func (m *Model) askFaucet() tea.Cmd {
	acc, ok := m.selected()
	if !ok {
		return nil
	}
	if !m.onDevnet() {
		return func() tea.Msg { return common.ErrMsg{Err: errors.New("the faucet exists only on the built-in devnet")} }
	}
	node, baseFee := m.c.Node, m.baseFee
	if baseFee == nil {
		baseFee = big.NewInt(1e9)
	}
	ask := func() tea.Msg {
		ctx := context.Background()
		keys, err := wallet.DevKeys(faucetKeyIndex + 1)
		if err != nil {
			return faucetMsg{to: acc, err: err}
		}
		from, err := node.Account(ctx, chain.DevnetAccounts[faucetKeyIndex])
		if err != nil {
			return faucetMsg{to: acc, err: err}
		}
		tip := big.NewInt(1e9)
		feeCap := new(big.Int).Add(new(big.Int).Mul(baseFee, big.NewInt(2)), tip)
		to := acc.Address
		tx, err := types.SignNewTx(keys[faucetKeyIndex], types.LatestSignerForChainID(big.NewInt(chain.DevnetChainID)), &types.DynamicFeeTx{
			ChainID: big.NewInt(chain.DevnetChainID), Nonce: from.PendingNonce, GasTipCap: tip, GasFeeCap: feeCap,
			Gas: 21000, To: &to, Value: chain.CRN(faucetCRN),
		})
		if err != nil {
			return faucetMsg{to: acc, err: err}
		}
		raw, err := tx.MarshalBinary()
		if err != nil {
			return faucetMsg{to: acc, err: err}
		}
		hash, err := node.SendRawTx(ctx, raw)
		return faucetMsg{to: acc, hash: hash, err: err}
	}
	return tea.Batch(m.notify("asking the devnet faucet…"), ask)
}

func (m *Model) onFaucet(msg faucetMsg) tea.Cmd {
	if msg.err != nil {
		return func() tea.Msg { return common.ErrMsg{Err: fmt.Errorf("faucet: %s", txsign.NodeError(msg.err))} }
	}
	return m.notify(fmt.Sprintf("faucet: %d CRN on the way to %s (%s)", faucetCRN, msg.to.Label, common.ShortHash(msg.hash.Hex())))
}
