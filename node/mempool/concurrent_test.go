package mempool

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// TestConcurrentAdd adds from many goroutines at once, with two goroutines
// per sender racing on interleaved nonces, duplicates from a third, and
// readers and selections running alongside. Run it with -race.
func TestConcurrentAdd(t *testing.T) {
	const senders, perSender = 32, 40
	var added atomic.Int64
	cfg := testConfig()
	cfg.OnAdd = func(*types.Transaction, common.Address, Origin) { added.Add(1) }
	p, _ := newTestPool(t, cfg)

	txs := make([][]*types.Transaction, senders)
	for s := range txs {
		for n := uint64(0); n < perSender; n++ {
			txs[s] = append(txs[s], dyn(testKey(s), n, 10, int64(1+s%5)))
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, senders*perSender*3)
	for s := 0; s < senders; s++ {
		for half := 0; half < 2; half++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := half; n < perSender; n += 2 {
					// Re-sign-free copies: a fresh decode makes each goroutine
					// pay for its own sender recovery.
					raw, _ := txs[s][n].MarshalBinary()
					if _, err := p.AddRaw(raw); err != nil {
						if re, ok := IsReject(err); !ok || re.Reason != ReasonAlreadyKnown {
							errs <- err
						}
					}
				}
			}()
		}
		wg.Add(1)
		go func() { // duplicates of the same transactions
			defer wg.Done()
			for _, tx := range txs[s] {
				if err := p.Add(tx); err != nil {
					if re, ok := IsReject(err); !ok || re.Reason != ReasonAlreadyKnown {
						errs <- err
					}
				}
			}
		}()
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := p.Select(gw(1))
			for i := 0; i < 50 && s.Peek() != nil; i++ {
				s.Shift()
			}
			_ = p.Stats()
			_ = p.Pending()
		}
	}()
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := added.Load(); got != senders*perSender {
		t.Fatalf("OnAdd called %d times, want %d", got, senders*perSender)
	}
	checkCounts(t, p, senders*perSender, 0)
	checkInvariants(t, p)
	if got := drain(p.Select(gw(1))); len(got) != senders*perSender {
		t.Fatalf("selection has %d txs, want %d", len(got), senders*perSender)
	}
}
