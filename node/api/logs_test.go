package api

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// wait bounds each wait of these tests on something that must happen.
const wait = 10 * time.Second

// fakeLogs is a LogSource that tells when a reader subscribes.
type fakeLogs struct {
	mu         sync.Mutex
	lines      []LogLine
	subs       map[chan LogLine]bool
	subscribed chan struct{}
}

func newFakeLogs(lines ...LogLine) *fakeLogs {
	return &fakeLogs{lines: lines, subs: map[chan LogLine]bool{}, subscribed: make(chan struct{}, 64)}
}

func (f *fakeLogs) Recent() []LogLine {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]LogLine(nil), f.lines...)
}

func (f *fakeLogs) Subscribe(n int) (<-chan LogLine, func()) {
	c := make(chan LogLine, n)
	f.mu.Lock()
	f.subs[c] = true
	f.mu.Unlock()
	f.subscribed <- struct{}{}
	return c, func() { f.mu.Lock(); delete(f.subs, c); f.mu.Unlock() }
}

func (f *fakeLogs) log(l LogLine) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, l)
	for c := range f.subs {
		select {
		case c <- l:
		default:
		}
	}
}

func (f *fakeLogs) awaitSubscriber(t *testing.T) {
	t.Helper()
	select {
	case <-f.subscribed:
	case <-time.After(wait):
		t.Fatal("no reader subscribed to the logs")
	}
}

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func line(i int, level slog.Level, msg string) LogLine {
	return LogLine{Time: t0.Add(time.Duration(i) * time.Second), Level: level, Message: msg, Attrs: "height=" + string(rune('0'+i%10))}
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestLogsRecent(t *testing.T) {
	src := newFakeLogs(line(1, slog.LevelInfo, "a"), line(2, slog.LevelWarn, "b"), line(3, slog.LevelError, "c"), line(4, slog.LevelWarn, "d"))
	srv := httptest.NewServer(NewServer(nil, ServerOptions{Logs: src}))
	defer srv.Close()
	var got logList
	if code := getJSON(t, srv.URL+"/v1/logs?level=warn&limit=2", &got); code != 200 || len(got.Lines) != 2 ||
		got.Lines[0].Message != "c" || got.Lines[1].Message != "d" || !got.Lines[1].Time.Equal(t0.Add(4*time.Second)) || got.Lines[1].Level != slog.LevelWarn {
		t.Fatalf("warn and above, the newest two: %d %+v", code, got)
	}
	if getJSON(t, srv.URL+"/v1/logs", &got); len(got.Lines) != 4 {
		t.Fatalf("all lines: %+v", got)
	}
	var e errorBody
	if code := getJSON(t, srv.URL+"/v1/logs?level=loud", &e); code != 400 || e.Error.Code != CodeBadRequest {
		t.Fatalf("a bad level: %d %+v", code, e.Error)
	}

	bare := httptest.NewServer(NewServer(nil, ServerOptions{}))
	defer bare.Close()
	for _, path := range []string{"/v1/logs", "/v1/logs/stream"} {
		if code := getJSON(t, bare.URL+path, &e); code != 404 || e.Error.Code != CodeNotFound || !strings.Contains(e.Error.Message, "does not serve its logs") {
			t.Fatalf("%s without a log source: %d %+v", path, code, e.Error)
		}
	}
}

func TestLogStreamDeliversNewLines(t *testing.T) {
	src := newFakeLogs()
	srv := httptest.NewServer(NewServer(nil, ServerOptions{Logs: src}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1/logs/stream?level=info")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	src.awaitSubscriber(t)
	src.log(line(1, slog.LevelDebug, "below the level"))
	src.log(line(2, slog.LevelInfo, "committed block"))
	got := make(chan LogLine, 1)
	go readLogLines(resp.Body, func(l LogLine) { got <- l })
	select {
	case l := <-got:
		if l.Message != "committed block" || l.Level != slog.LevelInfo {
			t.Fatalf("first line on the stream %+v, want the info line", l)
		}
	case <-time.After(wait):
		t.Fatal("no line arrived on the stream")
	}
}

func TestLogStreamsCapped(t *testing.T) {
	src := newFakeLogs()
	srv := httptest.NewServer(NewServer(nil, ServerOptions{Logs: src}))
	defer srv.Close()
	for i := 0; i < MaxLogStreams; i++ {
		resp, err := http.Get(srv.URL + "/v1/logs/stream")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream %d: %v %v", i, err, resp)
		}
		defer resp.Body.Close()
		src.awaitSubscriber(t)
	}
	var e errorBody
	if code := getJSON(t, srv.URL+"/v1/logs/stream", &e); code != 503 || e.Error.Code != CodeTooManySubscribers {
		t.Fatalf("one stream past the cap: %d %+v", code, e.Error)
	}
}

func TestReadLogLinesSkipsOtherFrames(t *testing.T) {
	in := ": hi\n\nevent: other\ndata: {}\n\nevent: log\ndata: {\"time\":\"2026-01-01T12:00:00Z\",\"level\":\"WARN\",\"message\":\"m\",\"attrs\":\"a=1\"}\n\n"
	var got []LogLine
	if err := readLogLines(bufio.NewReader(strings.NewReader(in)), func(l LogLine) { got = append(got, l) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Level != slog.LevelWarn || got[0].Attrs != "a=1" {
		t.Fatalf("lines %+v", got)
	}
}

// serveOn serves h on addr (a port a server just left) or fails.
func serveOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	var ln net.Listener
	var err error
	deadline := time.Now().Add(wait)
	for {
		if ln, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // the port is being released
	}
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	return srv
}

func recv(t *testing.T, c <-chan LogLine, what string) LogLine {
	t.Helper()
	select {
	case l, ok := <-c:
		if !ok {
			t.Fatalf("the channel closed waiting for %s", what)
		}
		return l
	case <-time.After(wait):
		t.Fatalf("no %s", what)
	}
	return LogLine{}
}

func TestRemoteLogsRideOutARestart(t *testing.T) {
	src := newFakeLogs(line(1, slog.LevelInfo, "kept"))
	srv := httptest.NewServer(NewServer(nil, ServerOptions{Logs: src}))
	addr := srv.Listener.Addr().String()
	client := NewClient(srv.URL, nil)
	logs, err := client.OpenLogs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r := logs.Recent(); len(r) != 1 || r[0].Message != "kept" {
		t.Fatalf("recent %+v", r)
	}
	lines, cancel := logs.Subscribe(16)
	src.awaitSubscriber(t)
	src.log(line(2, slog.LevelInfo, "before"))
	if l := recv(t, lines, "line before the restart"); l.Message != "before" {
		t.Fatalf("got %+v", l)
	}

	srv.CloseClientConnections()
	srv.Close()
	// The node comes back with what it logged meanwhile, and logs more.
	src2 := newFakeLogs(line(1, slog.LevelInfo, "kept"), line(2, slog.LevelInfo, "before"), line(3, slog.LevelWarn, "while away"))
	srv = serveOn(t, addr, NewServer(nil, ServerOptions{Logs: src2}))
	defer srv.Close()
	src2.awaitSubscriber(t)
	if l := recv(t, lines, "line logged while the stream was down"); l.Message != "while away" {
		t.Fatalf("caught up with %+v, want only the line not seen", l)
	}
	src2.log(line(4, slog.LevelInfo, "after"))
	if l := recv(t, lines, "line after the restart"); l.Message != "after" {
		t.Fatalf("got %+v", l)
	}
	cancel()
	if _, ok := <-lines; ok {
		t.Fatal("the channel stays open after cancel")
	}
	cancel() // twice is fine
}
