package node

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/events"
	"cairn/node/metrics"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsEndpointOnADevnetNode runs a devnet node with its API on,
// sends a transaction and a few API requests over HTTP, waits for the
// transaction's block and reads GET /metrics as Prometheus would.
func TestMetricsEndpointOnADevnetNode(t *testing.T) {
	n, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
		BlockTime: 10 * time.Millisecond, APIAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	sub := n.Events().Subscribe(1024)
	defer sub.Close()
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	base := "http://" + n.APIAddr()
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(path, body string) {
		t.Helper()
		resp, err := client.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, data)
		}
	}
	get := func(path string) []byte {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, data)
		}
		return data
	}

	tx := signedTransfer(t, n, 0, common.HexToAddress("0xc0ffee"), 5)
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	post("/v1/txs", fmt.Sprintf(`{"raw":%q}`, hexutil.Encode(raw)))
	included := waitBlock(t, sub, func(b *chain.Block) bool {
		for _, in := range b.Txs {
			if in.Hash() == tx.Hash() {
				return true
			}
		}
		return false
	})
	head := waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= max(included.Height()+1, 3) })
	get("/v1/status")
	get("/v1/status")
	// The timing wrapper must leave event streams streaming: a block
	// arrives only if flushes reach the connection through it.
	streamCtx, cancelStream := context.WithTimeout(context.Background(), 10*time.Second)
	req, _ := http.NewRequestWithContext(streamCtx, "GET", base+"/v1/events?types=block", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() && lines.Text() != "event: block" {
	}
	if lines.Text() != "event: block" {
		t.Fatalf("event stream ended without a block: %v", lines.Err())
	}
	cancelStream()
	resp.Body.Close()
	post("/", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}`)

	// The block histograms are fed by the node's own subscriber, which
	// sees the same events as this test's at its own pace: scrape until
	// it has counted the transaction's block, within a bound.
	var fams map[string]*dto.MetricFamily
	deadline := time.Now().Add(20 * time.Second)
	for {
		fams = scrapeMetrics(t, get("/metrics"))
		if h := metricOf(fams, "cairn_block_transactions", nil); h != nil && h.GetHistogram().GetSampleSum() >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cairn_block_transactions never counted block %d's transaction", included.Height())
		}
		select {
		case <-sub.C: // the next block is the next chance
		case <-time.After(time.Second):
		}
	}

	if v := metricGauge(t, fams, "cairn_height", nil); v < float64(head.Height()) {
		t.Errorf("cairn_height %v, want >= %d", v, head.Height())
	}
	for _, name := range []string{"cairn_mempool_bytes", "cairn_peers", "cairn_consensus_height", "cairn_consensus_step", "cairn_syncing"} {
		metricGauge(t, fams, name, nil)
	}
	metricGauge(t, fams, "cairn_mempool_transactions", map[string]string{"state": "pending"})
	metricGauge(t, fams, "cairn_mempool_transactions", map[string]string{"state": "queued"})
	if v := metricGauge(t, fams, "cairn_validator_in_set", nil); v != 1 {
		t.Errorf("cairn_validator_in_set %v, want 1 for the devnet's only validator", v)
	}
	for _, name := range []string{"cairn_block_interval_seconds", "cairn_finality_latency_seconds", "cairn_block_transactions"} {
		if c := metricHistCount(t, fams, name, nil); c < 1 {
			t.Errorf("%s counted %d blocks, want some", name, c)
		}
	}
	// The only validator signs every commit.
	if v := metricCounter(t, fams, "cairn_validator_signed_blocks_total"); v < 1 {
		t.Errorf("cairn_validator_signed_blocks_total %v, want >= 1", v)
	}
	if v := metricCounter(t, fams, "cairn_validator_missed_blocks_total"); v != 0 {
		t.Errorf("cairn_validator_missed_blocks_total %v, want 0", v)
	}
	// The requests made before the scrape were timed under their routes.
	for _, c := range []struct {
		route string
		min   uint64
	}{{"GET /v1/status", 2}, {"POST /v1/txs", 1}, {"/", 1}} {
		if got := metricHistCount(t, fams, "cairn_api_request_duration_seconds", map[string]string{"route": c.route, "code": "2xx"}); got < c.min {
			t.Errorf("api requests on %q: %d, want >= %d", c.route, got, c.min)
		}
	}
	if metricOf(fams, "go_goroutines", nil) == nil {
		t.Error("no Go runtime metrics")
	}

	// The status summarizes the same histograms and counters, and never
	// less than this scrape counted (they only grow).
	var st api.Status
	if err := json.Unmarshal(get("/v1/status"), &st); err != nil {
		t.Fatal(err)
	}
	sm := st.Metrics
	if sm == nil {
		t.Fatal("status has no metrics summary")
	}
	if c := metricHistCount(t, fams, "cairn_block_transactions", nil); sm.Blocks < c {
		t.Errorf("status summary covers %d blocks, the scrape before it %d", sm.Blocks, c)
	}
	if v := metricCounter(t, fams, "cairn_validator_signed_blocks_total"); float64(sm.Signed) < v || sm.Missed != 0 {
		t.Errorf("status summary signed %d missed %d, scrape signed %v missed 0", sm.Signed, sm.Missed, v)
	}
	if sm.FinalityP50 <= 0 || sm.FinalityP99 < sm.FinalityP50 || sm.IntervalMean <= 0 {
		t.Errorf("status summary latencies: %+v", sm)
	}
}

// TestMetricsFeedReadsLostBlocksBackFromTheChain hands the feeder only
// the last of several blocks, as a bus that dropped the others would, and
// checks that every block was still counted from the chain.
func TestMetricsFeedReadsLostBlocksBackFromTheChain(t *testing.T) {
	n := startDevnet(t, t.TempDir())
	defer n.Close()
	sub := n.Events().Subscribe(64)
	defer sub.Close()
	last := waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= 6 })
	start, err := n.Chain().BlockByHeight(1)
	if err != nil {
		t.Fatal(err)
	}

	m := metrics.New(metricsSource{n}, metrics.Options{})
	var bus events.Bus
	feed := bus.Subscribe(8)
	bus.Publish(events.Event{Block: start}) // at or below the start: skipped
	bus.Publish(events.Event{Block: last})
	feed.Close() // the feeder reads what is queued, then returns
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.feedMetrics(context.Background(), m, feed, start)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the feeder did not return once its subscription closed")
	}

	mfs, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	fams := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		fams[mf.GetName()] = mf
	}
	blocks := last.Height() - start.Height() // 2..last
	var txs int
	for h := start.Height() + 1; h <= last.Height(); h++ {
		b, err := n.Chain().BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		txs += len(b.Txs)
	}
	h := metricMust(t, fams, "cairn_block_transactions", nil).GetHistogram()
	if h.GetSampleCount() != blocks || h.GetSampleSum() != float64(txs) {
		t.Errorf("block_transactions: %d blocks %v txs, want %d and %d", h.GetSampleCount(), h.GetSampleSum(), blocks, txs)
	}
	if c := metricHistCount(t, fams, "cairn_block_interval_seconds", nil); c != blocks {
		t.Errorf("block intervals: %d, want one per block (%d)", c, blocks)
	}
	// Only the block whose event arrived was committed live.
	if c := metricHistCount(t, fams, "cairn_finality_latency_seconds", nil); c != 1 {
		t.Errorf("finality latencies: %d, want 1", c)
	}
	if v := metricCounter(t, fams, "cairn_validator_signed_blocks_total"); v != float64(blocks) {
		t.Errorf("signed blocks %v, want %d: the only validator signs every commit", v, blocks)
	}
}

// scrapeMetrics parses a /metrics body.
func scrapeMetrics(t *testing.T, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return fams
}

// metricOf is the series of name whose labels include labels, or nil.
func metricOf(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	mf := fams[name]
	if mf == nil {
		return nil
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

func metricMust(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	m := metricOf(fams, name, labels)
	if m == nil {
		t.Fatalf("no metric %s%v", name, labels)
	}
	return m
}

func metricGauge(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	return metricMust(t, fams, name, labels).GetGauge().GetValue()
}

func metricCounter(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	return metricMust(t, fams, name, nil).GetCounter().GetValue()
}

func metricHistCount(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) uint64 {
	t.Helper()
	return metricMust(t, fams, name, labels).GetHistogram().GetSampleCount()
}
