package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"cairn/vm"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
)

// BlockByHeight returns the committed block at a height.
func (c *Chain) BlockByHeight(height uint64) (*Block, error) {
	if height > c.Head().Height() {
		return nil, fmt.Errorf("load block %d: %w", height, ErrNotFound)
	}
	return c.store.BlockByHeight(height)
}

// BlockByHash returns the committed block with a hash.
func (c *Chain) BlockByHash(hash common.Hash) (*Block, error) {
	h, err := c.store.HeightByHash(hash)
	if err != nil {
		return nil, err
	}
	return c.BlockByHeight(h)
}

// CommitAt returns the commit that finalized the block at height.
func (c *Chain) CommitAt(height uint64) (*Commit, error) { return c.store.CommitAt(height) }

// Receipts returns a block's receipts with every derived field filled in.
func (c *Chain) Receipts(b *Block) ([]*types.Receipt, error) {
	raw, err := c.store.rawReceipts(b.Height())
	if err != nil {
		return nil, err
	}
	rs := make(types.Receipts, len(raw))
	for i, r := range raw {
		rs[i] = (*types.Receipt)(r)
	}
	if err := rs.DeriveFields(c.exec.Config(), b.Hash(), b.Height(), b.Header.TimeSeconds(), b.Header.BaseFee, nil, b.Txs); err != nil {
		return nil, fmt.Errorf("receipts of block %d: %w", b.Height(), err)
	}
	return rs, nil
}

// TxLookup is a committed transaction with where it sits and its receipt.
type TxLookup struct {
	Tx      *types.Transaction
	Block   *Block
	Index   int
	Receipt *types.Receipt
}

// Transaction finds a committed transaction by hash.
func (c *Chain) Transaction(hash common.Hash) (*TxLookup, error) {
	height, index, err := c.store.TxLocation(hash)
	if err != nil {
		return nil, fmt.Errorf("look up transaction %x: %w", hash, err)
	}
	b, err := c.BlockByHeight(height)
	if err != nil {
		return nil, err
	}
	if int(index) >= len(b.Txs) {
		return nil, fmt.Errorf("look up transaction %x: corrupt index (block %d has %d txs)", hash, height, len(b.Txs))
	}
	rs, err := c.Receipts(b)
	if err != nil {
		return nil, err
	}
	return &TxLookup{Tx: b.Txs[index], Block: b, Index: int(index), Receipt: rs[index]}, nil
}

// State opens a private, mutable copy of the state after the head block.
// Changes to it are never written.
func (c *Chain) State() (*state.StateDB, error) {
	return c.state.Open(c.Head().Header.StateRoot)
}

// Account is the public view of one account at the head.
type Account struct {
	Balance  *big.Int
	Nonce    uint64
	CodeHash common.Hash
	Code     []byte
}

// IsContract reports whether the account has code.
func (a *Account) IsContract() bool { return len(a.Code) > 0 }

// Account reads an account at the head.
func (c *Chain) Account(addr common.Address) (*Account, error) {
	st, err := c.State()
	if err != nil {
		return nil, err
	}
	a := &Account{
		Balance: st.GetBalance(addr).ToBig(), Nonce: st.GetNonce(addr),
		CodeHash: st.GetCodeHash(addr), Code: st.GetCode(addr),
	}
	// The state answers a failed read with a zero value and keeps the
	// error: a damaged trie node must not pass for an empty account.
	if err := st.Error(); err != nil {
		return nil, fmt.Errorf("read account %s: %w", addr, err)
	}
	return a, nil
}

// ErrReturnTooLarge is returned when a call's return data is over the cap.
var ErrReturnTooLarge = errors.New("return data too large")

// CallLimits bound a read-only call.
type CallLimits struct {
	Gas       uint64        // gas cap (0: the per-transaction cap)
	Timeout   time.Duration // wall-clock bound
	MaxReturn int           // return data cap in bytes (0: none)
}

// Call runs a read-only call against the head state, as if in the next
// block.
func (c *Chain) Call(ctx context.Context, msg vm.CallMsg, lim CallLimits) (*vm.CallResult, error) {
	head := c.Head()
	st, err := c.state.Open(head.Header.StateRoot)
	if err != nil {
		return nil, err
	}
	next := &Header{
		Height: head.Height() + 1, Time: head.Header.Time + c.genesis.Params.BlockTimeMs,
		GasLimit: head.Header.GasLimit, BaseFee: c.NextBaseFee(head.Header),
		VRFOutput: head.Header.VRFOutput,
	}
	gas := lim.Gas
	if gas == 0 {
		gas = c.genesis.Params.MaxTxGas
	}
	res, err := c.exec.Call(ctx, st, c.env(next), msg, gas, lim.Timeout)
	if err != nil {
		return nil, err
	}
	if lim.MaxReturn > 0 && len(res.ReturnData) > lim.MaxReturn {
		return nil, fmt.Errorf("%w: %d bytes, cap %d", ErrReturnTooLarge, len(res.ReturnData), lim.MaxReturn)
	}
	return res, nil
}
