package node

import (
	"runtime"
	"testing"
	"time"
)

func TestMemoryReleasedOnceWhenTheBurstIsOver(t *testing.T) {
	released := make(chan struct{}, 4)
	m := &memoryReleaser{free: func() { released <- struct{}{} }}
	none := func(when string) { t.Helper(); noRelease(t, released, when) }
	m.observe(5000, 0)
	m.observe(0, 0)
	none("after a small load")
	m.observe(10000, 3000)
	m.observe(6000, 0)
	none("while blocks still carry transactions")
	m.observe(0, 12)
	none("while the pool still holds transactions")
	m.observe(0, 0)
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("no release after the burst was over")
	}
	for i := 0; i < 100; i++ {
		m.observe(0, 0)
	}
	none("again with no new burst")
}

// TestMemoryReleasedAgainOnceTheBurstIsPruned: a releaser with a follow-up
// releases again after that many quiet blocks, and a new burst cancels
// the follow-up in favour of its own release.
func TestMemoryReleasedAgainOnceTheBurstIsPruned(t *testing.T) {
	released := make(chan struct{}, 4)
	m := &memoryReleaser{after: 3, free: func() { released <- struct{}{} }}
	wait := func(what string) {
		t.Helper()
		select {
		case <-released:
		case <-time.After(10 * time.Second):
			t.Fatalf("no release %s", what)
		}
		// The release has returned once running is cleared.
		deadline := time.Now().Add(10 * time.Second)
		for {
			m.mu.Lock()
			running := m.running
			m.mu.Unlock()
			if !running {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("a release did not finish")
			}
			runtime.Gosched()
		}
	}
	none := func(when string) { t.Helper(); noRelease(t, released, when) }
	m.observe(releaseAfterTxs, 0)
	m.observe(0, 0)
	wait("after the burst")
	m.observe(0, 0)
	m.observe(0, 0)
	none("before the follow-up is due")
	m.observe(0, 0)
	wait("once the burst's states are pruned")
	for range 10 {
		m.observe(0, 0)
	}
	none("a third time with no new burst")

	m.observe(releaseAfterTxs, 0)
	m.observe(0, 0)
	wait("after a second burst")
	m.observe(0, 0)
	m.observe(100, 0) // load again: the follow-up is off
	for range 5 {
		m.observe(0, 0)
	}
	none("after load cancelled the follow-up")
}

// noRelease fails if a release has been signalled on released.
func noRelease(t *testing.T, released chan struct{}, when string) {
	t.Helper()
	select {
	case <-released:
		t.Fatalf("memory released %s", when)
	default:
	}
}
