package node

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// releaseAfterTxs is how many transactions a burst must have committed
// for the node to hand the heap it grew back to the system once the load
// is over.
const releaseAfterTxs = 20_000

// memoryReleaser gives the heap a burst of transactions grew back to the
// operating system once the load is over: the mempool is empty and a
// block carried nothing. Go's collector keeps freed pages for reuse and
// returns them only slowly, so after a burst of 200,000 transfers a node
// would otherwise sit near its peak resident size for many minutes while
// holding a fraction of it. Two forced collections (the second frees what
// the first left in sync.Pools, such as bbolt's page buffers) cost an idle
// node a few tens of milliseconds.
type memoryReleaser struct {
	mu      sync.Mutex
	txs     int  // transactions committed since the last release
	running bool // a release is under way
	// after is how many quiet blocks after a burst's release it is done
	// once more (0: never): a pruning store deletes the burst's states
	// over the window of blocks after it, and that work grows the heap
	// again.
	after   int
	pending int // quiet blocks left until that release; 0 when none is due
	free    func()
}

// newMemoryReleaser releases after a burst and again after blocks more
// quiet blocks (0: only once).
func newMemoryReleaser(after int) *memoryReleaser {
	return &memoryReleaser{after: after, free: func() { runtime.GC(); debug.FreeOSMemory() }}
}

// observe is told, after each block, how many transactions it carried and
// how many the pool still holds.
func (m *memoryReleaser) observe(blockTxs, pooled int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.txs += blockTxs
	busy := blockTxs > 0 || pooled > 0
	if busy {
		m.pending = 0 // a new burst, which will have its own release
	}
	if m.running || busy {
		return
	}
	switch {
	case m.txs >= releaseAfterTxs:
		m.txs, m.pending = 0, m.after
		m.release()
	case m.pending > 0:
		if m.pending--; m.pending == 0 {
			m.release()
		}
	}
}

// release frees memory on its own goroutine; m.mu is held.
func (m *memoryReleaser) release() {
	m.running = true
	go func() {
		m.free()
		m.mu.Lock()
		m.running = false
		m.mu.Unlock()
	}()
}
