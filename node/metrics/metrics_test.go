package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// fakeSource is a node whose status and traffic the test sets.
type fakeSource struct {
	mu      sync.Mutex
	status  *api.Status
	err     error
	traffic map[string]Traffic
}

func (f *fakeSource) Status(context.Context) (*api.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	st := *f.status
	return &st, nil
}

func (f *fakeSource) Traffic() map[string]Traffic {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.traffic
}

func (f *fakeSource) set(fn func(*fakeSource)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func TestStatusMetricsReadTheSourceAtScrapeTime(t *testing.T) {
	self := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	other := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	src := &fakeSource{
		status: &api.Status{
			ChainID: 7777, Height: 41, HeadTime: 1_700_000_000_500, NodeVersion: "0.1.0",
			Mempool:   api.MempoolCounts{Pending: 12, Queued: 3, Bytes: 4096},
			Validator: &self, Peers: 5,
			Consensus: &api.ConsensusStatus{Height: 42, Round: 2, Step: "prevote",
				Validators: []api.ValidatorVotes{{Address: other}, {Address: self}}},
			Syncing: &api.SyncStatus{From: 10, Current: 41, Target: 90},
		},
		traffic: map[string]Traffic{"gossip/tx": {In: 100, Out: 200}, "req/blocks": {In: 7, Out: 0}},
	}
	m := New(src, Options{})
	want := `
# HELP cairn_height Height of the last committed (and so finalized) block.
# TYPE cairn_height gauge
cairn_height 41
# HELP cairn_head_time_seconds Header time of the last committed block, in seconds since the Unix epoch.
# TYPE cairn_head_time_seconds gauge
cairn_head_time_seconds 1.7000000005e+09
# HELP cairn_consensus_height Height the consensus engine is working on.
# TYPE cairn_consensus_height gauge
cairn_consensus_height 42
# HELP cairn_consensus_round Round the consensus engine is in at that height (0 is the first).
# TYPE cairn_consensus_round gauge
cairn_consensus_round 2
# HELP cairn_consensus_step Step of the round: 1 propose, 2 prevote, 3 precommit, 4 commit (the height is decided; 0 unknown).
# TYPE cairn_consensus_step gauge
cairn_consensus_step 2
# HELP cairn_mempool_transactions Transactions in the mempool: pending ones are ready to be included, queued ones wait behind a nonce gap.
# TYPE cairn_mempool_transactions gauge
cairn_mempool_transactions{state="pending"} 12
cairn_mempool_transactions{state="queued"} 3
# HELP cairn_mempool_bytes Encoded size of every transaction in the mempool.
# TYPE cairn_mempool_bytes gauge
cairn_mempool_bytes 4096
# HELP cairn_peers Peers connected now.
# TYPE cairn_peers gauge
cairn_peers 5
# HELP cairn_p2p_received_bytes_total Bytes received from peers, by gossip topic (gossip/...) or request protocol (req/...).
# TYPE cairn_p2p_received_bytes_total counter
cairn_p2p_received_bytes_total{topic="gossip/tx"} 100
cairn_p2p_received_bytes_total{topic="req/blocks"} 7
# HELP cairn_p2p_sent_bytes_total Bytes sent to peers, by gossip topic (gossip/...) or request protocol (req/...).
# TYPE cairn_p2p_sent_bytes_total counter
cairn_p2p_sent_bytes_total{topic="gossip/tx"} 200
cairn_p2p_sent_bytes_total{topic="req/blocks"} 0
# HELP cairn_syncing 1 while the node catches up: block sync fetches blocks it is behind on, or a snapshot sync has not finished.
# TYPE cairn_syncing gauge
cairn_syncing 1
# HELP cairn_sync_target_height Height the node syncs towards: the highest head its peers report while syncing, the snapshot's block during a snapshot sync, else its own height.
# TYPE cairn_sync_target_height gauge
cairn_sync_target_height 90
# HELP cairn_validator_in_set 1 while this node's validator is in the set of the height consensus works on.
# TYPE cairn_validator_in_set gauge
cairn_validator_in_set 1
# HELP cairn_node_info Always 1; the labels name the node's software version and chain ID.
# TYPE cairn_node_info gauge
cairn_node_info{chain_id="7777",version="0.1.0"} 1
`
	names := []string{"cairn_height", "cairn_head_time_seconds", "cairn_consensus_height", "cairn_consensus_round",
		"cairn_consensus_step", "cairn_mempool_transactions", "cairn_mempool_bytes", "cairn_peers",
		"cairn_p2p_received_bytes_total", "cairn_p2p_sent_bytes_total", "cairn_syncing", "cairn_sync_target_height",
		"cairn_validator_in_set", "cairn_node_info", "cairn_snapshot_height"}
	if err := gatherAndCompare(m, want, names...); err != nil {
		t.Fatal(err)
	}

	// The next scrape reads the new state: in step, out of the set, a
	// snapshot sync under way.
	src.set(func(f *fakeSource) {
		f.status.Height, f.status.Syncing = 95, nil
		f.status.Consensus = &api.ConsensusStatus{Height: 96, Step: "precommit", Validators: []api.ValidatorVotes{{Address: other}}}
		f.status.Snapshot = &api.SnapshotStatus{Phase: api.SnapshotDownloading, Height: 120, Accounts: 9, Slots: 8, Codes: 1, Bytes: 5000, Peers: 2, Refused: 1}
	})
	want = `
# HELP cairn_height Height of the last committed (and so finalized) block.
# TYPE cairn_height gauge
cairn_height 95
# HELP cairn_consensus_step Step of the round: 1 propose, 2 prevote, 3 precommit, 4 commit (the height is decided; 0 unknown).
# TYPE cairn_consensus_step gauge
cairn_consensus_step 3
# HELP cairn_syncing 1 while the node catches up: block sync fetches blocks it is behind on, or a snapshot sync has not finished.
# TYPE cairn_syncing gauge
cairn_syncing 1
# HELP cairn_sync_target_height Height the node syncs towards: the highest head its peers report while syncing, the snapshot's block during a snapshot sync, else its own height.
# TYPE cairn_sync_target_height gauge
cairn_sync_target_height 120
# HELP cairn_validator_in_set 1 while this node's validator is in the set of the height consensus works on.
# TYPE cairn_validator_in_set gauge
cairn_validator_in_set 0
# HELP cairn_snapshot_height Block whose state a snapshot sync downloads (0 until chosen); only on a node started from a snapshot.
# TYPE cairn_snapshot_height gauge
cairn_snapshot_height 120
# HELP cairn_snapshot_verified_entries State entries a snapshot sync verified and wrote, by kind (accounts, slots, codes).
# TYPE cairn_snapshot_verified_entries gauge
cairn_snapshot_verified_entries{kind="accounts"} 9
cairn_snapshot_verified_entries{kind="codes"} 1
cairn_snapshot_verified_entries{kind="slots"} 8
# HELP cairn_snapshot_verified_bytes Bytes of state entries a snapshot sync verified.
# TYPE cairn_snapshot_verified_bytes gauge
cairn_snapshot_verified_bytes 5000
# HELP cairn_snapshot_refused_chunks Snapshot chunks refused because they did not verify.
# TYPE cairn_snapshot_refused_chunks gauge
cairn_snapshot_refused_chunks 1
`
	names = []string{"cairn_height", "cairn_consensus_step", "cairn_syncing", "cairn_sync_target_height",
		"cairn_validator_in_set", "cairn_snapshot_height", "cairn_snapshot_verified_entries",
		"cairn_snapshot_verified_bytes", "cairn_snapshot_refused_chunks"}
	if err := gatherAndCompare(m, want, names...); err != nil {
		t.Fatal(err)
	}

	// Once the snapshot is adopted and block sync is quiet, the node is in
	// step and syncs towards its own height.
	src.set(func(f *fakeSource) { f.status.Snapshot.Phase = api.SnapshotDone })
	if v := gaugeValue(t, m, "cairn_syncing"); v != 0 {
		t.Fatalf("cairn_syncing = %v after the snapshot is done, want 0", v)
	}
	if v := gaugeValue(t, m, "cairn_sync_target_height"); v != 95 {
		t.Fatalf("cairn_sync_target_height = %v in step, want the height 95", v)
	}
}

func TestStatusFailureFailsOnlyItsOwnMetrics(t *testing.T) {
	src := &fakeSource{err: errors.New("store closed"), traffic: map[string]Traffic{"gossip/consensus": {In: 1, Out: 2}}}
	m := New(src, Options{})
	if _, err := m.Gatherer().Gather(); err == nil || !strings.Contains(err.Error(), "store closed") {
		t.Fatalf("gather with a failing status: err %v, want the status error", err)
	}
	// Served over HTTP, the scrape goes on with what could be read.
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `cairn_p2p_sent_bytes_total{topic="gossip/consensus"} 2`) ||
		!strings.Contains(body, "go_goroutines") || strings.Contains(body, "cairn_height ") {
		t.Fatalf("scrape with a failing status: %d\n%s", rec.Code, body)
	}
}

func TestObserveBlock(t *testing.T) {
	m := New(&fakeSource{status: &api.Status{}}, Options{})
	t0 := time.UnixMilli(1_700_000_000_000)
	blocks := []Block{
		// The first block after start: parent known, committed live.
		{Height: 10, Time: t0, ParentTime: t0.Add(-time.Second), Txs: 3, Committed: t0.Add(200 * time.Millisecond), Signing: Signed},
		{Height: 11, Time: t0.Add(2 * time.Second), ParentTime: t0, Txs: 0, Committed: t0.Add(2500 * time.Millisecond), Signing: Missed},
		// Caught up by sync: no finality latency; parent unknown: no interval.
		{Height: 12, Time: t0.Add(3 * time.Second), Txs: 7, Signing: NotExpected},
		// A proposer's clock ahead of ours: latency counts as zero.
		{Height: 13, Time: t0.Add(4 * time.Second), ParentTime: t0.Add(3 * time.Second), Txs: 1000,
			Committed: t0.Add(3900 * time.Millisecond), Signing: Missed},
	}
	for _, b := range blocks {
		m.ObserveBlock(b)
	}
	for _, c := range []struct {
		name       string
		count      uint64
		sum        float64
		bucket     float64 // an upper bound ...
		underBound uint64  // ... and how many observations are at or below it
	}{
		{"cairn_block_interval_seconds", 3, 1 + 2 + 1, 1, 2},
		{"cairn_block_transactions", 4, 1010, 10, 3},
		{"cairn_finality_latency_seconds", 3, 0.2 + 0.5 + 0, 0.25, 2},
	} {
		h := histogram(t, m, c.name)
		if h.GetSampleCount() != c.count || !near(h.GetSampleSum(), c.sum) {
			t.Errorf("%s: count %d sum %v, want %d and %v", c.name, h.GetSampleCount(), h.GetSampleSum(), c.count, c.sum)
		}
		if got := cumulative(h, c.bucket); got != c.underBound {
			t.Errorf("%s: %d observations <= %v, want %d", c.name, got, c.bucket, c.underBound)
		}
	}
	if got := family(t, m, "cairn_validator_signed_blocks_total").GetMetric()[0].GetCounter().GetValue(); got != 1 {
		t.Errorf("signed blocks %v, want 1", got)
	}
	if got := family(t, m, "cairn_validator_missed_blocks_total").GetMetric()[0].GetCounter().GetValue(); got != 2 {
		t.Errorf("missed blocks %v, want 2", got)
	}
}

func TestEventsLostIsExported(t *testing.T) {
	var lost uint64 = 3
	m := New(&fakeSource{status: &api.Status{}}, Options{EventsLost: func() uint64 { return lost }})
	if err := gatherAndCompare(m, `
# HELP cairn_metrics_events_lost_total Node events the metrics lost to a full queue; blocks among them are read back from the chain.
# TYPE cairn_metrics_events_lost_total counter
cairn_metrics_events_lost_total 3
`, "cairn_metrics_events_lost_total"); err != nil {
		t.Fatal(err)
	}
}

// fakeService answers Status and Block; the rest of api.Service is unused.
type fakeService struct {
	api.Service
}

func (fakeService) Status(context.Context) (*api.Status, error) { return &api.Status{Height: 1}, nil }

func (fakeService) Block(_ context.Context, id string, _ bool) (*api.Block, error) {
	if id == "1" {
		return &api.Block{Height: 1}, nil
	}
	return nil, api.NotFound("no block %s", id)
}

// TestAPIServerTimesRequestsByRoute runs the REST server with the metrics
// wired as the node wires them and checks what the histogram counted.
func TestAPIServerTimesRequestsByRoute(t *testing.T) {
	m := New(&fakeSource{status: &api.Status{Height: 1}}, Options{})
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":"0x1"}`)
	})
	srv := httptest.NewServer(api.NewServer(fakeService{}, api.ServerOptions{
		Root: root, Metrics: m.Handler(), ObserveRequest: m.ObserveRequest,
	}))
	defer srv.Close()

	do := func(method, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(`{}`))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	do("GET", "/v1/status")
	do("GET", "/v1/status")
	do("GET", "/v1/blocks/1")
	do("GET", "/v1/blocks/2") // 404: the same route, another class
	do("GET", "/v1/blocks/3")
	do("POST", "/")
	do("GET", "/v1/no/such/thing")
	do("GET", "/favicon.ico")
	do("DELETE", "/v1/status") // 405

	// /metrics is the metrics handler's, not the JSON-RPC root's, and is
	// not itself timed.
	code, body := do("GET", "/metrics")
	if code != http.StatusOK || !strings.Contains(body, "# TYPE cairn_api_request_duration_seconds histogram") {
		t.Fatalf("GET /metrics: %d\n%s", code, body)
	}
	if code, _ := do("POST", "/metrics"); code != http.StatusMethodNotAllowed {
		t.Fatalf("POST /metrics: %d, want 405", code)
	}

	want := map[[2]string]uint64{
		{"GET /v1/status", "2xx"}:      2,
		{"GET /v1/blocks/{id}", "2xx"}: 1,
		{"GET /v1/blocks/{id}", "4xx"}: 2,
		{"/", "2xx"}:                   1,
		{"unmatched", "4xx"}:           3, // /v1/no/such/thing, /favicon.ico, DELETE /v1/status
	}
	got := map[[2]string]uint64{}
	mf := family(t, m, "cairn_api_request_duration_seconds")
	for _, metric := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range metric.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		got[[2]string{labels["route"], labels["code"]}] = metric.GetHistogram().GetSampleCount()
	}
	if len(got) != len(want) {
		t.Errorf("series %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("route %q code %s: %d requests, want %d", k[0], k[1], got[k], n)
		}
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{200: "2xx", 204: "2xx", 301: "3xx", 404: "4xx", 503: "5xx", 0: "other", 600: "other", 101: "1xx"} {
		if got := statusClass(status); got != want {
			t.Errorf("statusClass(%d) = %q, want %q", status, got, want)
		}
	}
}

func family(t *testing.T, m *Metrics, name string) *dto.MetricFamily {
	t.Helper()
	mfs, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}

func gaugeValue(t *testing.T, m *Metrics, name string) float64 {
	t.Helper()
	return family(t, m, name).GetMetric()[0].GetGauge().GetValue()
}

func histogram(t *testing.T, m *Metrics, name string) *dto.Histogram {
	t.Helper()
	return family(t, m, name).GetMetric()[0].GetHistogram()
}

// cumulative is how many observations of h are at or below the bucket
// bound le.
func cumulative(h *dto.Histogram, le float64) uint64 {
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	return 0
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// gatherAndCompare checks that the families named in names, as m exposes
// them, are exactly those in want (the text exposition format). Both sides
// go through the same parser and encoder, so only values, help texts,
// types and labels count, not their order or formatting.
func gatherAndCompare(m *Metrics, want string, names ...string) error {
	mfs, err := m.Gatherer().Gather()
	if err != nil {
		return fmt.Errorf("gather: %w", err)
	}
	keep := map[string]bool{}
	for _, n := range names {
		keep[n] = true
	}
	got := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		if keep[mf.GetName()] {
			got[mf.GetName()] = mf
		}
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	wantFams, err := parser.TextToMetricFamilies(strings.NewReader(want))
	if err != nil {
		return fmt.Errorf("parse want: %w", err)
	}
	if g, w := encode(got), encode(wantFams); g != w {
		return fmt.Errorf("metrics differ\n--- got\n%s--- want\n%s", g, w)
	}
	return nil
}

func encode(fams map[string]*dto.MetricFamily) string {
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		ms := fams[n].GetMetric()
		sort.Slice(ms, func(i, j int) bool { return fmt.Sprint(ms[i].GetLabel()) < fmt.Sprint(ms[j].GetLabel()) })
		if _, err := expfmt.MetricFamilyToText(&b, fams[n]); err != nil {
			fmt.Fprintf(&b, "cannot encode %s: %v\n", n, err)
		}
	}
	return b.String()
}
