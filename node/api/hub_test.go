package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cairn/node/api/apitest"

	"github.com/ethereum/go-ethereum/common"
)

// feedService is a Service whose event subscription the test feeds by
// hand; everything but Subscribe is left unimplemented.
type feedService struct {
	Service
	feed       chan Event // what the test publishes
	subscribes atomic.Int32
	ctxs       chan context.Context
}

func newFeedService() *feedService {
	return &feedService{feed: make(chan Event), ctxs: make(chan context.Context, 16)}
}

// Subscribe forwards the feed until ctx ends, as the Service contract asks.
func (f *feedService) Subscribe(ctx context.Context) (<-chan Event, error) {
	f.subscribes.Add(1)
	f.ctxs <- ctx
	out := make(chan Event)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-f.feed:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// publish hands ev to the hub, within a bounded time.
func (f *feedService) publish(t *testing.T, ev Event) {
	t.Helper()
	select {
	case f.feed <- ev:
	case <-time.After(10 * time.Second):
		t.Fatal("nobody took a published event")
	}
}

// droppedEvent is a small event whose hash carries n.
func droppedEvent(n int) Event {
	return Event{Type: EventDropped, Dropped: &DroppedTx{Hash: common.BigToHash(big.NewInt(int64(n))), Reason: "evicted"}}
}

func eventNumber(ev Event) int {
	if ev.Dropped == nil {
		return -1
	}
	return int(ev.Dropped.Hash.Big().Int64())
}

// feedServer serves svc with opts and returns the server's hub, the test
// server and a client.
func feedServer(t *testing.T, svc Service, opts ServerOptions) (*hub, *httptest.Server, *Client) {
	t.Helper()
	h := NewServer(svc, opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h.(*server).hub, srv, NewClient(srv.URL, nil)
}

// eventually waits, within a bounded time, for cond to hold.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSSESubscriberCap(t *testing.T) {
	svc := newFeedService()
	h, srv, c := feedServer(t, svc, ServerOptions{MaxSubscribers: 2})
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	if _, err := c.Stream(ctx1); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	if _, err := c.Stream(ctx2); err != nil {
		t.Fatal(err)
	}

	// The third is refused: 503, the JSON error with its code, and the
	// connection is not kept.
	resp, err := http.Get(srv.URL + "/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	apitest.WantError(t, resp.StatusCode, body, http.StatusServiceUnavailable, CodeTooManySubscribers)
	if !resp.Close {
		t.Error("a refused subscriber's connection is kept alive")
	}
	var e *Error
	if _, err := c.Stream(context.Background()); !errors.As(err, &e) || e.Status != 503 || e.Code != CodeTooManySubscribers {
		t.Fatalf("client past the cap: %v, want a 503 %s *Error", err, CodeTooManySubscribers)
	}

	// One leaves: there is room again, and the streams still share one
	// subscription to the service.
	cancel1()
	eventually(t, "the first stream to leave", func() bool { return h.subscribers() == 1 })
	ctx3, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	st, err := c.Stream(ctx3)
	if err != nil {
		t.Fatalf("after one left: %v", err)
	}
	svc.publish(t, droppedEvent(7))
	if ev := apitest.Wait(t, st.C, "an event"); eventNumber(ev) != 7 {
		t.Fatalf("event %+v, want number 7", ev)
	}
	if n := svc.subscribes.Load(); n != 1 {
		t.Fatalf("the hub subscribed to the service %d times, want 1", n)
	}
}

func TestSSEEncodesEachEventOnce(t *testing.T) {
	const subscribers, events = 8, 25
	svc := newFeedService()
	h, _, c := feedServer(t, svc, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var streams []*EventStream
	for range subscribers {
		st, err := c.Stream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, st)
	}
	for i := range events {
		svc.publish(t, droppedEvent(i))
	}
	for s, st := range streams {
		for i := range events {
			if ev := apitest.Wait(t, st.C, fmt.Sprintf("event %d on stream %d", i, s)); eventNumber(ev) != i {
				t.Fatalf("stream %d: event %+v, want number %d", s, ev, i)
			}
		}
	}
	if n := h.encoded.Load(); n != events {
		t.Fatalf("%d events encoded for %d subscribers, want %d (once each)", n, subscribers, events)
	}
	if n := svc.subscribes.Load(); n != 1 {
		t.Fatalf("the hub subscribed to the service %d times, want 1", n)
	}

	// The last stream out ends the hub's subscription.
	serviceCtx := apitest.Wait(t, svc.ctxs, "the hub's subscription")
	cancel()
	select {
	case <-serviceCtx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the hub kept its subscription after every stream left")
	}
}

// gateWriter is a ResponseWriter whose writes block while the gate is
// closed, standing in for a client that stopped reading.
type gateWriter struct {
	header  http.Header
	hold    atomic.Bool
	blocked chan struct{} // a value when a write first waits at the gate
	once    sync.Once
	release chan struct{} // closed to let writes through again
	wrote   chan struct{} // a value after each write

	mu  sync.Mutex
	out bytes.Buffer
}

func newGateWriter() *gateWriter {
	return &gateWriter{header: http.Header{}, blocked: make(chan struct{}, 1), release: make(chan struct{}),
		wrote: make(chan struct{}, 1024)}
}

func (g *gateWriter) Header() http.Header { return g.header }
func (g *gateWriter) WriteHeader(int)     {}
func (g *gateWriter) Flush()              {}

func (g *gateWriter) Write(p []byte) (int, error) {
	if g.hold.Load() {
		g.once.Do(func() { g.blocked <- struct{}{} })
		<-g.release
	}
	g.mu.Lock()
	g.out.Write(p)
	g.mu.Unlock()
	g.wrote <- struct{}{}
	return len(p), nil
}

func (g *gateWriter) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.String()
}

func TestSSESlowSubscriberDropped(t *testing.T) {
	svc := newFeedService()
	h, srv, c := feedServer(t, svc, ServerOptions{SubscriberQueue: 2})
	handler := srv.Config.Handler

	// The slow one: served straight into a writer the test can stall.
	slow := newGateWriter()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, "GET", "/v1/events", nil)
	served := make(chan struct{})
	go func() {
		defer close(served)
		handler.ServeHTTP(slow, req)
	}()
	apitest.Wait(t, slow.wrote, "the slow stream's first write")
	if !strings.HasPrefix(slow.String(), ": subscribed") {
		t.Fatalf("slow stream starts %q", slow.String())
	}
	slow.hold.Store(true)

	// The fast one: a real client.
	fast, err := c.Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := func(want int) {
		t.Helper()
		if ev := apitest.Wait(t, fast.C, fmt.Sprintf("event %d", want)); eventNumber(ev) != want {
			t.Fatalf("fast stream: event %+v, want number %d", ev, want)
		}
	}

	// Event 1: the slow stream takes it and stalls writing it.
	svc.publish(t, droppedEvent(1))
	next(1)
	apitest.Wait(t, slow.blocked, "the slow stream to stall")
	// Events 2 and 3 fill its queue of 2; event 4 overflows it.
	for i := 2; i <= 4; i++ {
		svc.publish(t, droppedEvent(i))
		next(i)
	}
	eventually(t, "the slow stream to be dropped", func() bool { return h.dropped.Load() == 1 })
	if n := h.subscribers(); n != 1 {
		t.Fatalf("%d streams joined after the drop, want 1", n)
	}

	// The slow stream gets its stalled write out, then the reason, and
	// ends; nothing queued after the stall is written.
	close(slow.release)
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("the dropped stream's handler did not return")
	}
	var events []Event
	err = readEvents(strings.NewReader(slow.String()), func(ev Event) bool { events = append(events, ev); return true })
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTooSlow || e.Message == "" {
		t.Fatalf("slow stream ended with %v, want a %s error; it read %q", err, CodeTooSlow, slow.String())
	}
	if len(events) != 1 || eventNumber(events[0]) != 1 {
		t.Fatalf("slow stream got events %+v before the drop, want only number 1", events)
	}
	if !strings.HasSuffix(slow.String(), "\n\n") || !strings.Contains(slow.String(), "event: error\ndata: {\"code\":\"too_slow\",") {
		t.Fatalf("slow stream's error frame: %q", slow.String())
	}

	// The fast one keeps receiving.
	for i := 5; i <= 7; i++ {
		svc.publish(t, droppedEvent(i))
		next(i)
	}
}

func TestClientStreamSurfacesDrop(t *testing.T) {
	// A client that stops reading is dropped by a real server, and its
	// stream reports why once it reads on.
	svc := newFeedService()
	h, _, c := feedServer(t, svc, ServerOptions{SubscriberQueue: 4, SubscriberQueueBytes: 1 << 20})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := c.Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Large events fill the client's channel, then the sockets' buffers,
	// then the stream's queue: the test does not read until the drop.
	big := Event{Type: EventTx, Tx: &Tx{Status: TxPending, Input: make([]byte, 64<<10)}}
	deadline := time.Now().Add(30 * time.Second)
	for h.dropped.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a stream that does not read was never dropped")
		}
		select {
		case svc.feed <- big:
		case <-time.After(time.Millisecond):
			// Once the drop is done the hub lets go of the feed: look again.
		}
	}
	received := 0
	for range st.C {
		received++
	}
	var e *Error
	if err := st.Err(); !errors.As(err, &e) || e.Code != CodeTooSlow {
		t.Fatalf("stream ended with %v after %d events, want a %s *Error", err, received, CodeTooSlow)
	}
	if received == 0 {
		t.Fatal("no event came before the drop")
	}
}

func TestClientStreamErr(t *testing.T) {
	serve := func(body string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	drop, _ := json.Marshal(droppedEvent(3).Dropped)
	cases := []struct {
		name, body string
		code       string // "" for a nil Err
	}{
		{"too slow", ": subscribed\n\nevent: dropped\ndata: " + string(drop) + "\n\nevent: error\ndata: {\"code\":\"too_slow\",\"message\":\"fell behind\"}\n\n", CodeTooSlow},
		{"source ended", ": subscribed\n\nevent: error\ndata: {\"code\":\"unavailable\",\"message\":\"gone\"}\n\n", CodeUnavailable},
		{"garbled reason", ": subscribed\n\nevent: error\ndata: nonsense\n\n", CodeInternal},
		{"clean end", ": subscribed\n\nevent: dropped\ndata: " + string(drop) + "\n\n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := NewClient(serve(tc.body).URL, nil).Stream(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for range st.C {
			}
			err = st.Err()
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Err %v after a clean end, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("Err %v, want code %s", err, tc.code)
			}
		})
	}
	// A stream ended by its context reports nothing.
	svc := newFeedService()
	_, _, c := feedServer(t, svc, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	st, err := c.Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for range st.C {
	}
	if err := st.Err(); err != nil {
		t.Fatalf("Err %v after cancel, want nil", err)
	}
}

func TestSSEUpstreamEndTellsStreams(t *testing.T) {
	svc := &closingService{ch: make(chan Event)}
	_, _, c := feedServer(t, svc, ServerOptions{})
	st, err := c.Stream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	close(svc.ch)
	for range st.C {
	}
	var e *Error
	if err := st.Err(); !errors.As(err, &e) || e.Code != CodeUnavailable {
		t.Fatalf("Err %v when the service's events ended, want %s", err, CodeUnavailable)
	}
}

// closingService hands out one channel the test closes.
type closingService struct {
	Service
	ch chan Event
}

func (s *closingService) Subscribe(context.Context) (<-chan Event, error) { return s.ch, nil }

func TestSSEStreamOutlivesServerTimeouts(t *testing.T) {
	// Read and write timeouts far shorter than the stream: it must go on
	// past both, heartbeats and events alike.
	svc := newFeedService()
	const timeout = 50 * time.Millisecond
	h := NewServer(svc, ServerOptions{Heartbeat: 5 * time.Millisecond})
	srv := httptest.NewUnstartedServer(h)
	srv.Config = NewHTTPServer(h, HTTPOptions{ReadTimeout: timeout, WriteTimeout: timeout, ReadHeaderTimeout: timeout})
	srv.Start()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/events", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	buf := make([]byte, 4096)
	for time.Since(start) < 6*timeout {
		if _, err := resp.Body.Read(buf); err != nil {
			t.Fatalf("stream broke after %v (server timeouts %v): %v", time.Since(start), timeout, err)
		}
	}
	svc.publish(t, droppedEvent(9))
	var got []byte
	for !bytes.Contains(got, []byte("event: dropped")) {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("stream broke before the event: %v", err)
		}
		got = append(got, buf[:n]...)
	}
}
