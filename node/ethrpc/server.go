package ethrpc

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

// Defaults of Config's limits.
const (
	DefaultMaxBodyBytes     = 5 << 20  // one HTTP request or WebSocket message
	DefaultMaxBatchItems    = 100      // requests in one batch
	DefaultMaxBatchResponse = 25 << 20 // bytes of one batch's answers
	DefaultMaxBlockRange    = 10_000   // blocks one eth_getLogs may span
	DefaultMaxLogs          = 10_000   // logs one eth_getLogs may return
	DefaultFilterTimeout    = 5 * time.Minute
	DefaultMaxFilters       = 1024
	DefaultMaxSubscriptions = 4096
	DefaultCallTimeout      = 5 * time.Second
)

// Config says what the endpoint serves and how it is bounded.
type Config struct {
	Chain Chain
	Pool  Pool
	Bus   Bus
	// ClientVersion is what web3_clientVersion answers.
	ClientVersion string
	// PeerCount is the number of connected peers (nil: 0).
	PeerCount func() int
	// Syncing is block sync's progress, nil when not syncing (nil func:
	// never syncing).
	Syncing func() *SyncStatus
	// CORSOrigins are the browser origins allowed to call the endpoint
	// over HTTP and to open a WebSocket; "*" allows all. Empty allows none
	// (clients that send no Origin header, which is everything but
	// browsers, are not affected).
	CORSOrigins []string
	// CallTimeout bounds eth_call, eth_estimateGas and
	// eth_createAccessList (default 5 s).
	CallTimeout time.Duration
	// MaxBodyBytes caps a request body or WebSocket message.
	MaxBodyBytes int
	// MaxBatchItems and MaxBatchResponse cap a batch.
	MaxBatchItems, MaxBatchResponse int
	// MaxBlockRange and MaxLogs cap eth_getLogs and eth_getFilterLogs.
	MaxBlockRange uint64
	MaxLogs       int
	// FilterTimeout removes a filter not polled for this long (5 min).
	FilterTimeout time.Duration
	// MaxFilters caps the installed polling filters.
	MaxFilters int
	// MaxSubscriptions caps the live eth_subscribe subscriptions over all
	// WebSocket connections.
	MaxSubscriptions int
	// Now is the clock filters expire by (default time.Now).
	Now func() time.Time
	// Log receives the endpoint's own failures (default: discarded).
	Log *slog.Logger
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	def(&c.MaxBatchItems, DefaultMaxBatchItems)
	def(&c.MaxBatchResponse, DefaultMaxBatchResponse)
	def(&c.MaxLogs, DefaultMaxLogs)
	def(&c.MaxFilters, DefaultMaxFilters)
	def(&c.MaxSubscriptions, DefaultMaxSubscriptions)
	if c.MaxBlockRange == 0 {
		c.MaxBlockRange = DefaultMaxBlockRange
	}
	if c.FilterTimeout <= 0 {
		c.FilterTimeout = DefaultFilterTimeout
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = DefaultCallTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.PeerCount == nil {
		c.PeerCount = func() int { return 0 }
	}
	if c.Syncing == nil {
		c.Syncing = func() *SyncStatus { return nil }
	}
	return c
}

// backend is what every namespace shares: the node's parts, the limits,
// and the event feed behind filters and subscriptions.
type backend struct {
	cfg     Config
	chain   Chain
	pool    Pool
	feed    *feed
	filters *filters
	blooms  *bloomCache
	subs    atomic.Int64 // live subscriptions
}

// Server is the JSON-RPC endpoint. Handler serves it; Close ends its
// subscriptions, WebSocket connections and filters.
type Server struct {
	rpc     *rpc.Server
	backend *backend
	handler http.Handler
}

// New builds the endpoint and starts the feed of new blocks and pending
// transactions that its filters and subscriptions read.
func New(cfg Config) (*Server, error) {
	if cfg.Chain == nil || cfg.Pool == nil || cfg.Bus == nil {
		return nil, errors.New("ethrpc: Chain, Pool and Bus are required")
	}
	cfg = cfg.withDefaults()
	b := &backend{cfg: cfg, chain: cfg.Chain, pool: cfg.Pool, blooms: newBloomCache()}
	b.feed = newFeed(b, cfg.Bus)
	b.filters = newFilters(b)
	srv := rpc.NewServer()
	srv.SetBatchLimits(cfg.MaxBatchItems, cfg.MaxBatchResponse)
	srv.SetHTTPBodyLimit(cfg.MaxBodyBytes)
	srv.SetWebsocketReadLimit(int64(cfg.MaxBodyBytes))
	for name, api := range map[string]any{"web3": &web3API{b}, "net": &netAPI{b}, "eth": &ethAPI{b}} {
		if err := srv.RegisterName(name, api); err != nil {
			b.close()
			return nil, fmt.Errorf("ethrpc: register %s: %w", name, err)
		}
	}
	s := &Server{rpc: srv, backend: b}
	s.handler = newRouter(&warmSenders{next: srv, signer: cfg.Chain.Signer(), maxBody: cfg.MaxBodyBytes, maxItems: cfg.MaxBatchItems}, srv, cfg.CORSOrigins)
	return s, nil
}

// Handler serves JSON-RPC over HTTP POST at "/" and over WebSocket at
// "/ws".
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the server: open WebSocket connections and subscriptions
// end, filters are dropped. It is safe to call more than once.
func (s *Server) Close() {
	s.rpc.Stop()
	s.backend.close()
}

func (b *backend) close() {
	b.filters.close()
	b.feed.close()
}
