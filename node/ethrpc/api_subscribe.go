package ethrpc

import (
	"context"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// subscriptionBuffer is the notifications a subscription may have queued;
// past it a slow client misses notifications rather than hold up others.
const subscriptionBuffer = 1024

// subSink is one subscription as the feed sees it: it picks what it wants
// from each event and queues it for the subscription's goroutine.
type subSink struct {
	pick func(blk *chain.Block, logs func() []*types.Log, tx *types.Transaction) []any
	ch   chan any
}

func (s *subSink) onBlock(blk *chain.Block, logs func() []*types.Log) {
	s.queue(s.pick(blk, logs, nil))
}

func (s *subSink) onPendingTx(tx *types.Transaction) { s.queue(s.pick(nil, nil, tx)) }

func (s *subSink) queue(items []any) {
	for _, it := range items {
		select {
		case s.ch <- it:
		default: // the client is too slow; it misses this one
		}
	}
}

// subscribe starts a subscription that sends what pick picks.
func (b *backend) subscribe(ctx context.Context, pick func(*chain.Block, func() []*types.Log, *types.Transaction) []any) (*rpc.Subscription, error) {
	notifier, ok := rpc.NotifierFromContext(ctx)
	if !ok {
		return nil, rpc.ErrNotificationsUnsupported
	}
	if n := b.subs.Add(1); n > int64(b.cfg.MaxSubscriptions) {
		b.subs.Add(-1)
		return nil, limitExceeded("%d subscriptions are live, the most this node serves", b.cfg.MaxSubscriptions)
	}
	rs := notifier.CreateSubscription()
	s := &subSink{pick: pick, ch: make(chan any, subscriptionBuffer)}
	b.feed.add(s)
	go func() {
		defer b.subs.Add(-1)
		defer b.feed.remove(s)
		for {
			select {
			case v := <-s.ch:
				if err := notifier.Notify(rs.ID, v); err != nil {
					return
				}
			case <-rs.Err():
				return
			case <-b.feed.done:
				return
			}
		}
	}()
	return rs, nil
}

// NewHeads is the newHeads subscription: the header of each new block.
func (api *ethAPI) NewHeads(ctx context.Context) (*rpc.Subscription, error) {
	return api.b.subscribe(ctx, func(blk *chain.Block, _ func() []*types.Log, _ *types.Transaction) []any {
		if blk == nil {
			return nil
		}
		h := marshalHeader(blk.Header, false)
		return []any{&h}
	})
}

// Logs is the logs subscription: each log of new blocks that the filter
// matches (every log without one), one notification a log. fromBlock and
// toBlock are not used.
func (api *ethAPI) Logs(ctx context.Context, filter *logQuery) (*rpc.Subscription, error) {
	var q logQuery
	if filter != nil {
		q = *filter
	}
	if q.BlockHash != nil {
		return nil, invalidParams("a logs subscription takes no blockHash")
	}
	return api.b.subscribe(ctx, func(blk *chain.Block, logs func() []*types.Log, _ *types.Transaction) []any {
		if blk == nil || !q.mayMatch(&blk.Header.Bloom) {
			return nil
		}
		var out []any
		for _, l := range q.filterLogs(logs()) {
			out = append(out, l)
		}
		return out
	})
}

// NewPendingTransactions is the newPendingTransactions subscription: the
// hash of each transaction newly admitted to the mempool, or the whole
// transaction if full is true.
func (api *ethAPI) NewPendingTransactions(ctx context.Context, full *bool) (*rpc.Subscription, error) {
	return api.b.subscribe(ctx, func(_ *chain.Block, _ func() []*types.Log, tx *types.Transaction) []any {
		if tx == nil {
			return nil
		}
		if full != nil && *full {
			return []any{api.b.marshalTx(tx, nil, 0)}
		}
		return []any{tx.Hash()}
	})
}
