package node

import (
	"context"
	"fmt"
	"time"

	"cairn/chain"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
)

// fillTimeout bounds the fetching of a compact proposal's missing
// transactions; past it the proposal is as good as never received.
const fillTimeout = 5 * time.Second

// filledBlock is a compact proposal whose missing transactions were
// fetched (block set) or could not be (err set).
type filledBlock struct {
	hash  common.Hash
	block *chain.Block
	err   error
}

// startFill fills a compact proposal in from the mempool. It returns the
// block when the mempool had every transaction; otherwise it fetches the
// rest from peers on another goroutine, whose result onFilled takes.
func (d *bftEngine) startFill(ctx context.Context, from transport.PeerID, c *compactBlock) (*chain.Block, error) {
	hash := c.skeleton.Hash()
	if d.filling[hash] {
		return nil, nil
	}
	f := c.startFill(d.n.pool.Txs())
	d.n.wire.receivedCompact(len(c.ids), len(f.missing))
	d.log.Debug("compact proposal", "height", c.skeleton.Height(), "txs", len(c.ids), "missing", len(f.missing))
	if len(f.missing) == 0 {
		if b, err := f.block(); err == nil {
			return b, nil
		}
		f.missing = f.all() // a short-ID collision: ask for everything
	}
	d.filling[hash] = true
	go func() {
		fctx, cancel := context.WithTimeout(ctx, fillTimeout)
		defer cancel()
		b, err := d.fetchMissing(fctx, from, hash, f)
		select {
		case d.filled <- filledBlock{hash: hash, block: b, err: err}:
		case <-d.done:
		}
	}()
	return nil, nil
}

// fetchMissing asks the peer that sent the proposal, then the others, for
// the transactions the mempool lacked. A peer that answers with the wrong
// transactions is scored down.
func (d *bftEngine) fetchMissing(ctx context.Context, from transport.PeerID, hash common.Hash, f *fill) (*chain.Block, error) {
	peers := []transport.PeerID{from}
	for _, p := range d.tr.Peers() {
		if p.ID != from {
			peers = append(peers, p.ID)
		}
	}
	var last error
	for _, p := range peers {
		for _, idx := range [][]uint32{f.missing, f.all()} {
			raw, err := d.tr.FetchTxs(ctx, p, hash, idx)
			if err != nil {
				last = err
				break
			}
			if err := f.add(idx, raw); err != nil {
				d.tr.Penalize(p, "wrong transactions for a compact proposal: "+err.Error())
				last = err
				break
			}
			d.n.wire.fetchedTxs(raw)
			b, err := f.block()
			if err == nil {
				return b, nil
			}
			last = err // a collision among what the mempool gave: ask for all
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("fill compact block %s: %w", hash, last)
}

// onFilled keeps a compact proposal filled in by peers, as if it had come
// whole, and validates it if the engine asked.
func (d *bftEngine) onFilled(f filledBlock) error {
	delete(d.filling, f.hash)
	if f.err != nil {
		d.log.Warn("compact proposal not filled in", "hash", f.hash, "err", f.err)
		return nil
	}
	d.log.Debug("compact proposal filled in by peers", "height", f.block.Height(), "txs", len(f.block.Txs))
	if err := d.keepBlock(f.block); err != nil {
		return err
	}
	return d.tryValidate(f.hash)
}
