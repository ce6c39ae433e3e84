package loadgen

import (
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"
)

// End reasons of a run, in Report.End.
const (
	EndComplete    = "complete"    // every accepted transfer was seen final
	EndTimeout     = "timeout"     // --timeout passed first
	EndInterrupted = "interrupted" // the caller's context ended (Ctrl-C)
)

// Report is the outcome of a run. Its JSON form is what `cairn loadgen
// --json` prints.
type Report struct {
	Target      string  `json:"target"`
	ChainID     string  `json:"chainId"`
	TxType      string  `json:"txType"` // "eip1559" or "legacy"
	FeeCapWei   string  `json:"feeCapWei"`
	TipWei      string  `json:"tipWei,omitempty"`
	Txs         int     `json:"txs"`
	Senders     int     `json:"senders"`
	Rate        float64 `json:"rate"` // requested tx/s, 0 = unbounded
	Concurrency int     `json:"concurrency"`

	Funding Funding `json:"funding"`

	Submitted       int               `json:"submitted"`
	Accepted        int               `json:"accepted"`
	Rejected        map[string]int    `json:"rejected"`
	RejectedTotal   int               `json:"rejectedTotal"`
	RejectExamples  map[string]string `json:"rejectExamples,omitempty"`
	Finalized       int               `json:"finalized"`
	Pending         int               `json:"pending"` // accepted, not seen final
	Blocks          int               `json:"blocks"`  // blocks holding our transfers
	SubmitSeconds   float64           `json:"submitSeconds"`
	FinalizeSeconds float64           `json:"finalizeSeconds"`
	SubmittedPerSec float64           `json:"submittedPerSec"`
	FinalizedPerSec float64           `json:"finalizedPerSec"`
	// LatencyMs is submit → seen in a finalized block by the generator.
	LatencyMs Latency `json:"latencyMs"`
	// BlockLatencyMs is submit → the including block's own timestamp,
	// when the target reports block times.
	BlockLatencyMs *Latency `json:"blockLatencyMs,omitempty"`
	End            string   `json:"end"`
	// TrackError says why following the chain failed, when it did.
	TrackError string `json:"trackError,omitempty"`
	// SSE is what the event-stream subscribers saw, when the run held
	// some open (cairn loadgen --sse-subscribers).
	SSE *SSEReport `json:"sse,omitempty"`
}

// Funding describes the phase that funds senders beyond the pre-funded
// ones; it is not part of the measurement.
type Funding struct {
	Transfers int     `json:"transfers"`
	Seconds   float64 `json:"seconds"`
}

// fill copies the recorder's figures into rep.
func (r *recorder) fill(rep *Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep.Submitted = r.submitted
	rep.Accepted = r.accepted
	rep.Rejected = maps.Clone(r.rejected)
	rep.RejectExamples = maps.Clone(r.examples)
	rep.RejectedTotal = 0
	for _, n := range r.rejected {
		rep.RejectedTotal += n
	}
	rep.Finalized = r.finalized
	rep.Pending = r.outstanding
	rep.Blocks = len(r.heights)
	if !r.firstSend.IsZero() {
		rep.SubmitSeconds = r.lastSent.Sub(r.firstSend).Seconds()
		rep.SubmittedPerSec = perSecond(r.submitted, r.lastSent.Sub(r.firstSend))
		if r.finalized > 0 {
			rep.FinalizeSeconds = r.lastFinal.Sub(r.firstSend).Seconds()
			rep.FinalizedPerSec = perSecond(r.finalized, r.lastFinal.Sub(r.firstSend))
		}
	}
	var lat, blat []time.Duration
	for i, st := range r.state {
		if st&stFinal == 0 || st&stSent == 0 {
			continue
		}
		lat = append(lat, max(r.finalAt[i].Sub(r.sentAt[i]), 0))
		if !r.blockAt[i].IsZero() {
			blat = append(blat, max(r.blockAt[i].Sub(r.sentAt[i]), 0))
		}
	}
	rep.LatencyMs = summarize(lat)
	if len(blat) > 0 {
		b := summarize(blat)
		rep.BlockLatencyMs = &b
	}
}

// WriteText prints the report for people.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fee := "fee cap " + gwei(rep.FeeCapWei)
	if rep.TxType == "legacy" {
		fee = "gas price " + gwei(rep.FeeCapWei)
	} else if rep.TipWei != "" {
		fee += ", tip " + gwei(rep.TipWei)
	}
	rate := "unbounded"
	if rep.Rate > 0 {
		rate = fmt.Sprintf("%g/s", rep.Rate)
	}
	fmt.Fprintf(&b, "target      %s (chain %s)\n", rep.Target, rep.ChainID)
	fmt.Fprintf(&b, "workload    %d %s transfers from %d senders, %s, rate %s, %d workers\n",
		rep.Txs, rep.TxType, rep.Senders, fee, rate, rep.Concurrency)
	if rep.Funding.Transfers > 0 {
		fmt.Fprintf(&b, "funding     %d transfers in %.2fs (not measured)\n", rep.Funding.Transfers, rep.Funding.Seconds)
	}
	fmt.Fprintf(&b, "submitted   %d in %.2fs (%.1f/s)\n", rep.Submitted, rep.SubmitSeconds, rep.SubmittedPerSec)
	fmt.Fprintf(&b, "accepted    %d\n", rep.Accepted)
	fmt.Fprintf(&b, "rejected    %d", rep.RejectedTotal)
	for _, reason := range slices.Sorted(maps.Keys(rep.Rejected)) {
		fmt.Fprintf(&b, "\n  %-22s %d  (%s)", reason, rep.Rejected[reason], rep.RejectExamples[reason])
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "finalized   %d in %.2fs (%.1f/s) over %d blocks", rep.Finalized, rep.FinalizeSeconds, rep.FinalizedPerSec, rep.Blocks)
	if rep.Pending > 0 {
		fmt.Fprintf(&b, ", %d accepted but not seen final", rep.Pending)
	}
	b.WriteString("\n")
	l := rep.LatencyMs
	fmt.Fprintf(&b, "latency     p50 %s  p90 %s  p99 %s  max %s  (submit → seen final)\n",
		msText(l.P50), msText(l.P90), msText(l.P99), msText(l.Max))
	if bl := rep.BlockLatencyMs; bl != nil {
		fmt.Fprintf(&b, "            p50 %s  p90 %s  p99 %s  max %s  (submit → block timestamp)\n",
			msText(bl.P50), msText(bl.P90), msText(bl.P99), msText(bl.Max))
	}
	if rep.SSE != nil {
		rep.SSE.writeText(&b)
	}
	fmt.Fprintf(&b, "end         %s", rep.End)
	if rep.TrackError != "" {
		fmt.Fprintf(&b, " (tracking failed: %s)", rep.TrackError)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// msText formats milliseconds compactly.
func msText(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

// gwei formats a wei amount given in decimal as gwei.
func gwei(wei string) string {
	v, ok := new(big.Rat).SetString(wei)
	if !ok {
		return wei + " wei"
	}
	v.Quo(v, new(big.Rat).SetInt64(1e9))
	f := v.FloatString(9)
	f = strings.TrimSuffix(strings.TrimRight(f, "0"), ".")
	return f + " gwei"
}
