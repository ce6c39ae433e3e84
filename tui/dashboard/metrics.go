package dashboard

import (
	"fmt"
	"time"

	"cairn/node/api"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
)

// traffic turns the node's byte counters, as successive statuses report
// them, into rates.
type traffic struct {
	in, out uint64
	at      time.Time
	// rateIn and rateOut are bytes per second between the last two
	// statuses; valid once two were seen.
	rateIn, rateOut float64
	valid           bool
}

// observe takes the counters of a status read at now.
func (t *traffic) observe(sm *api.MetricsSummary, now time.Time) {
	if sm == nil {
		return
	}
	if dt := now.Sub(t.at).Seconds(); !t.at.IsZero() && dt > 0 && sm.BytesIn >= t.in && sm.BytesOut >= t.out {
		t.rateIn, t.rateOut = float64(sm.BytesIn-t.in)/dt, float64(sm.BytesOut-t.out)/dt
		t.valid = true
	}
	t.in, t.out, t.at = sm.BytesIn, sm.BytesOut, now
}

// finalityRow is the finality latency the node's metrics measured, and at
// width the block figures beside it: the same numbers /metrics exports.
func (m *Model) finalityRow(st *api.Status, w int) []row {
	sm := st.Metrics
	if sm == nil || sm.Blocks == 0 {
		return nil
	}
	s := m.c.Styles
	line := s.Value.Render(fmt.Sprintf("p50 %s · p99 %s", seconds(sm.FinalityP50), seconds(sm.FinalityP99)))
	if more := fmt.Sprintf(" · %.1f txs/block over %s blocks", sm.TxsPerBlock, common.FormatCount(sm.Blocks)); labelW+lipgloss.Width(line)+len(more) <= w {
		line += s.Subtle.Render(more)
	}
	return []row{{m.kv("Finality", line), prioFinality}}
}

// signing is how many blocks this node's validator signed and missed,
// for the validator line; "" before it had any to sign.
func (m *Model) signing(st *api.Status) string {
	sm := st.Metrics
	if sm == nil || sm.Signed+sm.Missed == 0 {
		return ""
	}
	s := m.c.Styles
	text := fmt.Sprintf("signed %s · missed %s", common.FormatCount(sm.Signed), common.FormatCount(sm.Missed))
	if sm.Missed > 0 {
		return s.Warning.Render(text)
	}
	return s.Subtle.Render(text)
}

// rates is the traffic with peers per second, "" until two statuses gave
// a rate or for a node that runs alone.
func (m *Model) rates(st *api.Status) string {
	if !m.traffic.valid || st.NodeID == "" {
		return ""
	}
	return fmt.Sprintf("↓ %s/s ↑ %s/s", byteSize(int(m.traffic.rateIn)), byteSize(int(m.traffic.rateOut)))
}

// seconds writes a latency as "420ms" under a second, "1.25s" above.
func seconds(v float64) string {
	if v < 1 {
		return fmt.Sprintf("%.0fms", v*1000)
	}
	return fmt.Sprintf("%.2fs", v)
}
