package ethrpc

import (
	"context"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// GetLogs is eth_getLogs.
func (api *ethAPI) GetLogs(ctx context.Context, q logQuery) ([]*types.Log, error) {
	return api.b.getLogs(ctx, &q)
}

// getLogs answers a log query over committed blocks. A range skips every
// block whose logs bloom (from memory, else its header) rules the query
// out and reads receipts only of the rest; it spans at most MaxBlockRange blocks and returns at most
// MaxLogs logs, else it is refused with code -32005.
func (b *backend) getLogs(ctx context.Context, q *logQuery) ([]*types.Log, error) {
	if q.BlockHash != nil {
		blk, err := b.blockByHash(*q.BlockHash)
		if err != nil {
			return nil, err
		}
		if blk == nil {
			return nil, serverError("unknown block %s", q.BlockHash.Hex())
		}
		return b.logsIn(ctx, q, []uint64{blk.Height()})
	}
	from, to, err := b.logRange(q)
	if err != nil {
		return nil, err
	}
	if from > to {
		return []*types.Log{}, nil
	}
	if n := to - from + 1; n > b.cfg.MaxBlockRange {
		return nil, limitExceeded("block range of %d blocks (%d to %d) is over the limit of %d: ask for a smaller range", n, from, to, b.cfg.MaxBlockRange)
	}
	var heights []uint64
	err = b.walkBlooms(ctx, from, to, func(h uint64, bloom *types.Bloom) {
		if q.mayMatch(bloom) {
			heights = append(heights, h)
		}
	})
	if err != nil {
		return nil, internal("read block blooms", err)
	}
	return b.logsIn(ctx, q, heights)
}

// logRange resolves a query's fromBlock and toBlock (both default to
// latest) to heights; to is clamped to the head.
func (b *backend) logRange(q *logQuery) (from, to uint64, err error) {
	head := b.chain.Head().Height()
	resolve := func(p *rpc.BlockNumber) uint64 {
		if p == nil {
			return head
		}
		if h, ok := b.height(*p); ok {
			return h
		}
		return uint64(*p) // past the head
	}
	from, to = resolve(q.FromBlock), resolve(q.ToBlock)
	if q.FromBlock != nil && q.ToBlock != nil && *q.FromBlock >= 0 && *q.ToBlock >= 0 && from > to {
		return 0, 0, invalidParams("invalid block range: fromBlock %d is after toBlock %d", from, to)
	}
	return from, min(to, head), nil
}

// logsIn collects the logs q matches in the blocks at heights.
func (b *backend) logsIn(ctx context.Context, q *logQuery, heights []uint64) ([]*types.Log, error) {
	out := []*types.Log{}
	for _, h := range heights {
		if err := ctx.Err(); err != nil {
			return nil, serverError("log query cut off: %v", err)
		}
		blk, err := b.blockByHeight(h)
		if err != nil {
			return nil, err
		}
		logs, err := b.blockLogs(blk)
		if err != nil {
			return nil, err
		}
		out = append(out, q.filterLogs(logs)...)
		if len(out) > b.cfg.MaxLogs {
			return nil, limitExceeded("query matches more than %d logs: ask for a smaller block range or narrower filter", b.cfg.MaxLogs)
		}
	}
	return out, nil
}

// blockLogs are every log of a block, with their block, transaction and
// index fields set.
func (b *backend) blockLogs(blk *chain.Block) ([]*types.Log, error) {
	if len(blk.Txs) == 0 {
		return nil, nil
	}
	rs, err := b.chain.Receipts(blk)
	if err != nil {
		return nil, internal("load receipts", err)
	}
	var logs []*types.Log
	for _, r := range rs {
		logs = append(logs, r.Logs...)
	}
	return logs, nil
}
