package node

import (
	"runtime/debug"
	"sync"
)

// releaseAfterBytes is how much mempool memory a burst must have held
// for the node to hand the freed heap back to the system once it drains.
const releaseAfterBytes = 64 << 20

// memoryReleaser gives the heap a burst of transactions grew back to the
// operating system once the mempool has drained. Go's collector keeps
// freed pages for reuse and returns them only slowly, so after a burst of
// 200,000 transfers a node would otherwise sit at its peak resident size
// for many minutes while holding a fraction of it. One forced collection
// when the pool empties costs a few milliseconds of an idle node.
type memoryReleaser struct {
	mu      sync.Mutex
	peak    int  // the most pool memory seen since the last release
	running bool // a release is under way
	free    func()
}

func newMemoryReleaser() *memoryReleaser {
	return &memoryReleaser{free: debug.FreeOSMemory}
}

// observe is told the pool's accounted memory after each block; it starts
// a release when the pool has drained after holding a burst.
func (m *memoryReleaser) observe(poolMemory int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peak = max(m.peak, poolMemory)
	if m.running || m.peak < releaseAfterBytes || poolMemory > m.peak/64 {
		return
	}
	m.peak, m.running = poolMemory, true
	go func() {
		m.free()
		m.mu.Lock()
		m.running = false
		m.mu.Unlock()
	}()
}
