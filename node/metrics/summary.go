package metrics

import (
	"math"

	"cairn/node/api"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Summary reads the figures a console shows from the same histograms and
// counters a scrape exports, so the Dashboard and a Prometheus graph of
// the node never disagree.
func (m *Metrics) Summary() *api.MetricsSummary {
	finality := histogramOf(m.finality)
	interval := histogramOf(m.blockInterval)
	txs := histogramOf(m.blockTxs)
	s := &api.MetricsSummary{
		Blocks:       txs.GetSampleCount(),
		FinalityP50:  quantile(finality, 0.50),
		FinalityP99:  quantile(finality, 0.99),
		IntervalMean: mean(interval),
		TxsPerBlock:  mean(txs),
		Signed:       uint64(counterOf(m.signed)),
		Missed:       uint64(counterOf(m.missed)),
	}
	for _, t := range m.src.Traffic() {
		s.BytesIn += t.In
		s.BytesOut += t.Out
	}
	return s
}

func histogramOf(h prometheus.Histogram) *dto.Histogram {
	var out dto.Metric
	if err := h.Write(&out); err != nil {
		return &dto.Histogram{}
	}
	return out.GetHistogram()
}

func counterOf(c prometheus.Counter) float64 {
	var out dto.Metric
	if err := c.Write(&out); err != nil {
		return 0
	}
	return out.GetCounter().GetValue()
}

func mean(h *dto.Histogram) float64 {
	if h.GetSampleCount() == 0 {
		return 0
	}
	return h.GetSampleSum() / float64(h.GetSampleCount())
}

// quantile estimates the q-quantile of h by linear interpolation inside
// the bucket it falls in, as histogram_quantile does: the first bucket
// starts at 0, and a quantile in the open top bucket is the highest
// finite bound.
func quantile(h *dto.Histogram, q float64) float64 {
	total := float64(h.GetSampleCount())
	if total == 0 {
		return 0
	}
	rank := q * total
	lower, below := 0.0, 0.0
	for _, b := range h.GetBucket() {
		upper, count := b.GetUpperBound(), float64(b.GetCumulativeCount())
		if count >= rank && !math.IsInf(upper, 1) {
			if count == below {
				return upper
			}
			return lower + (upper-lower)*(rank-below)/(count-below)
		}
		lower, below = upper, count
	}
	return lower
}
