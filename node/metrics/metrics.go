// Package metrics is a node's Prometheus metrics: a registry of its own
// (never the process-wide default, so several nodes can run in one
// process), the figures read from the node at scrape time, the histograms
// and counters fed by committed blocks and API requests, and the handler
// that serves them in the Prometheus text format at GET /metrics.
//
// docs/METRICS.md lists every metric for operators.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"cairn/node/api"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric of a node.
const Namespace = "cairn"

// DefaultScrapeTimeout bounds how long one scrape waits for the node's
// status.
const DefaultScrapeTimeout = 5 * time.Second

// Source is what the metrics read from the node when they are scraped.
type Source interface {
	// Status is the node's status, as GET /v1/status reports it.
	Status(ctx context.Context) (*api.Status, error)
	// Traffic is the bytes moved so far per gossip topic ("gossip/tx")
	// and request protocol ("req/blocks"); nil for a node that runs alone.
	Traffic() map[string]Traffic
}

// Traffic is how many bytes went each way on one topic or protocol since
// the node started.
type Traffic struct {
	In, Out uint64
}

// Signing is this node's part in the commit a block carries for its
// parent.
type Signing int

// The values of Signing.
const (
	// NotExpected: the node is no validator of the parent's height (or has
	// no validator key), or the block carries no commit.
	NotExpected Signing = iota
	// Signed: the commit holds this node's precommit.
	Signed
	// Missed: the node was in the parent's validator set and the commit
	// lacks its precommit.
	Missed
)

// Block is what the metrics learn from one committed block.
type Block struct {
	Height uint64
	// Time is the block's header time; ParentTime its parent's, zero when
	// unknown (then no interval is observed).
	Time, ParentTime time.Time
	// Txs is how many transactions the block holds.
	Txs int
	// Committed is when this node committed the block; zero for a block
	// that was not committed live (caught up by sync), whose finality
	// latency would measure the catching up.
	Committed time.Time
	// Signing says whether this node's validator signed the parent, as
	// the block's last commit shows.
	Signing Signing
}

// Options configure New. Zero values take the defaults.
type Options struct {
	// Log receives scrape failures (default: discarded).
	Log *slog.Logger
	// ScrapeTimeout bounds the status read of one scrape (default 5 s).
	ScrapeTimeout time.Duration
	// EventsLost, when set, reports how many node events the feeder of
	// ObserveBlock lost to a full queue; it is exported as a counter.
	EventsLost func() uint64
}

// Histogram buckets, in seconds (and transactions for block sizes).
var (
	blockIntervalBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60}
	finalityBuckets      = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30}
	blockTxsBuckets      = []float64{0, 1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000}
	requestBuckets       = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// Metrics is one node's metrics. Its methods are safe for concurrent use.
type Metrics struct {
	src           Source
	reg           *prometheus.Registry
	blockInterval prometheus.Histogram
	blockTxs      prometheus.Histogram
	finality      prometheus.Histogram
	signed        prometheus.Counter
	missed        prometheus.Counter
	requests      *prometheus.HistogramVec
	handler       http.Handler
}

// New builds the metrics of a node that src describes, on a registry of
// their own, with Go runtime and process metrics alongside.
func New(src Source, opts Options) *Metrics {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.ScrapeTimeout <= 0 {
		opts.ScrapeTimeout = DefaultScrapeTimeout
	}
	m := &Metrics{
		src: src,
		reg: prometheus.NewRegistry(),
		blockInterval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "block_interval_seconds",
			Help:    "Time between the header times of consecutive committed blocks.",
			Buckets: blockIntervalBuckets,
		}),
		blockTxs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "block_transactions",
			Help:    "Transactions per committed block.",
			Buckets: blockTxsBuckets,
		}),
		finality: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "finality_latency_seconds",
			Help:    "Time from a block's header time to this node committing it (blocks caught up by sync are left out).",
			Buckets: finalityBuckets,
		}),
		signed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "validator_signed_blocks_total",
			Help: "Blocks whose commit, as the next block carries it, holds this node's precommit while it was in the validator set.",
		}),
		missed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "validator_missed_blocks_total",
			Help: "Blocks whose commit, as the next block carries it, lacks this node's precommit while it was in the validator set.",
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "api_request_duration_seconds",
			Help:    "Time to answer an API request, by route pattern and status class (event streams count their whole life).",
			Buckets: requestBuckets,
		}, []string{"route", "code"}),
	}
	m.reg.MustRegister(
		newStatusCollector(src, opts.ScrapeTimeout, opts.Log),
		m.blockInterval, m.blockTxs, m.finality, m.signed, m.missed, m.requests,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if opts.EventsLost != nil {
		lost := opts.EventsLost
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: Namespace, Name: "metrics_events_lost_total",
			Help: "Node events the metrics lost to a full queue; blocks among them are read back from the chain.",
		}, func() float64 { return float64(lost()) }))
	}
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slogPrinter{opts.Log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg, // promhttp_metric_handler_errors_total
	})
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler { return m.handler }

// Gatherer is the node's registry, for tests and for pushing elsewhere.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// ObserveBlock records one committed block: its interval after its
// parent, its transactions, its finality latency and whether this node's
// validator signed its parent. Call it once per block, in any order.
func (m *Metrics) ObserveBlock(b Block) {
	m.blockTxs.Observe(float64(b.Txs))
	if !b.ParentTime.IsZero() {
		if d := b.Time.Sub(b.ParentTime); d >= 0 {
			m.blockInterval.Observe(d.Seconds())
		}
	}
	if !b.Committed.IsZero() {
		// A clock a little behind the proposer's gives a negative latency;
		// it counts as zero rather than not at all.
		m.finality.Observe(max(b.Committed.Sub(b.Time), 0).Seconds())
	}
	switch b.Signing {
	case Signed:
		m.signed.Inc()
	case Missed:
		m.missed.Inc()
	}
}

// ObserveRequest records one API request answered with status after d.
// route must come from a fixed set (a route pattern, never a raw path),
// so the label set stays bounded.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, statusClass(status)).Observe(d.Seconds())
}

// statusClass is "2xx" for 200 to 299 and so on; "other" outside 100–599.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// slogPrinter is promhttp's error log over slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	p.log.Warn("metrics scrape", "err", fmt.Sprint(v...))
}
