package localapi

import (
	"errors"
	"fmt"
	"math/big"

	"cairn/chain"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// blockView converts a committed block. With full, the transactions come as
// objects with their receipts.
func (l *Local) blockView(b *chain.Block, full bool) (*api.Block, error) {
	h := b.Header
	v := &api.Block{
		Height: h.Height, Hash: b.Hash(), ParentHash: h.ParentHash, Time: h.Time,
		Proposer: h.Proposer, Round: h.Round, StateRoot: h.StateRoot, TxRoot: h.TxRoot,
		ReceiptRoot: h.ReceiptRoot, ValidatorsHash: h.ValidatorsHash,
		GasUsed: h.GasUsed, GasLimit: h.GasLimit, BaseFee: api.NewAmount(h.BaseFee),
		VRF:     api.VRF{Output: common.CopyBytes(h.VRFOutput), Proof: common.CopyBytes(h.VRFProof)},
		TxCount: len(b.Txs), Transactions: make([]common.Hash, len(b.Txs)),
	}
	if v.BaseFee == nil {
		v.BaseFee = api.NewAmount(new(big.Int))
	}
	for i, tx := range b.Txs {
		v.Transactions[i] = tx.Hash()
	}
	commit, err := l.commitOf(b)
	if err != nil {
		return nil, err
	}
	v.Commit = commit
	if !full {
		return v, nil
	}
	receipts, err := l.chain.Receipts(b)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", b.Height(), err)
	}
	if len(receipts) != len(b.Txs) {
		return nil, fmt.Errorf("block %d has %d transactions but %d receipts", b.Height(), len(b.Txs), len(receipts))
	}
	v.FullTransactions = make([]*api.Tx, len(b.Txs))
	for i, tx := range b.Txs {
		if v.FullTransactions[i], err = l.includedTx(tx, b, i, receipts[i]); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// commitOf finds the commit that finalized b: the one stored with it, or
// else the last commit carried by the next block. Nil when neither exists.
func (l *Local) commitOf(b *chain.Block) (*api.Commit, error) {
	if b.Height() == 0 {
		return nil, nil
	}
	c, err := l.chain.CommitAt(b.Height())
	if errors.Is(err, chain.ErrNotFound) {
		next, nerr := l.chain.BlockByHeight(b.Height() + 1)
		switch {
		case errors.Is(nerr, chain.ErrNotFound):
			return nil, nil
		case nerr != nil:
			return nil, nerr
		}
		c, err = next.LastCommit, nil
	}
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, nil
	}
	v := &api.Commit{Height: c.Height, Round: c.Round, BlockHash: c.BlockHash, Signers: make([]common.Address, len(c.Signatures))}
	for i, s := range c.Signatures {
		v.Signers[i] = s.Validator
	}
	return v, nil
}

// txFields fills what a transaction says about itself.
func txFields(tx *types.Transaction, from common.Address) *api.Tx {
	v := &api.Tx{
		Hash: tx.Hash(), From: from, To: tx.To(), Nonce: tx.Nonce(),
		Value: api.NewAmount(tx.Value()), Gas: tx.Gas(), GasPrice: api.NewAmount(tx.GasPrice()),
		Type: tx.Type(), Input: common.CopyBytes(tx.Data()),
	}
	if tx.Type() == types.DynamicFeeTxType {
		v.MaxFeePerGas, v.MaxPriorityFeePerGas = api.NewAmount(tx.GasFeeCap()), api.NewAmount(tx.GasTipCap())
	}
	return v
}

// pendingTx is the view of a transaction waiting in the mempool.
func pendingTx(tx *types.Transaction, from common.Address) *api.Tx {
	v := txFields(tx, from)
	v.Status = api.TxPending
	return v
}

// includedTx is the view of a committed transaction with its receipt,
// whose derived fields (Receipts fills them) must be set.
func (l *Local) includedTx(tx *types.Transaction, b *chain.Block, index int, r *types.Receipt) (*api.Tx, error) {
	from, err := types.Sender(l.chain.Signer(), tx)
	if err != nil {
		return nil, fmt.Errorf("sender of committed transaction %s: %w", tx.Hash(), err)
	}
	v := txFields(tx, from)
	height, hash := b.Height(), b.Hash()
	v.Status, v.BlockHeight, v.BlockHash, v.Index = api.TxIncluded, &height, &hash, &index
	rv := &api.Receipt{
		Status: r.Status, GasUsed: r.GasUsed, CumulativeGasUsed: r.CumulativeGasUsed,
		EffectiveGasPrice: api.NewAmount(r.EffectiveGasPrice), Logs: make([]api.Log, len(r.Logs)),
	}
	if rv.EffectiveGasPrice == nil {
		rv.EffectiveGasPrice = api.NewAmount(tx.GasPrice())
	}
	if tx.To() == nil {
		addr := r.ContractAddress
		rv.ContractAddress = &addr
	}
	for i, lg := range r.Logs {
		rv.Logs[i] = api.Log{
			Address: lg.Address, Topics: append([]common.Hash{}, lg.Topics...),
			Data: common.CopyBytes(lg.Data), LogIndex: lg.Index,
		}
	}
	v.Receipt = rv
	if tx.Type() == types.DynamicFeeTxType {
		v.GasPrice = rv.EffectiveGasPrice
	}
	return v, nil
}
