package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// Defaults of ServerOptions.
const (
	DefaultMaxBodyBytes = 512 << 10 // room for a 128 KiB transaction in hex
	DefaultHeartbeat    = 15 * time.Second
	// DefaultMaxSubscribers caps concurrent event streams, and
	// DefaultMaxTxSubscribers those of them that take tx events. A tx
	// stream carries one event per admitted transaction (~450 bytes; 3.6
	// MB/s at 8,000 tx/s), a block-only stream one event a block: the
	// lower cap keeps what mempool watchers cost the node a small share of
	// it under load.
	DefaultMaxSubscribers   = 256
	DefaultMaxTxSubscribers = 32
	// DefaultSubscriberQueue and DefaultSubscriberQueueBytes bound what
	// one event stream may have waiting (about two seconds of a 4,000 tx/s
	// load) before it is dropped as too slow.
	DefaultSubscriberQueue      = 8192
	DefaultSubscriberQueueBytes = 8 << 20
	// DefaultStreamWriteTimeout bounds one write to an event stream.
	DefaultStreamWriteTimeout = 10 * time.Second
)

// ServerOptions configure NewServer. Zero values take the defaults.
type ServerOptions struct {
	// Root serves every path outside /v1 (the Ethereum JSON-RPC endpoint at
	// "/" and "/ws") but /metrics when Metrics is set. Nil answers them
	// with a JSON 404.
	Root http.Handler
	// Log receives handler failures and recovered panics (default: discarded).
	Log *slog.Logger
	// MaxBodyBytes limits request bodies (default 512 KiB).
	MaxBodyBytes int64
	// MaxBlocksPage caps the limit of GET /v1/blocks (default and maximum
	// MaxBlocksPage).
	MaxBlocksPage int
	// Heartbeat is the interval of comment lines on the event stream that
	// keep proxies from closing it (default 15 s).
	Heartbeat time.Duration
	// MaxSubscribers caps the event streams served at once (default 256);
	// one more is refused with 503 too_many_subscribers.
	MaxSubscribers int
	// MaxTxSubscribers caps, among them, the streams that take tx events
	// (default 32); one more is refused the same way.
	MaxTxSubscribers int
	// SubscriberQueue and SubscriberQueueBytes bound the events (heartbeats
	// included) and bytes an event stream may have waiting to be written
	// (defaults 8192 and 8 MiB). A stream that falls further behind is sent
	// an "event: error" frame with code too_slow and closed.
	SubscriberQueue      int
	SubscriberQueueBytes int
	// StreamWriteTimeout bounds each write to an event stream (default
	// 10 s); a client that takes no bytes for that long is cut. It stands
	// in for the http.Server's WriteTimeout, which a stream lifts.
	StreamWriteTimeout time.Duration
	// Metrics, when set, serves GET /metrics (the node's Prometheus
	// metrics), outside /v1 and ahead of Root.
	Metrics http.Handler
	// ObserveRequest, when set, hears of every request to /v1 and to Root
	// once it is answered (WebSocket connections, which live on, aside):
	// the route that served it, from a fixed set (the pattern such as
	// "GET /v1/blocks/{id}", "/" or "/ws" for JSON-RPC, "unmatched"),
	// never the raw path; the status written; and how long it took.
	ObserveRequest func(route string, status int, d time.Duration)
	// Logs, when set, serves the node's own log lines: GET /v1/logs and
	// the stream GET /v1/logs/stream. Nil answers both with 404.
	Logs LogSource
}

// route is one REST endpoint. The table is the single source of the mux's
// patterns, so a test can check that the OpenAPI document covers them all.
type route struct {
	method, path string
	handle       func(s *server, w http.ResponseWriter, r *http.Request) error
}

var routes = []route{
	{"GET", "/v1/status", (*server).status},
	{"GET", "/v1/blocks", (*server).blocks},
	{"GET", "/v1/blocks/{id}", (*server).block},
	{"POST", "/v1/txs", (*server).sendTx},
	{"GET", "/v1/txs/{hash}", (*server).tx},
	{"GET", "/v1/accounts/{address}", (*server).account},
	{"GET", "/v1/validators", (*server).validators},
	{"GET", "/v1/validators/{address}", (*server).validator},
	{"GET", "/v1/delegations/{address}", (*server).delegations},
	{"GET", "/v1/mempool", (*server).mempool},
	{"GET", "/v1/peers", (*server).peers},
	{"POST", "/v1/call", (*server).call},
	{"GET", "/v1/events", (*server).events},
	{"GET", "/v1/logs", (*server).logs},
	{"GET", "/v1/logs/stream", (*server).logStream},
	{"GET", "/v1/openapi.json", (*server).openapi},
}

type server struct {
	svc  Service
	opts ServerOptions
	log  *slog.Logger
	v1   *http.ServeMux
	hub  *hub
	// logSlots caps the log streams served at once (MaxLogStreams).
	logSlots chan struct{}
}

// NewServer returns the REST API over svc: the routes under /v1 (see the
// OpenAPI document at /v1/openapi.json), JSON errors for unknown routes and
// wrong methods, request body limits, and recovery from handler panics.
// Everything outside /v1 goes to opts.Root, but /metrics to opts.Metrics
// when it is set.
func NewServer(svc Service, opts ServerOptions) http.Handler {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxBlocksPage <= 0 || opts.MaxBlocksPage > MaxBlocksPage {
		opts.MaxBlocksPage = MaxBlocksPage
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	if opts.MaxSubscribers <= 0 {
		opts.MaxSubscribers = DefaultMaxSubscribers
	}
	if opts.MaxTxSubscribers <= 0 {
		opts.MaxTxSubscribers = DefaultMaxTxSubscribers
	}
	if opts.SubscriberQueue <= 0 {
		opts.SubscriberQueue = DefaultSubscriberQueue
	}
	if opts.SubscriberQueueBytes <= 0 {
		opts.SubscriberQueueBytes = DefaultSubscriberQueueBytes
	}
	if opts.StreamWriteTimeout <= 0 {
		opts.StreamWriteTimeout = DefaultStreamWriteTimeout
	}
	s := &server{svc: svc, opts: opts, log: opts.Log, v1: http.NewServeMux(), logSlots: make(chan struct{}, MaxLogStreams)}
	s.hub = newHub(svc, opts, opts.Log)
	for _, rt := range routes {
		s.v1.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) {
			if err := rt.handle(s, w, r); err != nil {
				s.writeError(w, r, err)
			}
		})
	}
	return s
}

// ServeHTTP routes /metrics to the metrics handler, /v1 to the API and the
// rest to the root handler, times requests for ObserveRequest, and turns a
// handler panic into a logged 500.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/metrics" && s.opts.Metrics != nil {
		s.serveMetrics(w, r)
		return
	}
	if s.opts.ObserveRequest != nil && !isWebsocket(r) {
		rec := &statusRecorder{ResponseWriter: w}
		route, start := s.routeOf(r), time.Now()
		// Deferred before the recovery below, so it runs after it and
		// sees the 500 a panic turns into.
		defer func() { s.opts.ObserveRequest(route, rec.statusCode(), time.Since(start)) }()
		w = rec
	}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.log.Error("api handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
		s.writeError(w, r, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"})
	}()
	if r.URL.Path != "/v1" && !strings.HasPrefix(r.URL.Path, "/v1/") {
		if s.opts.Root != nil {
			s.opts.Root.ServeHTTP(w, r)
			return
		}
		s.writeError(w, r, NotFound("no route %s %s: the REST API is under /v1", r.Method, r.URL.Path))
		return
	}
	if h, pattern := s.v1.Handler(r); pattern == "" {
		s.noRoute(w, r, h)
		return
	}
	s.v1.ServeHTTP(w, r)
}

// serveMetrics answers GET and HEAD /metrics with opts.Metrics.
func (s *server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
			Message: r.Method + " is not allowed on /metrics (allowed: GET, HEAD)"})
		return
	}
	s.opts.Metrics.ServeHTTP(w, r)
}

// routeOf names the route r goes to for ObserveRequest: the /v1 pattern
// that matches it, "/" or "/ws" for JSON-RPC, else "unmatched". The set
// is fixed, whatever paths clients send.
func (s *server) routeOf(r *http.Request) string {
	switch p := r.URL.Path; {
	case p == "/v1" || strings.HasPrefix(p, "/v1/"):
		if _, pattern := s.v1.Handler(r); pattern != "" {
			return pattern
		}
	case p == "/" || p == "/ws":
		if s.opts.Root != nil {
			return p
		}
	}
	return "unmatched"
}

// isWebsocket reports a WebSocket upgrade request.
func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// statusRecorder passes a response through and remembers its status.
// Unwrap lets http.ResponseController reach the connection beneath
// (flushes and deadlines of event streams).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (rec *statusRecorder) WriteHeader(code int) {
	if rec.status == 0 && code >= 200 { // 1xx are not the final status
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

// Flush flushes the response beneath, for handlers that assert
// http.Flusher rather than use a ResponseController.
func (rec *statusRecorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}

// Unwrap is the response beneath, for http.ResponseController.
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// statusCode is the status written, 200 when the handler wrote nothing
// (as net/http then answers).
func (rec *statusRecorder) statusCode() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

// noRoute answers a /v1 request no pattern matched. The mux knows whether
// the path exists under another method; ask it, then answer in JSON.
func (s *server) noRoute(w http.ResponseWriter, r *http.Request, h http.Handler) {
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	switch probe.status {
	case http.StatusNotFound:
		s.writeError(w, r, NotFound("no route %s %s: see /v1/openapi.json", r.Method, r.URL.Path))
	case http.StatusMethodNotAllowed:
		if allow := probe.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		s.writeError(w, r, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
			Message: r.Method + " is not allowed on " + r.URL.Path + " (allowed: " + probe.header.Get("Allow") + ")"})
	default:
		h.ServeHTTP(w, r) // a redirect to the clean path
	}
}

// statusProbe records the status and headers a handler writes and drops
// the body.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }

func (p *statusProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}

func (p *statusProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

// writeJSON writes v with status 200.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(data, '\n'))
	return nil
}

// writeError writes err as a JSON error. An *Error is written as it is; a
// context error means the client went away or ran out of time; anything
// else is an internal failure, logged.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, context.Canceled):
		e = &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "request canceled"}
	case errors.Is(err, context.DeadlineExceeded):
		e = &Error{Status: http.StatusGatewayTimeout, Code: CodeTimeout, Message: "request deadline exceeded"}
	default:
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: err.Error()}
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	data, merr := json.Marshal(errorBody{Error: e})
	if merr != nil {
		data = []byte(`{"error":{"code":"internal","message":"cannot encode error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
