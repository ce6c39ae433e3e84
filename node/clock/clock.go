// Package clock is the node's time source: the consensus driver's
// timeouts, block pacing and proposal times, and block sync's retries go
// through a Clock, so tests can run them on a simulated one (Sim) that
// moves only when the test says.
package clock

import "time"

// Clock tells the time and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f on its own goroutine once d has passed.
	AfterFunc(d time.Duration, f func()) Stopper
}

// Stopper cancels a pending AfterFunc; Stop reports whether it did.
type Stopper interface{ Stop() bool }

// Wall is the wall clock.
type Wall struct{}

// Now is time.Now.
func (Wall) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (Wall) AfterFunc(d time.Duration, f func()) Stopper { return time.AfterFunc(d, f) }
