package node

import (
	"context"
	"slices"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/clock"
)

// TestHeightsArePacedByTheNodesClock: on a simulated clock a lone
// validator finalizes the first height and then waits, however long the
// test takes, until the clock has moved one block time on.
func TestHeightsArePacedByTheNodesClock(t *testing.T) {
	sim := clock.NewSim(time.Unix(1_800_000_000, 0))
	n, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
		BlockTime: time.Hour, Clock: sim})
	if err != nil {
		t.Fatal(err)
	}
	sub := n.Events().Subscribe(64)
	defer sub.Close()
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() == 1 })
	// The pacing timer for height 2 is armed on the simulated clock, one
	// block time after height 1 started.
	deadline := time.After(waitLimit)
	for !slices.Contains(sim.Waiting(), time.Hour) {
		select {
		case <-sim.Armed():
		case <-deadline:
			t.Fatalf("height 2 was never scheduled: timers %v", sim.Waiting())
		}
	}
	if h := n.Chain().Head().Height(); h != 1 {
		t.Fatalf("head %d before the clock moved", h)
	}
	sim.Advance(time.Hour)
	b := waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() == 2 })
	if got, want := b.Header.Time, uint64(sim.Now().UnixMilli()); got != want {
		t.Fatalf("block 2 time %d, want the simulated clock's %d", got, want)
	}
}
