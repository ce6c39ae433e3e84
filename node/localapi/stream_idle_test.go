package localapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cairn/node/api"
)

// TestStreamIdleTimeoutEndsASilentStream: a client that watches for idle
// streams keeps a stream that brings heartbeats, and ends, with an error
// that says so, one that goes silent (a connection that died without a
// FIN, which TCP notices only minutes later). Without the watch the same
// silent stream stays open.
func TestStreamIdleTimeoutEndsASilentStream(t *testing.T) {
	const idle = 300 * time.Millisecond
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, ": subscribed\n\n")
		w.(http.Flusher).Flush()
		// Heartbeats for three idle periods, then one event, then silence.
		ping := time.NewTicker(idle / 10)
		defer ping.Stop()
		for range 30 {
			select {
			case <-ping.C:
			case <-r.Context().Done():
				return
			}
			io.WriteString(w, ": ping\n\n")
			w.(http.Flusher).Flush()
		}
		io.WriteString(w, "event: dropped\ndata: {\"hash\":\"0x0000000000000000000000000000000000000000000000000000000000000001\",\"reason\":\"replaced\"}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := api.NewClient(srv.URL, nil).WithStreamIdleTimeout(idle).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev, ok := <-st.C:
		if !ok {
			t.Fatalf("a stream with heartbeats ended before its event: %v", st.Err())
		}
		if ev.Type != api.EventDropped || ev.Dropped.Reason != "replaced" {
			t.Fatalf("event %+v", ev)
		}
	case <-ctx.Done():
		t.Fatal("no event")
	}
	select {
	case _, ok := <-st.C:
		if ok {
			t.Fatal("an event after the last")
		}
	case <-ctx.Done():
		t.Fatal("a silent stream stayed open")
	}
	if err := st.Err(); err == nil || !strings.Contains(err.Error(), "no data for "+idle.String()) {
		t.Fatalf("silent stream ended with %v, want no data for %v", err, idle)
	}

	// Without the watch (the default), the stream is the caller's to end:
	// its context ends it, with no error.
	short, cancelShort := context.WithCancel(ctx)
	plain, err := api.NewClient(srv.URL, nil).Stream(short)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-plain.C:
		if ev.Type != api.EventDropped {
			t.Fatalf("event %+v", ev)
		}
	case <-ctx.Done():
		t.Fatal("no event without the watch")
	}
	cancelShort()
	if err := plain.Err(); err != nil {
		t.Fatalf("a stream ended by its context: %v", err)
	}
}
