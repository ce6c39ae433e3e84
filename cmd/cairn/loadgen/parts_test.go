package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

func TestPercentile(t *testing.T) {
	d := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value, p50", d(7), 50, 7 * time.Millisecond},
		{"one value, p99", d(7), 99, 7 * time.Millisecond},
		{"two values, p50 is the lower", d(1, 2), 50, time.Millisecond},
		{"two values, p51 is the upper", d(1, 2), 51, 2 * time.Millisecond},
		{"four values, p50", d(10, 20, 30, 40), 50, 20 * time.Millisecond},
		{"four values, p75", d(10, 20, 30, 40), 75, 30 * time.Millisecond},
		{"four values, p76", d(10, 20, 30, 40), 76, 40 * time.Millisecond},
		{"1..100, p50", d(hundred...), 50, 50 * time.Millisecond},
		{"1..100, p90", d(hundred...), 90, 90 * time.Millisecond},
		{"1..100, p99", d(hundred...), 99, 99 * time.Millisecond},
		{"1..100, p100", d(hundred...), 100, 100 * time.Millisecond},
		{"1..100, p0 takes the first", d(hundred...), 0, time.Millisecond},
		{"ten values, p99 is the max", d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"ten values, p90", d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := percentile(c.sorted, c.p); got != c.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", c.sorted, c.p, got, c.want)
			}
		})
	}
}

func TestSummarizeSortsAndAverages(t *testing.T) {
	got := summarize([]time.Duration{3 * time.Second, time.Second, 2 * time.Second, 1500 * time.Microsecond})
	want := Latency{Count: 4, P50: 1000, P90: 3000, P99: 3000, Max: 3000, Mean: 1500.375}
	if got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
	if (summarize(nil) != Latency{}) {
		t.Error("summarize(nil) is not zero")
	}
}

// TestRecorderFigures drives a recorder by hand on a fake clock and checks
// every figure of the report.
func TestRecorderFigures(t *testing.T) {
	clock := newFakeClock()
	t0 := clock.Now()
	txs := make([]signedTx, 4)
	for i := range txs {
		txs[i].hash = common.Hash{byte(i + 1)}
	}
	rec := newRecorder(clock, txs)
	// Sends at 0, 100, 200, 300 ms; each answered at once. #3 is refused.
	for i := range txs {
		rec.sending(i, time.Time{})
		var err error
		if i == 3 {
			err = &Rejection{Reason: "nonce_too_low", Message: "nonce 0 below 1"}
		}
		rec.sent(i, err)
		clock.advance(100 * time.Millisecond)
	}
	rec.finishSends()
	if rec.done() {
		t.Fatal("done before anything was final")
	}
	if got := rec.watch(10); len(got) != 3 || got[0] != txs[0].hash || got[2] != txs[2].hash {
		t.Fatalf("watch = %v, want the 3 accepted", got)
	}
	// At 1 s: #0 and #1 final in a block stamped 0.9 s, with a stranger.
	clock.advance(600 * time.Millisecond)
	blockTime := t0.Add(900 * time.Millisecond)
	rec.included([]Inclusion{{Hash: txs[0].hash, Height: 5, BlockTime: blockTime},
		{Hash: common.Hash{0xee}, Height: 5}, {Hash: txs[1].hash, Height: 5, BlockTime: blockTime}})
	if got := rec.watch(10); len(got) != 1 || got[0] != txs[2].hash {
		t.Fatalf("watch after block = %v, want only #2", got)
	}
	// At 2.2 s: #2 final; seeing #0 again changes nothing.
	clock.advance(1200 * time.Millisecond)
	rec.included([]Inclusion{{Hash: txs[2].hash, Height: 6}, {Hash: txs[0].hash, Height: 6}})
	if !rec.done() {
		t.Fatal("not done with every accepted transfer final")
	}
	var rep Report
	rec.fill(&rep)
	want := Report{
		Submitted: 4, Accepted: 3, Rejected: map[string]int{"nonce_too_low": 1}, RejectedTotal: 1,
		RejectExamples: map[string]string{"nonce_too_low": "nonce 0 below 1"},
		Finalized:      3, Pending: 0, Blocks: 2,
		SubmitSeconds: 0.3, SubmittedPerSec: 13.3, // 4 sends, first at 0, last answered at 0.3 s
		FinalizeSeconds: 2.2, FinalizedPerSec: 1.4, // 3 final by 2.2 s
		// Latencies 1000, 900, 2000 ms.
		LatencyMs:      Latency{Count: 3, P50: 1000, P90: 2000, P99: 2000, Max: 2000, Mean: 1300},
		BlockLatencyMs: &Latency{Count: 2, P50: 800, P90: 900, P99: 900, Max: 900, Mean: 850},
	}
	gotJSON, _ := json.Marshal(rep)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("report\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestPacerSlots(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	if newPacer(clock, start, 0) != nil {
		t.Fatal("rate 0 must not pace")
	}
	var none *pacer
	if due, err := none.wait(t.Context()); err != nil || !due.IsZero() {
		t.Fatal(due, err)
	}
	p := newPacer(clock, start, 3) // every 333.33… ms, without drift
	want := []time.Duration{0, 333333333, 666666666, time.Second, 1333333333, 1666666666, 2 * time.Second}
	for k := range 7 {
		due, err := p.wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if due.Sub(start) != want[k] {
			t.Errorf("wait %d says due at %v, want %v", k, due.Sub(start), want[k])
		}
	}
	for k, s := range clock.sleeps {
		if s.Sub(start) != want[k] {
			t.Errorf("slot %d at %v, want %v", k, s.Sub(start), want[k])
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := p.wait(ctx); err == nil {
		t.Error("wait on an ended context returned nil")
	}
}

func TestPlanTransfers(t *testing.T) {
	addrs := []common.Address{{1}, {2}, {3}}
	specs, lanes, err := planTransfers(8, addrs, []uint64{4, 0, 9}, ToRing, big.NewInt(5))
	if err != nil {
		t.Fatal(err)
	}
	wantLanes := [][]int{{0, 3, 6}, {1, 4, 7}, {2, 5}}
	for s, lane := range lanes {
		if len(lane) != len(wantLanes[s]) {
			t.Fatalf("lanes = %v, want %v", lanes, wantLanes)
		}
		for j, i := range lane {
			if i != wantLanes[s][j] || specs[i].sender != s {
				t.Fatalf("lanes = %v, want %v", lanes, wantLanes)
			}
			if want := []uint64{4, 0, 9}[s] + uint64(j); specs[i].nonce != want {
				t.Errorf("transfer %d of sender %d has nonce %d, want %d", j, s, specs[i].nonce, want)
			}
			if specs[i].to != addrs[(s+1)%3] || specs[i].value.Int64() != 5 {
				t.Errorf("transfer %d: to %s value %s", i, specs[i].to.Hex(), specs[i].value)
			}
		}
	}
	if _, _, err := planTransfers(3, addrs, []uint64{0}, ToRing, big.NewInt(1)); err == nil {
		t.Error("mismatched nonces accepted")
	}
	if _, _, err := planTransfers(3, addrs, []uint64{0, 0, 0}, "sideways", big.NewInt(1)); err == nil {
		t.Error("unknown recipient mode accepted")
	}
}

func TestParseGwei(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{"10", "10000000000", ""},
		{"1.5", "1500000000", ""},
		{" 0.000000001 ", "1", ""},
		{"0", "0", ""},
		{"0.0000000001", "", "finer than one wei"},
		{"-1", "", "negative"},
		{"abc", "", "not a decimal"},
		{"1/2", "", "not a decimal"},
		{"1e3", "", "not a decimal"},
		{"", "", "not a decimal"},
	}
	for _, c := range cases {
		got, err := ParseGwei(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseGwei(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("ParseGwei(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestDefaultFees(t *testing.T) {
	gwei := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), Gwei) }
	cases := []struct {
		name    string
		cfg     Config
		baseFee *big.Int
		wantCap *big.Int
		wantTip *big.Int
	}{
		{name: "low base fee takes the 10 gwei floor", baseFee: gwei(1), wantCap: gwei(10), wantTip: gwei(1)},
		{name: "no base fee", baseFee: nil, wantCap: gwei(10), wantTip: gwei(1)},
		{name: "high base fee doubles", baseFee: gwei(30), wantCap: gwei(60), wantTip: gwei(1)},
		{name: "explicit", cfg: Config{FeeCap: gwei(3), Tip: gwei(2)}, baseFee: gwei(30), wantCap: gwei(3), wantTip: gwei(2)},
		{name: "default tip clamped to a small cap", cfg: Config{FeeCap: big.NewInt(5)}, baseFee: nil,
			wantCap: big.NewInt(5), wantTip: big.NewInt(5)},
	}
	for _, c := range cases {
		f := c.cfg.fees(c.baseFee)
		if f.FeeCap.Cmp(c.wantCap) != 0 || f.Tip.Cmp(c.wantTip) != 0 {
			t.Errorf("%s: cap %s tip %s, want %s %s", c.name, f.FeeCap, f.Tip, c.wantCap, c.wantTip)
		}
	}
}

func TestClassifyRPCError(t *testing.T) {
	cases := map[string]string{
		"nonce too low: next nonce 5, tx nonce 3": "nonce_too_low",
		"already known":                                                      "already_known",
		"replacement transaction underpriced":                                "replacement_underpriced",
		"transaction underpriced":                                            "fee_too_low",
		"max fee per gas less than block base fee: address 0x…":              "fee_too_low",
		"insufficient funds for gas * price + value: balance 0, tx cost 21e": "insufficient_funds",
		"txpool is full":                                                     "pool_full",
		"invalid sender":                                                     "invalid_signature",
		"invalid chain id for signer":                                        "wrong_chain_id",
		"sender_limit: sender 0xab already has 20000 transactions pooled":    "sender_limit",
		"Nonce_Too_High: gap":                                                "nonce_too_high",
		"something odd: happened":                                            "rpc_error",
		"":                                                                   "rpc_error",
	}
	for msg, want := range cases {
		if got := classifyRPCError(msg); got != want {
			t.Errorf("classifyRPCError(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestBlockInclusions(t *testing.T) {
	h1, h2 := common.Hash{1}, common.Hash{2}
	var b api.Block
	body := `{"height":9,"time":1767225600123,"transactions":["` + h1.Hex() + `","` + h2.Hex() + `"]}`
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatal(err)
	}
	incs := blockInclusions(&b)
	if len(incs) != 2 || incs[0].Hash != h1 || incs[1].Hash != h2 || incs[1].Height != 9 ||
		incs[0].BlockTime.UnixMilli() != 1767225600123 {
		t.Errorf("inclusions %+v", incs)
	}
	if incs := blockInclusions(&api.Block{Height: 3}); len(incs) != 0 {
		t.Errorf("empty block: %v", incs)
	}
	if incs := blockInclusions(&api.Block{Transactions: []common.Hash{h1}}); !incs[0].BlockTime.IsZero() {
		t.Errorf("a block without a time got %v", incs[0].BlockTime)
	}
}

func TestQuantity(t *testing.T) {
	for in, want := range map[string]string{`12`: "12", `"12"`: "12", `"0xc"`: "12", `"0x0"`: "0"} {
		var q quantity
		if err := json.Unmarshal([]byte(in), &q); err != nil || q.big().String() != want {
			t.Errorf("quantity %s = %v, %v; want %s", in, q.big(), err, want)
		}
	}
	for _, in := range []string{`"-1"`, `"zz"`, `true`, `"1.5"`} {
		var q quantity
		if err := json.Unmarshal([]byte(in), &q); err == nil {
			t.Errorf("quantity %s accepted as %v", in, q.big())
		}
	}
	var q quantity
	if err := json.Unmarshal([]byte(`null`), &q); err != nil || q.big() != nil {
		t.Errorf("null: %v %v", q.big(), err)
	}
	if _, err := q.uint64("nonce"); err == nil || !strings.Contains(err.Error(), "nonce missing") {
		t.Errorf("missing nonce: %v", err)
	}
	big2 := quantity{v: new(big.Int).Lsh(big.NewInt(1), 70)}
	if _, err := big2.uint64("height"); err == nil {
		t.Error("2^70 fit in a uint64")
	}
}

func TestTargetURLs(t *testing.T) {
	for _, bad := range []string{"ftp://x", "http://", "://"} {
		if _, err := NewREST(bad, nil); err == nil {
			t.Errorf("NewREST(%q) accepted", bad)
		}
		if _, err := NewRPC(bad, nil); err == nil {
			t.Errorf("NewRPC(%q) accepted", bad)
		}
	}
	r, err := NewREST("http://127.0.0.1:8545/", nil)
	if err != nil || r.Name() != "rest http://127.0.0.1:8545" {
		t.Errorf("NewREST trailing slash: %v %v", r, err)
	}
	r, err = NewREST("127.0.0.1:8545", nil)
	if err != nil || r.Name() != "rest http://127.0.0.1:8545" {
		t.Errorf("NewREST host:port: %v %v", r, err)
	}
	c, err := NewRPC("localhost:8545", nil)
	if err != nil || c.Name() != "json-rpc http://localhost:8545" {
		t.Errorf("NewRPC host:port: %v %v", c, err)
	}
}

func TestReportText(t *testing.T) {
	rep := &Report{
		Target: "rest http://127.0.0.1:8545", ChainID: "7777", TxType: "eip1559", FeeCapWei: "10000000000",
		TipWei: "1500000000", Txs: 100, Senders: 10, Concurrency: 32, Funding: Funding{Transfers: 5, Seconds: 1.5},
		Submitted: 100, Accepted: 98, Rejected: map[string]int{"nonce_too_low": 2}, RejectedTotal: 2,
		RejectExamples: map[string]string{"nonce_too_low": "nonce 0 below 1"}, Finalized: 97, Pending: 1,
		Blocks: 3, SubmitSeconds: 0.5, SubmittedPerSec: 200, FinalizeSeconds: 2, FinalizedPerSec: 48.5,
		LatencyMs:      Latency{P50: 900, P90: 1200, P99: 1500, Max: 1600},
		BlockLatencyMs: &Latency{P50: 500, P90: 800, P99: 950, Max: 990},
		End:            EndTimeout,
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"chain 7777", "fee cap 10 gwei, tip 1.5 gwei", "rate unbounded", "funding     5 transfers",
		"submitted   100 in 0.50s (200.0/s)", "nonce_too_low", "nonce 0 below 1",
		"finalized   97 in 2.00s (48.5/s) over 3 blocks, 1 accepted but not seen final",
		"p50 900.0ms  p90 1.20s  p99 1.50s  max 1.60s", "submit → block timestamp", "end         timeout",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}
