package chain

import (
	"fmt"

	"cairn/vm"

	"github.com/ethereum/go-ethereum/core/state"
)

// StateAt opens a private, mutable copy of the state after the block with
// header h. Changes to it are never written. A pruning store keeps the
// states of its window only: an older block's is an error wrapping
// ErrStatePruned.
func (c *Chain) StateAt(h *Header) (*state.StateDB, error) {
	if err := c.store.checkStateKept(h.Height); err != nil {
		return nil, err
	}
	st, err := c.state.Open(h.StateRoot)
	if err != nil {
		return nil, fmt.Errorf("state of block %d: %w", h.Height, err)
	}
	return st, nil
}

// BlockEnv is what the EVM sees of the block with header h: the context a
// read-only call "at" that block runs in.
func (c *Chain) BlockEnv(h *Header) vm.BlockEnv { return c.env(h) }

// PendingHeader is the header of the block after the head as far as it is
// known before a proposer builds it: height, parent, time one block
// interval on, gas limit, base fee and the head's beacon. Its roots, bloom,
// proposer and proofs are empty.
func (c *Chain) PendingHeader() *Header {
	head := c.Head()
	return &Header{
		ParentHash: head.Hash(), Height: head.Height() + 1,
		Time:     head.Header.Time + c.genesis.Params.BlockTimeMs,
		GasLimit: head.Header.GasLimit, BaseFee: c.NextBaseFee(head.Header),
		VRFOutput: head.Header.VRFOutput,
	}
}
