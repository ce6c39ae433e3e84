package clock

import (
	"testing"
	"time"
)

func TestSimFiresDueTimersInOrderOnlyWhenAdvanced(t *testing.T) {
	c := NewSim(time.Unix(1000, 0))
	var got []int
	c.AfterFunc(3*time.Second, func() { got = append(got, 3) })
	c.AfterFunc(1*time.Second, func() { got = append(got, 1) })
	stopped := c.AfterFunc(2*time.Second, func() { got = append(got, 2) })
	c.AfterFunc(1*time.Second, func() { got = append(got, 11) })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should cancel once")
	}
	if d, ok := c.Next(); !ok || d != time.Second {
		t.Fatalf("next %v %v", d, ok)
	}
	if w := c.Waiting(); len(w) != 3 || w[0] != time.Second || w[2] != 3*time.Second {
		t.Fatalf("waiting %v", w)
	}
	c.Advance(999 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("fired early: %v", got)
	}
	c.Advance(5 * time.Second)
	if want := []int{1, 11, 3}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("fired %v, want %v", got, want)
	}
	if c.Pending() != 0 || !c.Now().Equal(time.Unix(1005, 999e6)) {
		t.Fatalf("pending %d now %v", c.Pending(), c.Now())
	}
	select {
	case <-c.Armed():
	default:
		t.Fatal("Armed not signalled")
	}
}
