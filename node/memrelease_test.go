package node

import (
	"testing"
	"time"
)

func TestMemoryReleasedOnceWhenTheBurstIsOver(t *testing.T) {
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
