package ethrpc

import (
	"sync"
	"sync/atomic"

	"cairn/chain"
	"cairn/node/events"

	"github.com/ethereum/go-ethereum/core/types"
)

// feedBuffer is the feed's room on the event bus. A block the bus drops
// for lack of room is read back from the chain; a dropped pending
// transaction is lost to filters and subscriptions.
const feedBuffer = 4096

// sink receives the feed's events on the feed's goroutine and must not
// block.
type sink interface {
	onBlock(blk *chain.Block, logs func() []*types.Log)
	onPendingTx(tx *types.Transaction)
}

// feed is the one subscription to the node's bus behind every filter and
// subscription: each committed block once, in height order and without
// gaps, with its logs read at most once; and each newly pooled
// transaction.
type feed struct {
	b     *backend
	sub   *events.Subscription
	mu    sync.Mutex
	sinks map[sink]struct{}
	last  uint64 // height of the last block delivered
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
	// handled, if set, is called after each bus event is handled: tests
	// wait on it instead of on time.
	handled atomic.Pointer[func(events.Event)]
}

func newFeed(b *backend, bus Bus) *feed {
	f := &feed{b: b, sub: bus.Subscribe(feedBuffer), sinks: map[sink]struct{}{}, done: make(chan struct{})}
	f.last = b.chain.Head().Height()
	f.wg.Add(1)
	go f.run()
	return f
}

func (f *feed) add(s sink) {
	f.mu.Lock()
	f.sinks[s] = struct{}{}
	f.mu.Unlock()
}

func (f *feed) remove(s sink) {
	f.mu.Lock()
	delete(f.sinks, s)
	f.mu.Unlock()
}

func (f *feed) snapshot() []sink {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]sink, 0, len(f.sinks))
	for s := range f.sinks {
		out = append(out, s)
	}
	return out
}

func (f *feed) run() {
	defer f.wg.Done()
	for ev := range f.sub.C {
		switch {
		case ev.Block != nil:
			f.block(ev.Block)
		case ev.Tx != nil:
			for _, s := range f.snapshot() {
				s.onPendingTx(ev.Tx)
			}
		}
		if fn := f.handled.Load(); fn != nil {
			(*fn)(ev)
		}
	}
}

// block delivers blk, after any blocks between the last delivered and it
// that the bus dropped.
func (f *feed) block(blk *chain.Block) {
	if blk.Height() <= f.last {
		return
	}
	from := f.last + 1
	if b, ok := f.b.chain.(interface{ Base() uint64 }); ok {
		from = max(from, b.Base()) // a node started from a snapshot has nothing before its base
	}
	for h := from; h < blk.Height(); h++ {
		missed, err := f.b.chain.BlockByHeight(h)
		if err != nil {
			f.b.cfg.Log.Warn("json-rpc feed: read a block the event bus dropped", "height", h, "err", err)
			continue
		}
		f.deliver(missed)
	}
	f.deliver(blk)
	f.last = blk.Height()
}

func (f *feed) deliver(blk *chain.Block) {
	f.b.blooms.add(blk.Height(), blk.Header.Bloom)
	var (
		logs []*types.Log
		read bool
	)
	logsOf := func() []*types.Log {
		if !read {
			read = true
			var err error
			if logs, err = f.b.blockLogs(blk); err != nil {
				f.b.cfg.Log.Warn("json-rpc feed: read logs", "height", blk.Height(), "err", err)
			}
		}
		return logs
	}
	for _, s := range f.snapshot() {
		s.onBlock(blk, logsOf)
	}
}

// close ends the feed and waits for its goroutine.
func (f *feed) close() {
	f.once.Do(func() {
		close(f.done)
		f.sub.Close()
		f.wg.Wait()
	})
}
