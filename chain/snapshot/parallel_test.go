package snapshot

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/core/rawdb"
)

// TestParallelPeers downloads with four peers at once, one of which
// corrupts every chunk it serves: its chunks are all refused, the others
// finish the download, and the state rebuilt is the original.
func TestParallelPeers(t *testing.T) {
	ts := smallState(t)
	dst := rawdb.NewMemoryDatabase()
	plan, err := NewPlan(ts.root, dst, Options{Intervals: 8, MaxBytes: 4 << 10, CodeBatch: 3})
	if err != nil {
		t.Fatal(err)
	}
	s := NewKVServer(ts.kv)
	var refused, badServed atomic.Int64
	var wg sync.WaitGroup
	// The dishonest peer takes the first three tasks before the others
	// start, then all four run at once.
	peer := func(id, tasks int) {
		defer wg.Done()
		serve := roundTrip(s)
		for n := 0; n != tasks && !plan.Complete() && plan.Err() == nil; {
			task := plan.Next()
			if task == nil {
				runtime.Gosched()
				continue
			}
			n++
			c, err := serve(task.Request())
			if err != nil {
				task.Failed()
				t.Errorf("serve: %v", err)
				return
			}
			if id == 0 && len(c.Entries) > 0 {
				c.Entries[0].Value = append([]byte{}, c.Entries[0].Value...)
				c.Entries[0].Value[len(c.Entries[0].Value)-1] ^= 0x01
				badServed.Add(1)
			}
			if err := task.Done(c); err != nil {
				if !errors.Is(err, ErrInvalidChunk) {
					t.Errorf("refused with %v, want ErrInvalidChunk", err)
				}
				refused.Add(1)
			}
		}
	}
	wg.Add(1)
	peer(0, 3)
	for id := range 4 {
		wg.Add(1)
		go peer(id, -1)
	}
	wg.Wait()
	if err := plan.Finish(); err != nil {
		t.Fatal(err)
	}
	if refused.Load() != badServed.Load() || badServed.Load() < 3 {
		t.Fatalf("%d corrupted chunks served, %d refused", badServed.Load(), refused.Load())
	}
	checkSame(t, ts, dst)
}
