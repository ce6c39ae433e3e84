package api

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// LogSource is where the server reads the node's own log lines: the
// node's in-memory buffer (cairn/node/logs.Buffer). The lines are what the
// node logs at its level (heights, hashes, peers, errors); the node logs
// no keys or passwords, and must not: whoever reaches the API address
// reads them.
type LogSource interface {
	// Recent returns the lines kept, oldest first.
	Recent() []LogLine
	// Subscribe returns a channel of new lines (a slow reader misses
	// some) and a function that ends the subscription.
	Subscribe(buffer int) (<-chan LogLine, func())
}

// Bounds of the log endpoints: GET /v1/logs answers at most MaxLogLines
// lines (DefaultLogLines without a limit), and the server streams the logs
// to at most MaxLogStreams clients at once, each with a queue of
// logStreamQueue lines (a client that falls further behind misses lines,
// as the console's own reader does, rather than slowing the node).
const (
	MaxLogLines     = 2000
	DefaultLogLines = 500
	MaxLogStreams   = 8
	logStreamQueue  = 1024
)

// EventLog is the SSE event name of a line on GET /v1/logs/stream.
const EventLog = "log"

// logList is the body of GET /v1/logs.
type logList struct {
	Lines []LogLine `json:"lines"`
}

// noLogs is the answer of a server without a LogSource.
func noLogs() *Error {
	return NotFound("this node does not serve its logs over the API: read them where it runs")
}

// parseLevel reads ?level= (a slog level name such as info or WARN+2;
// everything when absent).
func parseLevel(q url.Values) (slog.Level, error) {
	l := slog.Level(-1 << 10)
	if v := q.Get("level"); v != "" {
		if err := l.UnmarshalText([]byte(v)); err != nil {
			return 0, BadRequest("level %q: want debug, info, warn or error", v)
		}
	}
	return l, nil
}

// logs answers GET /v1/logs: the newest lines kept, oldest first.
func (s *server) logs(w http.ResponseWriter, r *http.Request) error {
	if s.opts.Logs == nil {
		return noLogs()
	}
	q := r.URL.Query()
	level, err := parseLevel(q)
	if err != nil {
		return err
	}
	limit := DefaultLogLines
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return BadRequest("limit %q: want a positive number", v)
		}
		limit = min(n, MaxLogLines)
	}
	lines := []LogLine{}
	for _, l := range s.opts.Logs.Recent() {
		if l.Level >= level {
			lines = append(lines, l)
		}
	}
	if len(lines) > limit {
		lines = lines[len(lines)-limit:]
	}
	return s.writeJSON(w, r, logList{Lines: lines})
}

// logStream answers GET /v1/logs/stream: new lines as server-sent events
// ("event: log", the line's JSON as data), with heartbeats, until the
// client goes away.
func (s *server) logStream(w http.ResponseWriter, r *http.Request) error {
	if s.opts.Logs == nil {
		return noLogs()
	}
	level, err := parseLevel(r.URL.Query())
	if err != nil {
		return err
	}
	select {
	case s.logSlots <- struct{}{}:
		defer func() { <-s.logSlots }()
	default:
		w.Header().Set("Connection", "close")
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeTooManySubscribers,
			Message: fmt.Sprintf("the node streams its logs to %d clients at most: retry later", MaxLogStreams)}
	}
	lines, stop := s.opts.Logs.Subscribe(logStreamQueue)
	defer stop()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // as for GET /v1/events
	_ = rc.SetWriteDeadline(time.Now().Add(s.opts.StreamWriteTimeout))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, ": subscribed\n\n"); err != nil || rc.Flush() != nil {
		return nil
	}
	beat := time.NewTicker(s.opts.Heartbeat)
	defer beat.Stop()
	for {
		var frame []byte
		select {
		case <-r.Context().Done():
			return nil
		case <-beat.C:
			frame = []byte(": heartbeat\n\n")
		case l, ok := <-lines:
			if !ok {
				return nil
			}
			if l.Level < level {
				continue
			}
			data, err := json.Marshal(l)
			if err != nil {
				return nil
			}
			frame = fmt.Appendf(nil, "event: %s\ndata: %s\n\n", EventLog, data)
		}
		_ = rc.SetWriteDeadline(time.Now().Add(s.opts.StreamWriteTimeout))
		if _, err := w.Write(frame); err != nil || rc.Flush() != nil {
			return nil
		}
	}
}
