package clock

import (
	"sort"
	"sync"
	"time"
)

// Sim is a simulated Clock: time stands still until Advance, and the
// timers due by then fire in order of their time.
type Sim struct {
	mu     sync.Mutex
	now    time.Time
	timers []*simTimer
	seq    int
	armed  chan struct{}
}

type simTimer struct {
	c    *Sim
	at   time.Time
	seq  int
	f    func()
	done bool
}

// NewSim returns a simulated clock at start.
func NewSim(start time.Time) *Sim {
	return &Sim{now: start, armed: make(chan struct{}, 1)}
}

// Now is the simulated time.
func (c *Sim) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms f to run once the clock has been advanced by d.
func (c *Sim) AfterFunc(d time.Duration, f func()) Stopper {
	c.mu.Lock()
	c.seq++
	t := &simTimer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	select {
	case c.armed <- struct{}{}:
	default:
	}
	return t
}

// Armed is signalled (without blocking, so it may merge several) whenever
// a timer is set: a test waits on it for the node to arm what it expects.
func (c *Sim) Armed() <-chan struct{} { return c.armed }

// Pending is how many timers have neither fired nor been stopped.
func (c *Sim) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.done {
			n++
		}
	}
	return n
}

// Waiting lists how long until each pending timer fires, soonest first.
func (c *Sim) Waiting() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, t := range c.timers {
		if !t.done {
			out = append(out, t.at.Sub(c.now))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Next is how long until the earliest pending timer, and false if none.
func (c *Sim) Next() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best time.Time
	found := false
	for _, t := range c.timers {
		if !t.done && (!found || t.at.Before(best)) {
			best, found = t.at, true
		}
	}
	return best.Sub(c.now), found
}

// Advance moves the clock on by d and runs the timers due by then, in
// order of their time, on the calling goroutine.
func (c *Sim) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*simTimer
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.done:
		case !t.at.After(c.now):
			t.done = true
			due = append(due, t)
		default:
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].seq < due[j].seq
	})
	for _, t := range due {
		t.f()
	}
}

// Stop cancels the timer if it has not fired.
func (t *simTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	return true
}
