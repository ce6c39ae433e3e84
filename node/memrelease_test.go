package node

import (
	"testing"
	"time"
)

func TestMemoryReleasedOnceWhenTheBurstDrains(t *testing.T) {
	released := make(chan struct{}, 4)
	m := &memoryReleaser{free: func() { released <- struct{}{} }}
	none := func(when string) {
		t.Helper()
		select {
		case <-released:
			t.Fatalf("memory released %s", when)
		default:
		}
	}
	m.observe(10 << 20)
	m.observe(0)
	none("after a small load drained")
	m.observe(200 << 20)
	m.observe(50 << 20)
	none("while the pool still holds a quarter of its peak")
	m.observe(1 << 20)
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("no release after the burst drained")
	}
	for i := 0; i < 100; i++ {
		m.observe(0)
	}
	none("again with no new burst")
}
