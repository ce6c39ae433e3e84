package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cairn/node/api"
)

// SSEReport is what the event-stream subscribers of a run saw: how many
// streams the node opened or refused, how many it ended early and why,
// and how many events they read. Its JSON form is the "sse" object of
// `cairn loadgen --json`.
type SSEReport struct {
	Requested int `json:"requested"`
	// Types are the event types the streams asked for (none: every type).
	Types []string `json:"types,omitempty"`
	// Opened streams were answered 200 and read until the run ended (or
	// the node ended them).
	Opened int `json:"opened"`
	// Refused counts the streams the node did not open, by the API error
	// code (too_many_subscribers when its cap is reached), "http_<status>"
	// for other answers, "transport_error" when the request failed.
	Refused      map[string]int `json:"refused"`
	RefusedTotal int            `json:"refusedTotal"`
	// Dropped counts the opened streams the node ended with an "event:
	// error" frame, by its code (too_slow for a reader that fell behind).
	Dropped      map[string]int `json:"dropped"`
	DroppedTotal int            `json:"droppedTotal"`
	// Broken counts the opened streams that ended without a reason before
	// the run was over.
	Broken int `json:"broken"`
	// Events is the number of events read over all streams; MinEvents and
	// MaxEvents are the least and most one opened stream read.
	Events    uint64 `json:"events"`
	MinEvents uint64 `json:"minEvents"`
	MaxEvents uint64 `json:"maxEvents"`
	Bytes     uint64 `json:"bytes"`
}

// SSEGroup is a set of event-stream subscribers held open on a node while
// it is loaded. They read every byte, count the events and parse nothing
// else but an error frame, so they cost the generator little.
type SSEGroup struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ended  atomic.Bool // set by Close before the streams are cut

	mu   sync.Mutex
	subs []*sseSubscriber
	rep  SSEReport
}

type sseSubscriber struct {
	events atomic.Uint64
	bytes  atomic.Uint64
}

// sseOpenParallel bounds how many streams are being opened at once.
const sseOpenParallel = 64

// OpenSSE opens n event streams (GET /v1/events) of the given event types
// (none for all) to the Cairn REST API at base, each on its own
// connection, and returns once every one has been answered (opened or
// refused) or ctx ends. Close ends them and reports.
func OpenSSE(ctx context.Context, base string, n int, types []string, log *slog.Logger) (*SSEGroup, error) {
	b, err := baseURL(api.NormalizeURL(base))
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		// One connection per stream, none kept after: a refused stream
		// must not hold one of the node's connections.
		DisableKeepAlives:     true,
		DisableCompression:    true,
		ResponseHeaderTimeout: 60 * time.Second,
	}}
	sctx, cancel := context.WithCancel(context.Background())
	g := &SSEGroup{cancel: cancel, rep: SSEReport{Requested: n, Types: types, Refused: map[string]int{}, Dropped: map[string]int{}}}
	url := b + api.EventsPath(types...)
	var answered sync.WaitGroup
	sem := make(chan struct{}, sseOpenParallel)
	for range n {
		answered.Add(1)
		g.wg.Go(func() {
			sem <- struct{}{}
			resp, err := g.open(sctx, hc, url)
			<-sem
			answered.Done()
			if err == nil {
				g.read(resp, log)
			}
		})
	}
	done := make(chan struct{})
	go func() { answered.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	g.mu.Lock()
	log.Info("event streams", "requested", n, "opened", g.rep.Opened, "refused", g.rep.Refused)
	g.mu.Unlock()
	return g, nil
}

// open sends one stream request and counts its answer.
func (g *SSEGroup) open(ctx context.Context, hc *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		g.count(g.rep.Refused, &g.rep.RefusedTotal, ReasonTransport)
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		code := "http_" + strconv.Itoa(resp.StatusCode)
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		var eb struct {
			Error *api.Error `json:"error"`
		}
		if json.Unmarshal(body, &eb) == nil && eb.Error != nil && eb.Error.Code != "" {
			code = eb.Error.Code
		}
		g.count(g.rep.Refused, &g.rep.RefusedTotal, code)
		return nil, errors.New(code)
	}
	g.mu.Lock()
	g.rep.Opened++
	g.mu.Unlock()
	return resp, nil
}

func (g *SSEGroup) count(m map[string]int, total *int, key string) {
	g.mu.Lock()
	m[key]++
	*total++
	g.mu.Unlock()
}

// read consumes one stream until it ends, counting events and noting an
// error frame's code.
func (g *SSEGroup) read(resp *http.Response, log *slog.Logger) {
	defer resp.Body.Close()
	s := &sseSubscriber{}
	g.mu.Lock()
	g.subs = append(g.subs, s)
	g.mu.Unlock()
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	inError := false
	for {
		line, err := br.ReadSlice('\n')
		s.bytes.Add(uint64(len(line)))
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue // the rest of a long data line
			}
			break
		}
		switch {
		case bytes.HasPrefix(line, []byte("event: error")):
			inError = true
		case bytes.HasPrefix(line, []byte("event: ")):
			s.events.Add(1)
		case inError && bytes.HasPrefix(line, []byte("data: ")):
			var e api.Error
			code := "unparsed"
			if json.Unmarshal(bytes.TrimPrefix(line, []byte("data: ")), &e) == nil && e.Code != "" {
				code = e.Code
			}
			log.Debug("event stream ended by the node", "code", code, "message", e.Message)
			g.count(g.rep.Dropped, &g.rep.DroppedTotal, code)
			_, _ = io.Copy(io.Discard, br)
			return
		}
	}
	if !g.ended.Load() {
		g.mu.Lock()
		g.rep.Broken++
		g.mu.Unlock()
	}
}

// Close ends every stream and reports what they saw.
func (g *SSEGroup) Close() SSEReport {
	g.ended.Store(true)
	g.cancel()
	g.wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	rep := g.rep
	rep.Refused, rep.Dropped = maps.Clone(g.rep.Refused), maps.Clone(g.rep.Dropped)
	for i, s := range g.subs {
		n := s.events.Load()
		rep.Events += n
		rep.Bytes += s.bytes.Load()
		if i == 0 || n < rep.MinEvents {
			rep.MinEvents = n
		}
		rep.MaxEvents = max(rep.MaxEvents, n)
	}
	return rep
}

// writeText prints the subscribers' line of the report.
func (r *SSEReport) writeText(b *strings.Builder) {
	what := "all events"
	if len(r.Types) > 0 {
		what = strings.Join(r.Types, ",")
	}
	fmt.Fprintf(b, "sse         %d streams (%s) requested: %d opened, %d refused", r.Requested, what, r.Opened, r.RefusedTotal)
	writeCounts(b, r.Refused)
	fmt.Fprintf(b, ", %d dropped by the node", r.DroppedTotal)
	writeCounts(b, r.Dropped)
	fmt.Fprintf(b, ", %d broken\n", r.Broken)
	fmt.Fprintf(b, "            %d events read (%d to %d per opened stream), %.1f MiB\n",
		r.Events, r.MinEvents, r.MaxEvents, float64(r.Bytes)/(1<<20))
}

func writeCounts(b *strings.Builder, m map[string]int) {
	if len(m) == 0 {
		return
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	fmt.Fprintf(b, " (%s)", strings.Join(parts, ", "))
}
