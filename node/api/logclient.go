package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Backoff of RemoteLogs.Subscribe between attempts to reach the node.
const (
	logRetryMin = 250 * time.Millisecond
	logRetryMax = 5 * time.Second
)

// RemoteLogs is a node's own log lines over its API (GET /v1/logs and
// GET /v1/logs/stream): what the console's Logs screen reads when attached
// to a node in another process. It is safe for concurrent use.
type RemoteLogs struct {
	c *Client

	mu     sync.Mutex
	primed []LogLine // the lines OpenLogs fetched, for the first Recent
}

// OpenLogs fetches the node's recent log lines, so a node that does not
// serve them (an *Error with CodeNotFound) is known before a screen asks,
// and returns the node's logs over the API.
func (c *Client) OpenLogs(ctx context.Context) (*RemoteLogs, error) {
	lines, err := c.RecentLogs(ctx, MaxLogLines)
	if err != nil {
		return nil, err
	}
	return &RemoteLogs{c: c, primed: lines}, nil
}

// RecentLogs fetches GET /v1/logs: the newest limit lines the node kept
// (the server's default for limit <= 0), oldest first.
func (c *Client) RecentLogs(ctx context.Context, limit int) ([]LogLine, error) {
	path := "/v1/logs"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	out, err := fetch[logList](ctx, c, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return out.Lines, nil
}

// Recent returns the lines the node kept, oldest first: those OpenLogs
// fetched the first time, a new request after (nil when it fails, bounded
// by the client's timeout).
func (l *RemoteLogs) Recent() []LogLine {
	l.mu.Lock()
	lines := l.primed
	l.primed = nil
	l.mu.Unlock()
	if lines != nil {
		return lines
	}
	ctx, cancel := context.WithTimeout(context.Background(), logRetryMax*2)
	defer cancel()
	lines, _ = l.c.RecentLogs(ctx, MaxLogLines)
	return lines
}

// Subscribe returns a channel of the node's new log lines and a function
// that ends the subscription and closes the channel. The channel outlives
// the node's going away: the subscription reconnects by itself, with
// backoff, and on reconnecting first delivers the lines the node logged
// since the last one seen (those it still keeps). A reader that falls
// behind buffer lines misses some.
func (l *RemoteLogs) Subscribe(buffer int) (<-chan LogLine, func()) {
	out := make(chan LogLine, max(buffer, 1))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.follow(ctx, out)
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() {
			cancel()
			<-done
			close(out)
		})
	}
}

// follow streams lines into out, reconnecting until ctx ends.
func (l *RemoteLogs) follow(ctx context.Context, out chan<- LogLine) {
	var last time.Time // the newest line delivered
	first := true
	wait := logRetryMin
	for ctx.Err() == nil {
		// Why a stream failed is not this reader's to show: the console
		// tells a lost connection from its event stream.
		delivered, _ := l.stream(ctx, out, &last, !first)
		first = false
		if ctx.Err() != nil {
			return
		}
		if delivered {
			wait = logRetryMin // it worked for a while: retry soon
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(wait*2, logRetryMax)
	}
}

// stream opens one GET /v1/logs/stream and delivers its lines until it
// ends. With catchUp, once subscribed it first delivers the kept lines
// newer than *last, the ones logged while the stream was down. It reports
// whether it delivered anything.
func (l *RemoteLogs) stream(ctx context.Context, out chan<- LogLine, last *time.Time, catchUp bool) (bool, error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, l.c.base+"/v1/logs/stream", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	hc := *l.c.hc
	hc.Timeout = 0 // a stream lasts as long as ctx
	resp, err := hc.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, responseError(resp)
	}
	var body io.Reader = resp.Body
	if l.c.idle > 0 {
		watch := time.AfterFunc(l.c.idle, cancel)
		defer watch.Stop()
		body = &idleReader{r: resp.Body, t: watch, d: l.c.idle}
	}
	delivered := false
	give := func(ln LogLine) {
		if !ln.Time.After(*last) {
			return // seen already (caught up from the kept lines)
		}
		*last = ln.Time
		delivered = true
		select {
		case out <- ln:
		default: // a slow reader misses lines, as with the node's own buffer
		}
	}
	if catchUp {
		if kept, err := l.c.RecentLogs(rctx, MaxLogLines); err == nil {
			for _, ln := range kept {
				give(ln)
			}
		}
	}
	return delivered, readLogLines(body, give)
}

// readLogLines parses a log stream and calls give for each line.
func readLogLines(r io.Reader, give func(LogLine)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 16<<10), 1<<20)
	var name string
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if name == EventLog && len(data) > 0 {
				var ln LogLine
				if err := json.Unmarshal(data, &ln); err != nil {
					return fmt.Errorf("decode log line: %w", err)
				}
				give(ln)
			}
			name, data = "", data[:0]
		case line[0] == ':':
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			switch string(field) {
			case "event":
				name = string(value)
			case "data":
				data = append(data, value...)
			}
		}
	}
	return sc.Err()
}
