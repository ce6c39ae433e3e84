package node

import (
	"testing"
	"time"
)

func TestSyncTarget(t *testing.T) {
	for _, c := range []struct {
		name            string
		head, reported  uint64
		peers           int
		kicked, stalled bool
		want            uint64
	}{
		{"far behind", 10, 13, 2, false, false, 13},
		{"near, in step", 10, 11, 2, false, false, 0},
		{"near, kicked", 10, 11, 2, true, false, 11},
		{"kicked, peers not ahead yet", 10, 10, 2, true, false, 11},
		{"one behind and stalled", 10, 11, 2, false, true, 11},
		{"stalled, peers not ahead", 10, 10, 2, false, true, 0},
		{"stalled, no peers", 10, 11, 0, false, true, 0},
		{"kicked, no peers", 10, 11, 0, true, false, 0},
	} {
		if got := syncTarget(c.head, c.reported, c.peers, c.kicked, c.stalled); got != c.want {
			t.Errorf("%s: syncTarget = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestStallWatch: the head counts as stalled once it has stayed put for
// syncStall, and any move starts the count again.
func TestStallWatch(t *testing.T) {
	var w stallWatch
	t0 := time.Unix(1000, 0)
	steps := []struct {
		head uint64
		at   time.Duration
		want bool
	}{
		{5, 0, false},
		{5, syncStall - time.Millisecond, false},
		{5, syncStall, true},
		{6, syncStall + time.Second, false},
		{6, 2*syncStall + time.Second - time.Millisecond, false},
		{6, 2*syncStall + time.Second, true},
	}
	for i, s := range steps {
		if got := w.stalled(s.head, t0.Add(s.at)); got != s.want {
			t.Errorf("step %d (head %d at %v): stalled = %v, want %v", i, s.head, s.at, got, s.want)
		}
	}
}
