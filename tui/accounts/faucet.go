package accounts

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"cairn/tui/common"
	"cairn/tui/txsign"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
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

// onDevnet reports whether the node runs the built-in devnet.
func (m *Model) onDevnet() bool {
	return m.c.Status != nil && m.c.Status.Devnet
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
	node, baseFee, chainID := m.c.Node, m.baseFee, new(big.Int).SetUint64(m.c.Status.ChainID)
	if baseFee == nil {
		baseFee = big.NewInt(1e9)
	}
	ask := func() tea.Msg {
		ctx := context.Background()
		keys, err := wallet.DevKeys(faucetKeyIndex + 1)
		if err != nil {
			return faucetMsg{to: acc, err: err}
		}
		payer := keys[faucetKeyIndex]
		from, err := node.Account(ctx, crypto.PubkeyToAddress(payer.PublicKey))
		if err != nil {
			return faucetMsg{to: acc, err: err}
		}
		tip := big.NewInt(1e9)
		feeCap := new(big.Int).Add(new(big.Int).Mul(baseFee, big.NewInt(2)), tip)
		to := acc.Address
		value := new(big.Int).Mul(big.NewInt(faucetCRN), big.NewInt(1e18))
		tx, err := types.SignNewTx(payer, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
			ChainID: chainID, Nonce: from.PendingNonce, GasTipCap: tip, GasFeeCap: feeCap,
			Gas: 21000, To: &to, Value: value,
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
