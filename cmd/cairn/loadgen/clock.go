package loadgen

import (
	"context"
	"sync/atomic"
	"time"
)

// Clock is the time source of a run: the wall clock in the command, a fake
// one in tests so that pacing and latency can be checked without sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// SleepUntil blocks until t or until ctx ends, and then returns
	// ctx.Err(). It returns at once when t is not in the future.
	SleepUntil(ctx context.Context, t time.Time) error
}

// WallClock is the real time Clock.
type WallClock struct{}

// Now returns time.Now().
func (WallClock) Now() time.Time { return time.Now() }

// SleepUntil waits on a timer until t or until ctx ends.
func (WallClock) SleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pacer hands out send slots at a fixed rate: slot k is due at
// start + k/rate, whichever worker takes it. Slots are taken in order, so
// at any time t no more than 1 + (t-start)·rate sends have begun. A late
// worker does not push later slots back: after a stall the pacer catches up.
type pacer struct {
	clock Clock
	start time.Time
	rate  float64
	next  atomic.Int64
}

// newPacer returns a pacer at rate sends per second from start, or nil
// (no pacing) when rate is not positive.
func newPacer(clock Clock, start time.Time, rate float64) *pacer {
	if rate <= 0 {
		return nil
	}
	return &pacer{clock: clock, start: start, rate: rate}
}

// slot returns when send k is due.
func (p *pacer) slot(k int64) time.Time {
	return p.start.Add(time.Duration(float64(k) * float64(time.Second) / p.rate))
}

// wait takes the next slot and sleeps until it is due, and returns when it
// was due. A nil pacer never waits and returns the zero time.
func (p *pacer) wait(ctx context.Context) (time.Time, error) {
	if p == nil {
		return time.Time{}, ctx.Err()
	}
	k := p.next.Add(1) - 1
	due := p.slot(k)
	return due, p.clock.SleepUntil(ctx, due)
}
