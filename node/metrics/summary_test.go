package metrics

import (
	"math"
	"testing"
	"time"

	"cairn/node/api"
)

// TestSummaryReadsTheExportedFigures: the console's summary is computed
// from the histograms and counters a scrape exports: quantiles by
// interpolation inside buckets, means from sum and count, the validator's
// signed and missed blocks, traffic summed over topics.
func TestSummaryReadsTheExportedFigures(t *testing.T) {
	src := &fakeSource{status: &api.Status{}, traffic: map[string]Traffic{
		"gossip/tx": {In: 100, Out: 10}, "req/blocks": {In: 5, Out: 1},
	}}
	m := New(src, Options{})
	if s := m.Summary(); s.Blocks != 0 || s.FinalityP50 != 0 || s.IntervalMean != 0 {
		t.Fatalf("summary before any block: %+v", s)
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	// 100 blocks one second apart, 10 txs each; 99 committed 0.3 s after
	// their time (bucket 0.25–0.5), one 4 s after (bucket 3–5); every
	// tenth missed by this validator.
	for i := range 100 {
		at := t0.Add(time.Duration(i) * time.Second)
		late := 300 * time.Millisecond
		if i == 99 {
			late = 4 * time.Second
		}
		sign := Signed
		if i%10 == 0 {
			sign = Missed
		}
		m.ObserveBlock(Block{Height: uint64(i + 1), Time: at, ParentTime: at.Add(-time.Second), Txs: 10,
			Committed: at.Add(late), Signing: sign})
	}
	s := m.Summary()
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if s.Blocks != 100 {
		t.Errorf("blocks %d, want 100", s.Blocks)
	}
	// Rank 50 of 99 samples in (0.25, 0.5]: 0.25 + 0.25*50/99.
	near("p50", s.FinalityP50, 0.25+0.25*50/99)
	// Rank 99 of 100: the 99th sample is the last in (0.25, 0.5].
	near("p99", s.FinalityP99, 0.5)
	near("interval mean", s.IntervalMean, 1)
	near("txs per block", s.TxsPerBlock, 10)
	if s.Signed != 90 || s.Missed != 10 {
		t.Errorf("signed %d missed %d, want 90 and 10", s.Signed, s.Missed)
	}
	if s.BytesIn != 105 || s.BytesOut != 11 {
		t.Errorf("bytes in %d out %d, want 105 and 11", s.BytesIn, s.BytesOut)
	}
}

// TestQuantileInTheTopBucket: a quantile past the last finite bound is
// that bound, not infinity.
func TestQuantileInTheTopBucket(t *testing.T) {
	m := New(&fakeSource{status: &api.Status{}}, Options{})
	t0 := time.UnixMilli(1_700_000_000_000)
	m.ObserveBlock(Block{Height: 1, Time: t0, Committed: t0.Add(time.Minute)})
	if got := m.Summary().FinalityP99; got != 30 {
		t.Fatalf("p99 of one 60 s latency = %v, want the top finite bound 30", got)
	}
}
