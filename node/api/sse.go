package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// EventError is the SSE event name of the frame the server writes before
// it ends a stream on its own: its data is an Error ({"code","message"},
// not wrapped in {"error":…}), with code too_slow for a reader that fell
// behind, unavailable when the node's event source ended. The Go client
// returns it as an *Error rather than an event.
const EventError = "error"

// events streams the node's events as server-sent events: "event: block",
// "event: tx" and "event: dropped" (or those the types parameter names),
// each with the JSON view as its data, with a comment line as heartbeat. Every stream is fed by the server's
// one broadcaster (see hub), which encodes each event once. It ends when
// the client goes away, or, after an "event: error" frame, when the
// client falls too far behind.
func (s *server) events(w http.ResponseWriter, r *http.Request) error {
	mask, perr := parseEventTypes(r.URL.Query())
	if perr != nil {
		return perr
	}
	sub, err := s.hub.join(mask)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Code == CodeTooManySubscribers {
			// Free the connection too: a refused subscriber tends to
			// come back, and connections are capped as well.
			w.Header().Set("Connection", "close")
		}
		return err
	}
	defer s.hub.leave(sub)
	rc := http.NewResponseController(w)
	// The server's read timeout would cancel the request's context while
	// the stream runs (its background read times out); lift it. Its write
	// timeout would cut the stream: each write gets its own deadline
	// instead. Not every ResponseWriter supports deadlines, which is fine.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(s.opts.StreamWriteTimeout))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, ": subscribed\n\n"); err != nil {
		return nil
	}
	if err := rc.Flush(); err != nil {
		s.log.Warn("event stream: response cannot be flushed", "err", err)
		return nil
	}
	var frames [][]byte
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-sub.wake:
		}
		var reason *Error
		frames, reason = sub.take(frames[:0])
		_ = rc.SetWriteDeadline(time.Now().Add(s.opts.StreamWriteTimeout))
		if reason != nil {
			if reason.Code == CodeTooSlow {
				s.log.Info("event stream: dropped a subscriber that fell behind", "remote", r.RemoteAddr)
			}
			// What was still queued is dropped: the reason goes out now.
			_, _ = w.Write(errorFrame(reason))
			_ = rc.Flush()
			return nil
		}
		for i, f := range frames {
			if _, err := w.Write(f); err != nil {
				return nil
			}
			frames[i] = nil
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// writeEvent writes one event in SSE form. JSON has no raw newlines, so the
// data fits one data line.
func writeEvent(w *bytes.Buffer, ev Event) error {
	var payload any
	switch ev.Type {
	case EventBlock:
		payload = ev.Block
	case EventTx:
		payload = ev.Tx
	case EventDropped:
		payload = ev.Dropped
	default:
		return fmt.Errorf("unknown event type %q", ev.Type)
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, data)
	return nil
}

// errorFrame is the "event: error" frame for e.
func errorFrame(e *Error) []byte {
	data, err := json.Marshal(e)
	if err != nil {
		data = []byte(`{"code":"internal","message":"cannot encode error"}`)
	}
	return fmt.Appendf(nil, "event: %s\ndata: %s\n\n", EventError, data)
}

// maxEventBytes bounds one event on the stream a client reads (a block
// event lists every transaction hash of the block).
const maxEventBytes = 32 << 20

// readEvents parses an SSE stream and calls emit for each event the API
// knows, until the stream ends or emit returns false. Comments, ids, retry
// hints and unknown event types are skipped. An "event: error" frame ends
// it with that *Error (Status left zero: it came after a 200).
func readEvents(r io.Reader, emit func(Event) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEventBytes)
	var name string
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			if len(data) > 0 {
				if name == EventError {
					return decodeStreamError(data)
				}
				ev, err := decodeEvent(name, data)
				if err != nil {
					return err
				}
				if ev != nil && !emit(*ev) {
					return nil
				}
			}
			name, data = "", data[:0]
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			name = string(value)
		case "data":
			if len(data) > 0 {
				data = append(data, '\n')
			}
			data = append(data, value...)
		}
	}
	return sc.Err()
}

// decodeStreamError decodes the data of an "event: error" frame; one that
// does not parse still ends the stream with an error that shows it.
func decodeStreamError(data []byte) *Error {
	var e Error
	if err := json.Unmarshal(data, &e); err != nil || e.Code == "" {
		msg := string(data)
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return &Error{Code: CodeInternal, Message: "the node ended the event stream: " + msg}
	}
	return &e
}

// decodeEvent decodes the data of a named event; nil for names the API
// does not define.
func decodeEvent(name string, data []byte) (*Event, error) {
	ev := &Event{Type: name}
	var target any
	switch name {
	case EventBlock:
		ev.Block = new(Block)
		target = ev.Block
	case EventTx:
		ev.Tx = new(Tx)
		target = ev.Tx
	case EventDropped:
		ev.Dropped = new(DroppedTx)
		target = ev.Dropped
	default:
		return nil, nil
	}
	if err := json.Unmarshal(data, target); err != nil {
		return nil, fmt.Errorf("decode %s event: %w", name, err)
	}
	return ev, nil
}
