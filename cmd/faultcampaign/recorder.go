package main

import (
	"context"
	"time"

	"cairn/node/api"
)

// recorder follows a node's /v1/events stream and writes every block it
// announces into the ledger: an announced block is one the node says it
// committed. Blocks with transactions are also signalled on withTxs, and
// every block is given to onBlock, if set.
type recorder struct {
	cancel  context.CancelFunc
	done    chan struct{}
	withTxs chan *api.Block
	first   chan time.Time // when the first block arrived (sent once)
}

func startRecorder(ctx context.Context, c *api.Client, l *ledger, onBlock func(*api.Block)) (*recorder, error) {
	ctx, cancel := context.WithCancel(ctx)
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	// Subscribe returns once the node accepted the stream; the stream
	// itself lives as long as ctx, not sctx.
	evs, err := subscribe(ctx, sctx, c)
	if err != nil {
		cancel()
		return nil, err
	}
	r := &recorder{cancel: cancel, done: make(chan struct{}), withTxs: make(chan *api.Block, 256), first: make(chan time.Time, 1)}
	go func() {
		defer close(r.done)
		sent := false
		for {
			for ev := range evs {
				if ev.Type != api.EventBlock || ev.Block == nil {
					continue
				}
				l.addBlock(ev.Block)
				if onBlock != nil {
					onBlock(ev.Block)
				}
				if !sent {
					r.first <- time.Now()
					sent = true
				}
				if len(ev.Block.Transactions) > 0 {
					select {
					case r.withTxs <- ev.Block:
					default:
					}
				}
			}
			// The stream ended: the node is gone, or it cut a reader it
			// found too slow. Subscribe again until stopped.
			for evs = nil; evs == nil; {
				select {
				case <-ctx.Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
				sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
				evs, _ = subscribe(ctx, sctx, c)
				scancel()
			}
		}
	}()
	return r, nil
}

// subscribe opens the stream on ctx but gives up on opening it when
// sctx ends.
func subscribe(ctx, sctx context.Context, c *api.Client) (<-chan api.Event, error) {
	type result struct {
		evs <-chan api.Event
		err error
	}
	ch := make(chan result, 1)
	go func() {
		// Blocks are all the recorder reads: a block-only stream costs
		// the node far less under load than one with every tx event.
		st, err := c.Stream(ctx, api.EventBlock)
		if err != nil {
			ch <- result{nil, err}
			return
		}
		ch <- result{st.C, nil}
	}()
	select {
	case r := <-ch:
		return r.evs, r.err
	case <-sctx.Done():
		return nil, sctx.Err()
	}
}

func (r *recorder) stop() {
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
	}
}
