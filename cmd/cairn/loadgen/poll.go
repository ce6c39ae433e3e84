package loadgen

import (
	"context"
	"fmt"
	"time"
)

// pollUntilDone calls step every poll interval (DefaultPoll if zero) until
// ctx ends. It gives up, naming what it was doing, after maxTrackFailures
// failed steps in a row.
func pollUntilDone(ctx context.Context, poll time.Duration, what string, step func() error) error {
	if poll <= 0 {
		poll = DefaultPoll
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	failures := 0
	for {
		err := step()
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			failures = 0
		default:
			if failures++; failures >= maxTrackFailures {
				return fmt.Errorf("%s: %d requests failed in a row, last: %w", what, failures, err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}
