package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

type runResult struct {
	rep *Report
	err error
}

// runAgainst runs the generator against target in the background while the
// node makes a block after every admission, and returns the outcome.
func runAgainst(t *testing.T, ctx context.Context, node *fakeNode, target Target, cfg Config) (*Report, error) {
	t.Helper()
	done := make(chan runResult, 1)
	go func() {
		rep, err := Run(ctx, target, cfg)
		done <- runResult{rep, err}
	}()
	r := drive(node, done)
	return r.rep, r.err
}

func restTarget(t *testing.T, node *fakeNode) *REST {
	t.Helper()
	srv := node.start()
	r, err := NewREST(srv.URL, NewHTTPClient(8))
	if err != nil {
		t.Fatal(err)
	}
	r.Poll = time.Millisecond
	return r
}

func rpcTarget(t *testing.T, node *fakeNode, receipts bool) *RPC {
	t.Helper()
	srv := node.start()
	r, err := NewRPC(srv.URL, NewHTTPClient(8))
	if err != nil {
		t.Fatal(err)
	}
	r.Poll, r.Receipts, r.ReceiptBatch = time.Millisecond, receipts, 7
	return r
}

// checkNonceOrder asserts that every sender's transfers reached the node in
// nonce order, consecutively from its starting nonce, and that each sent
// the expected number.
func checkNonceOrder(t *testing.T, node *fakeNode, addrs []common.Address, start []uint64, perSender []int) {
	t.Helper()
	got := node.arrivalsBy()
	for i, a := range addrs {
		nonces := got[a]
		if len(nonces) != perSender[i] {
			t.Errorf("sender %d: node received %d transfers, want %d", i, len(nonces), perSender[i])
		}
		for j, n := range nonces {
			if n != start[i]+uint64(j) {
				t.Errorf("sender %d: arrival %d has nonce %d, want %d (arrivals %v)", i, j, n, start[i]+uint64(j), nonces)
				break
			}
		}
	}
}

func checkComplete(t *testing.T, rep *Report, n int) {
	t.Helper()
	if rep.Submitted != n || rep.Accepted != n || rep.Finalized != n || rep.RejectedTotal != 0 || rep.Pending != 0 {
		t.Errorf("report: submitted %d accepted %d finalized %d rejected %d pending %d, want %d/%d/%d/0/0 (rejected %v %v)",
			rep.Submitted, rep.Accepted, rep.Finalized, rep.RejectedTotal, rep.Pending, n, n, n, rep.Rejected, rep.RejectExamples)
	}
	if rep.End != EndComplete {
		t.Errorf("end = %q, want %q", rep.End, EndComplete)
	}
	if rep.LatencyMs.Count != n {
		t.Errorf("latency count = %d, want %d", rep.LatencyMs.Count, n)
	}
	l := rep.LatencyMs
	if !(0 <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("latency percentiles out of order: %+v", l)
	}
	if rep.Blocks == 0 {
		t.Error("no blocks counted")
	}
}

func TestRunREST(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 3)
	start := []uint64{0, 5, 2}
	for i, a := range addrs {
		node.fundAccount(a, 100, start[i])
	}
	rep, err := runAgainst(t, t.Context(), node, restTarget(t, node), Config{Txs: 31, Keys: keys, To: ToRing, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	checkComplete(t, rep, 31)
	checkNonceOrder(t, node, addrs, start, []int{11, 10, 10})
	if rep.ChainID != "7777" || rep.TxType != "eip1559" || rep.Funding.Transfers != 0 {
		t.Errorf("report header: chain %s type %s funding %+v", rep.ChainID, rep.TxType, rep.Funding)
	}
	// Default fees: base fee 1 gwei → cap max(2 gwei, 10 gwei), tip 1 gwei.
	if rep.FeeCapWei != "10000000000" || rep.TipWei != "1000000000" {
		t.Errorf("fees: cap %s tip %s", rep.FeeCapWei, rep.TipWei)
	}
	if rep.BlockLatencyMs == nil {
		t.Error("REST blocks carry times, but no block-time latency was reported")
	}
	for _, a := range node.allArrivals() {
		tx := a.tx
		i := slices.Index(addrs, a.from)
		if tx.Type() != types.DynamicFeeTxType || tx.Gas() != 21000 || tx.Value().Cmp(big.NewInt(1)) != 0 ||
			tx.GasFeeCap().Cmp(big.NewInt(10e9)) != 0 || tx.GasTipCap().Cmp(big.NewInt(1e9)) != 0 {
			t.Fatalf("transfer %d: type %d gas %d value %s cap %s tip %s", a.order, tx.Type(), tx.Gas(), tx.Value(),
				tx.GasFeeCap(), tx.GasTipCap())
		}
		if *tx.To() != addrs[(i+1)%3] {
			t.Fatalf("ring: sender %d sent to %s, want sender %d", i, tx.To().Hex(), (i+1)%3)
		}
	}
}

func TestRunRPC(t *testing.T) {
	for _, receipts := range []bool{false, true} {
		name := map[bool]string{false: "blocks", true: "receipts"}[receipts]
		t.Run(name, func(t *testing.T) {
			node := newFakeNode(t, 31337)
			keys, addrs := testKeys(t, 4)
			for _, a := range addrs {
				node.fundAccount(a, 100, 7)
			}
			cfg := Config{Txs: 40, Keys: keys, Legacy: true, FeeCap: big.NewInt(3e9), Value: big.NewInt(12345), Concurrency: 3}
			rep, err := runAgainst(t, t.Context(), node, rpcTarget(t, node, receipts), cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkComplete(t, rep, 40)
			checkNonceOrder(t, node, addrs, []uint64{7, 7, 7, 7}, []int{10, 10, 10, 10})
			if rep.ChainID != "31337" || rep.TxType != "legacy" || rep.TipWei != "" || !strings.HasPrefix(rep.Target, "json-rpc ") {
				t.Errorf("report header: %+v", rep)
			}
			seen := map[common.Address]bool{}
			for _, a := range node.allArrivals() {
				tx := a.tx
				if tx.Type() != types.LegacyTxType || !tx.Protected() || tx.GasPrice().Cmp(big.NewInt(3e9)) != 0 ||
					tx.Value().Cmp(big.NewInt(12345)) != 0 {
					t.Fatalf("transfer %d: type %d protected %v price %s value %s", a.order, tx.Type(), tx.Protected(),
						tx.GasPrice(), tx.Value())
				}
				if slices.Contains(addrs, *tx.To()) || seen[*tx.To()] {
					t.Fatalf("random recipient %s is a sender or repeated", tx.To().Hex())
				}
				seen[*tx.To()] = true
			}
		})
	}
}

func TestRunCountsRejections(t *testing.T) {
	for _, proto := range []string{"rest", "rpc"} {
		t.Run(proto, func(t *testing.T) {
			node := newFakeNode(t, 7777)
			keys, addrs := testKeys(t, 4)
			for _, a := range addrs {
				node.fundAccount(a, 100, 0)
			}
			// Sender 1 is refused outright.
			node.reject = func(tx *types.Transaction, from common.Address) string {
				if from == addrs[1] {
					return "sender_limit"
				}
				return ""
			}
			target := protoTarget(t, node, proto)
			rep, err := runAgainst(t, t.Context(), node, target, Config{Txs: 20, Keys: keys})
			if err != nil {
				t.Fatal(err)
			}
			wantReason := "sender_limit"
			if rep.Submitted != 20 || rep.Accepted != 15 || rep.Finalized != 15 || rep.RejectedTotal != 5 ||
				rep.Rejected[wantReason] != 5 || rep.End != EndComplete {
				t.Errorf("report: submitted %d accepted %d finalized %d rejected %v end %s",
					rep.Submitted, rep.Accepted, rep.Finalized, rep.Rejected, rep.End)
			}
			if !strings.Contains(rep.RejectExamples[wantReason], "refused by the test") {
				t.Errorf("example for %s = %q", wantReason, rep.RejectExamples[wantReason])
			}
		})
	}
}

func TestRunCountsHTTPErrors(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 2)
	for _, a := range addrs {
		node.fundAccount(a, 100, 0)
	}
	node.sendStatus = http.StatusServiceUnavailable
	rep, err := runAgainst(t, t.Context(), node, restTarget(t, node), Config{Txs: 6, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected["http_503"] != 6 || rep.Accepted != 0 || rep.End != EndComplete {
		t.Errorf("rejected %v accepted %d end %s", rep.Rejected, rep.Accepted, rep.End)
	}
	if rep.RejectExamples["http_503"] != "overloaded" {
		t.Errorf("example = %q", rep.RejectExamples["http_503"])
	}
}

func TestRunTransportErrors(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 2)
	for _, a := range addrs {
		node.fundAccount(a, 100, 0)
	}
	target := &failingSend{Target: restTarget(t, node)}
	rep, err := runAgainst(t, t.Context(), node, target, Config{Txs: 4, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected[ReasonTransport] != 4 || rep.Submitted != 4 {
		t.Errorf("rejected %v submitted %d", rep.Rejected, rep.Submitted)
	}
}

// failingSend is a target whose sends fail in transport.
type failingSend struct{ Target }

func (f *failingSend) Send(context.Context, []byte) error { return errConnRefused }

var errConnRefused = errors.New("dial tcp: connection refused")

func TestRunFundsNewSenders(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 6)
	node.fundAccount(addrs[0], 100, 3)
	node.fundAccount(addrs[1], 100, 0)
	node.fundAccount(addrs[4], 100, 9) // already rich: not funded again
	cfg := Config{Txs: 60, Keys: keys, Funded: 2, FeeCap: big.NewInt(5e9), Tip: big.NewInt(2e9), Value: big.NewInt(1000)}
	rep, err := runAgainst(t, t.Context(), node, restTarget(t, node), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkComplete(t, rep, 60)
	if rep.Funding.Transfers != 3 {
		t.Errorf("funding transfers = %d, want 3 (senders 2, 3, 5)", rep.Funding.Transfers)
	}
	// Each sender sends 10 transfers of 1000 wei at up to 5 gwei × 21000.
	need := new(big.Int).Mul(big.NewInt(10), big.NewInt(5e9*21000+1000))
	funded := map[common.Address]bool{}
	arrivals := node.allArrivals()
	for _, a := range arrivals[:3] {
		if a.tx.Value().Cmp(need) != 0 {
			t.Errorf("funding transfer of %s wei, want %s", a.tx.Value(), need)
		}
		funded[*a.tx.To()] = true
	}
	if !funded[addrs[2]] || !funded[addrs[3]] || !funded[addrs[5]] {
		t.Errorf("funded %v, want senders 2, 3, 5", funded)
	}
	// The funders' measured transfers start after their funding nonces:
	// funder 0 (nonce 3) funded two senders, funder 1 (nonce 0) one.
	checkNonceOrder(t, node, addrs, []uint64{3, 0, 0, 0, 9, 0}, []int{12, 11, 10, 10, 10, 10})
	// What each funded sender did not spend is left: need minus 10 × (fee
	// at base 1 gwei + tip 2 gwei = 3 gwei) + 10 × 1000.
	spent := new(big.Int).Mul(big.NewInt(10), big.NewInt(3e9*21000+1000))
	left := new(big.Int).Sub(need, spent)
	if got := node.balance(addrs[2]); got.Cmp(left) != 0 {
		t.Errorf("sender 2 balance %s, want %s", got, left)
	}
}

func TestRunFundingRejected(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 3)
	node.fundAccount(addrs[0], 100, 0)
	node.reject = func(tx *types.Transaction, _ common.Address) string {
		if tx.Value().Cmp(big.NewInt(1)) > 0 {
			return "pool_full"
		}
		return ""
	}
	_, err := runAgainst(t, t.Context(), node, restTarget(t, node), Config{Txs: 9, Keys: keys, Funded: 1})
	if err == nil || !strings.Contains(err.Error(), "fund senders") || !strings.Contains(err.Error(), "pool_full") {
		t.Fatalf("err = %v, want a funding rejection", err)
	}
}

func TestRunFunderTooPoor(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 3)
	node.fundAccount(addrs[0], 0, 0)
	_, err := runAgainst(t, t.Context(), node, restTarget(t, node), Config{Txs: 9, Keys: keys, Funded: 1})
	if err == nil || !strings.Contains(err.Error(), "sender 0") || !strings.Contains(err.Error(), "holds 0 wei") {
		t.Fatalf("err = %v, want sender 0 too poor", err)
	}
	if len(node.allArrivals()) != 0 {
		t.Error("transfers were sent although the funder cannot pay")
	}
}

func TestRunInterruptedReportsWhatItSaw(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 2)
	for _, a := range addrs {
		node.fundAccount(a, 100, 0)
	}
	spy := &trackSpy{Target: restTarget(t, node), seen: make(chan int, 100), sent: make(chan error, 100)}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan runResult, 1)
	go func() {
		rep, err := Run(ctx, spy, Config{Txs: 10, Keys: keys})
		done <- runResult{rep, err}
	}()
	// Once the generator has had all 10 transfers accepted, include each
	// sender's first two, wait until it has seen them, then interrupt.
	for range 10 {
		if err := <-spy.sent; err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	if got := node.includeBelow(2); got != 4 {
		t.Fatalf("included %d, want 4", got)
	}
	for seen := 0; seen < 4; {
		seen += <-spy.seen
	}
	cancel()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	rep := r.rep
	if rep.End != EndInterrupted || rep.Submitted != 10 || rep.Accepted != 10 || rep.Finalized != 4 ||
		rep.Pending != 6 || rep.LatencyMs.Count != 4 {
		t.Errorf("end %s submitted %d accepted %d finalized %d pending %d latencies %d", rep.End, rep.Submitted,
			rep.Accepted, rep.Finalized, rep.Pending, rep.LatencyMs.Count)
	}
}

// trackSpy is a target that tells the test how many inclusions it passed
// on, after passing them on, and the outcome of each send once the target
// answered it.
type trackSpy struct {
	Target
	seen chan int
	sent chan error
}

func (s *trackSpy) Send(ctx context.Context, raw []byte) error {
	err := s.Target.Send(ctx, raw)
	if s.sent != nil {
		s.sent <- err
	}
	return err
}

func (s *trackSpy) Track(ctx context.Context, from uint64, w Watch, seen func([]Inclusion)) error {
	return s.Target.Track(ctx, from, w, func(incs []Inclusion) {
		seen(incs)
		if len(incs) > 0 {
			s.seen <- len(incs)
		}
	})
}

func TestRunPacesByRate(t *testing.T) {
	node := newFakeNode(t, 7777)
	clock := newFakeClock()
	node.clock = clock
	keys, addrs := testKeys(t, 4)
	for _, a := range addrs {
		node.fundAccount(a, 100, 0)
	}
	start := clock.Now()
	const n, rate = 40, 100.0
	rep, err := runAgainst(t, t.Context(), node, restTarget(t, node),
		Config{Txs: n, Keys: keys, Rate: rate, Concurrency: 4, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	checkComplete(t, rep, n)
	// One slot per transfer, 10 ms apart from the start.
	sleeps := slices.SortedFunc(slices.Values(clock.sleeps), time.Time.Compare)
	if len(sleeps) != n {
		t.Fatalf("%d pacing waits, want %d", len(sleeps), n)
	}
	for k, s := range sleeps {
		if want := start.Add(time.Duration(k) * 10 * time.Millisecond); !s.Equal(want) {
			t.Fatalf("slot %d at %s, want %s", k, s.Sub(start), want.Sub(start))
		}
	}
	// No transfer reached the node before its slot: the k-th arrival came
	// no earlier than k/rate after the start.
	arr := node.allArrivals()
	times := make([]time.Time, len(arr))
	for i, a := range arr {
		times[i] = a.at
	}
	slices.SortFunc(times, time.Time.Compare)
	for k, at := range times {
		if at.Before(start.Add(time.Duration(k) * 10 * time.Millisecond)) {
			t.Fatalf("arrival %d at %s, before its slot", k, at.Sub(start))
		}
	}
	// 40 sends over 390 ms of fake time.
	if rep.SubmittedPerSec != 102.6 || rep.SubmitSeconds != 0.39 {
		t.Errorf("submitted/s = %v over %vs, want 102.6 over 0.39s", rep.SubmittedPerSec, rep.SubmitSeconds)
	}
}

func TestRunConfigErrors(t *testing.T) {
	keys, _ := testKeys(t, 2)
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no keys", Config{}, "no sender keys"},
		{"negative rate", Config{Keys: keys, Rate: -1}, "rate -1 is negative"},
		{"negative txs", Config{Keys: keys, Txs: -5}, "transfer count -5"},
		{"tip above cap", Config{Keys: keys, FeeCap: big.NewInt(1), Tip: big.NewInt(2)}, "above the fee cap"},
		{"zero fee cap", Config{Keys: keys, FeeCap: big.NewInt(0)}, "fee cap must be positive"},
		{"bad recipients", Config{Keys: keys, To: "moon"}, `recipient mode "moon"`},
		{"negative value", Config{Keys: keys, Value: big.NewInt(-1)}, "value is negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Run(t.Context(), nil, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestReportJSONShape(t *testing.T) {
	node := newFakeNode(t, 7777)
	keys, addrs := testKeys(t, 2)
	for _, a := range addrs {
		node.fundAccount(a, 100, 0)
	}
	rep, err := runAgainst(t, t.Context(), node, restTarget(t, node), Config{Txs: 4, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"target", "chainId", "txType", "feeCapWei", "txs", "senders", "rate", "concurrency",
		"funding", "submitted", "accepted", "rejected", "rejectedTotal", "finalized", "pending", "blocks",
		"submittedPerSec", "finalizedPerSec", "latencyMs", "end"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON report lacks %q: %s", k, b)
		}
	}
	lat, _ := m["latencyMs"].(map[string]any)
	for _, k := range []string{"p50", "p90", "p99", "max", "count"} {
		if _, ok := lat[k].(float64); !ok {
			t.Errorf("latencyMs.%s missing or not a number: %v", k, lat)
		}
	}
	if m["submitted"] != 4.0 || m["finalized"] != 4.0 || m["end"] != EndComplete {
		t.Errorf("JSON report values: %s", b)
	}
	if _, ok := m["rejected"].(map[string]any); !ok {
		t.Errorf("rejected is not an object: %s", b)
	}
}
