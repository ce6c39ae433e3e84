package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSSEGroupCountsStreams(t *testing.T) {
	const event = "event: dropped\ndata: {\"hash\":\"0x01\",\"reason\":\"evicted\"}\n\n"
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/events" || r.URL.Query().Get("types") != "block,dropped" {
			http.NotFound(w, r)
			return
		}
		i := n.Add(1)
		if i > 3 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":"too_many_subscribers","message":"full"}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, ": subscribed\n\n"+event+": ping\n\n"+event)
		switch i {
		case 1: // dropped with a reason
			io.WriteString(w, "event: error\ndata: {\"code\":\"too_slow\",\"message\":\"behind\"}\n\n")
		case 2: // ends without one
		case 3: // held until the client leaves
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g, err := OpenSSE(ctx, srv.URL, 5, []string{"block", "dropped"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Wait, bounded, until the three streams have read their events and
	// the first two have ended.
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		ended := g.rep.DroppedTotal + g.rep.Broken
		var events uint64
		for _, s := range g.subs {
			events += s.events.Load()
		}
		g.mu.Unlock()
		if ended == 2 && events == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("streams not read: %d ended, %d events", ended, events)
		}
		time.Sleep(time.Millisecond)
	}
	rep := g.Close()
	if rep.Requested != 5 || rep.Opened != 3 || rep.RefusedTotal != 2 || rep.Refused["too_many_subscribers"] != 2 ||
		rep.DroppedTotal != 1 || rep.Dropped["too_slow"] != 1 || rep.Broken != 1 ||
		rep.Events != 6 || rep.MinEvents != 2 || rep.MaxEvents != 2 {
		t.Fatalf("report %+v", rep)
	}
	var b strings.Builder
	rep.writeText(&b)
	for _, want := range []string{"5 streams (block,dropped) requested: 3 opened, 2 refused (too_many_subscribers 2)", "1 dropped by the node (too_slow 1)", "1 broken", "6 events read"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report text %q lacks %q", b.String(), want)
		}
	}
}
