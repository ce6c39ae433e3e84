package ethrpc

import (
	"errors"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
)

// latest is the default block parameter.
var latest = rpc.BlockNumberOrHashWithNumber(rpc.LatestBlockNumber)

// orLatest is p, or latest when a client left the optional block out.
func orLatest(p *rpc.BlockNumberOrHash) rpc.BlockNumberOrHash {
	if p == nil {
		return latest
	}
	return *p
}

// height turns a block number or tag into a committed height. latest,
// safe, finalized and pending all name the head (finality is immediate;
// state has no pending block); ok is false for a number past the head.
func (b *backend) height(n rpc.BlockNumber) (h uint64, ok bool) {
	head := b.chain.Head().Height()
	switch n {
	case rpc.LatestBlockNumber, rpc.SafeBlockNumber, rpc.FinalizedBlockNumber, rpc.PendingBlockNumber:
		return head, true
	case rpc.EarliestBlockNumber:
		return 0, true
	}
	if n < 0 || uint64(n) > head {
		return 0, false
	}
	return uint64(n), true
}

// stateBlock resolves a block parameter of a state query (balance, code,
// call…) to a committed block; a block the chain lacks is an error.
func (b *backend) stateBlock(p rpc.BlockNumberOrHash) (*chain.Block, error) {
	if hash, ok := p.Hash(); ok {
		blk, err := b.blockByHash(hash)
		if err != nil {
			return nil, err
		}
		if blk == nil {
			return nil, errBlockHashNotFound
		}
		return blk, nil
	}
	n, _ := p.Number()
	h, ok := b.height(n)
	if !ok {
		return nil, errHeaderNotFound
	}
	return b.blockByHeight(h)
}

// blockByHeight loads a committed block.
func (b *backend) blockByHeight(h uint64) (*chain.Block, error) {
	blk, err := b.chain.BlockByHeight(h)
	if err != nil {
		return nil, internal("load block", err)
	}
	return blk, nil
}

// blockByHash loads a committed block by hash; nil, nil if none has it.
func (b *backend) blockByHash(hash common.Hash) (*chain.Block, error) {
	blk, err := b.chain.BlockByHash(hash)
	if errors.Is(err, chain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internal("load block", err)
	}
	return blk, nil
}

// blockByNumber loads the block a number or tag names for a block query:
// nil, nil past the head. pending answers nil here; callers that show a
// pending block build it from the pending header.
func (b *backend) blockByNumber(n rpc.BlockNumber) (*chain.Block, error) {
	if n == rpc.PendingBlockNumber {
		return nil, nil
	}
	h, ok := b.height(n)
	if !ok {
		return nil, nil
	}
	return b.blockByHeight(h)
}
