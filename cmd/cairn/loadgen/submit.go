package loadgen

import (
	"context"
	"errors"
	"sync"
)

// submit sends txs with workers HTTP workers, keeping each sender's
// transfers in nonce order: lanes[s] lists sender s's transfers, and a
// sender has at most one transfer in flight. Senders take turns through a
// FIFO queue, so the load spreads over all of them; with fewer senders
// than workers, only as many workers are busy as there are senders. pace
// (nil for none) bounds the rate. With batch > 1 and a BatchTarget, a
// worker sends up to batch consecutive transfers of its sender in one
// request, which the target admits in order. submit returns when every
// transfer was sent or ctx ended.
func submit(ctx context.Context, t Target, txs []signedTx, lanes [][]int, workers, batch int, pace *pacer, rec *recorder) {
	bt, _ := t.(BatchTarget)
	if bt == nil || batch < 1 {
		batch = 1
	}
	defer rec.finishSends()
	ready := make(chan int, len(lanes))
	live := 0
	for s, lane := range lanes {
		if len(lane) > 0 {
			ready <- s
			live++
		}
	}
	if live == 0 {
		return
	}
	var (
		mu   sync.Mutex
		pos  = make([]int, len(lanes)) // next position in each lane
		left = live                    // lanes with transfers still to send
		wg   sync.WaitGroup
	)
	stop := make(chan struct{})
	for range min(workers, live) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var s int
				select {
				case s = <-ready:
				case <-stop:
					return
				case <-ctx.Done():
					return
				}
				// Only the worker holding lane s touches pos[s].
				take := lanes[s][pos[s]:min(pos[s]+batch, len(lanes[s]))]
				pos[s] += len(take)
				for _, i := range take {
					due, err := pace.wait(ctx)
					if err != nil {
						return
					}
					rec.sending(i, due)
				}
				if !send(ctx, t, bt, txs, take, rec) {
					return // cut off by the end of the run: no answer to count
				}
				if pos[s] < len(lanes[s]) {
					ready <- s
					continue
				}
				mu.Lock()
				left--
				last := left == 0
				mu.Unlock()
				if last {
					close(stop)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// send submits the transfers take (one, or a batch through bt) and records
// each answer. It reports false when ctx ended before the answer came.
func send(ctx context.Context, t Target, bt BatchTarget, txs []signedTx, take []int, rec *recorder) bool {
	if len(take) == 1 || bt == nil {
		for _, i := range take {
			err := t.Send(ctx, txs[i].raw)
			if err != nil && ctx.Err() != nil {
				return false
			}
			rec.sent(i, err)
		}
		return true
	}
	raws := make([][]byte, len(take))
	for k, i := range take {
		raws[k] = txs[i].raw
	}
	errs, err := bt.SendBatch(ctx, raws)
	if err != nil && ctx.Err() != nil {
		return false
	}
	for k, i := range take {
		switch {
		case err != nil:
			rec.sent(i, err)
		case k < len(errs):
			rec.sent(i, errs[k])
		default:
			rec.sent(i, errors.New("send batch: no answer for this transaction"))
		}
	}
	return true
}
