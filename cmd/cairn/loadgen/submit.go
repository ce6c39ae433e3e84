package loadgen

import (
	"context"
	"sync"
)

// submit sends txs with workers HTTP workers, keeping each sender's
// transfers in nonce order: lanes[s] lists sender s's transfers, and a
// sender has at most one transfer in flight. Senders take turns through a
// FIFO queue, so the load spreads over all of them; with fewer senders
// than workers, only as many workers are busy as there are senders. pace
// (nil for none) bounds the rate. submit returns when every transfer was
// sent or ctx ended.
func submit(ctx context.Context, t Target, txs []signedTx, lanes [][]int, workers int, pace *pacer, rec *recorder) {
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
				i := lanes[s][pos[s]]
				pos[s]++
				due, err := pace.wait(ctx)
				if err != nil {
					return
				}
				rec.sending(i, due)
				err = t.Send(ctx, txs[i].raw)
				if err != nil && ctx.Err() != nil {
					return // cut off by the end of the run: no answer to count
				}
				rec.sent(i, err)
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
