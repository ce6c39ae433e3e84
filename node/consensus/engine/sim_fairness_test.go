package engine_test

import (
	"reflect"
	"testing"
	"time"
)

// chiSquare1pc is the chi-square critical value at 1% for 1..9 degrees of
// freedom.
var chiSquare1pc = []float64{0, 6.635, 9.210, 11.345, 13.277, 15.086, 16.812, 18.475, 20.090, 21.666}

// TestProposerFairness runs 10,000 heights without faults and checks that
// each validator proposes a share of the finalized blocks that matches its
// share of the stake (chi-square test at 1%).
func TestProposerFairness(t *testing.T) {
	const heights = 10000
	sc := &scenario{
		seed:     7,
		powers:   []uint64{10, 20, 30, 45, 60, 80, 100},
		minDelay: 5 * time.Millisecond, maxDelay: 40 * time.Millisecond,
		execDelay: 5 * time.Millisecond, interval: time.Second,
	}
	sc.kinds = make([]byzKind, len(sc.powers))
	s := newSim(sc, false)
	s.healed = true
	for _, n := range s.nodes {
		n.start()
	}
	s.run(time.Duration(heights)*10*time.Second, func() bool {
		return len(s.nodes[0].chain) >= heights || len(s.problems) > 0
	})
	for _, p := range s.problems {
		t.Fatal(p)
	}
	chain := s.nodes[0].chain
	if len(chain) < heights {
		t.Fatalf("only %d heights finalized", len(chain))
	}
	counts := make([]int, len(sc.powers))
	var total uint64
	for _, p := range sc.powers {
		total += p
	}
	for h, f := range chain[:heights] {
		if f.commit.Round != 0 {
			t.Fatalf("height %d took %d rounds without faults", h+1, f.commit.Round+1)
		}
		counts[s.blocks[f.hash].proposer]++
	}
	var chi float64
	for i, p := range sc.powers {
		want := float64(heights) * float64(p) / float64(total)
		d := float64(counts[i]) - want
		chi += d * d / want
	}
	limit := chiSquare1pc[len(sc.powers)-1]
	t.Logf("proposals %v for stakes %v: chi-square %.2f (1%% critical value %.3f), %d events", counts, sc.powers, chi, limit, s.events)
	if chi > limit {
		t.Fatalf("proposer shares %v do not match stakes %v: chi-square %.2f > %.3f", counts, sc.powers, chi, limit)
	}
}

// TestSimulationReplaysExactly runs a scenario twice: everything must come
// out the same, or a printed seed would not reproduce a failure.
func TestSimulationReplaysExactly(t *testing.T) {
	for _, seed := range []uint64{3, 16, 641} {
		a, b := runScenario(newScenario(seed), true), runScenario(newScenario(seed), true)
		if a.trace != b.trace || a.events != b.events || !reflect.DeepEqual(a.proposers, b.proposers) {
			t.Fatalf("seed %d: two runs differ (%d and %d events)", seed, a.events, b.events)
		}
		if a.events == 0 || a.heights == 0 {
			t.Fatalf("seed %d: nothing happened", seed)
		}
	}
}
