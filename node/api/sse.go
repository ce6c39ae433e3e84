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

// events streams the node's events as server-sent events: "event: block",
// "event: tx" and "event: dropped", each with the JSON view as its data,
// flushed one by one, with a comment line as heartbeat. It ends when the
// client goes away.
func (s *server) events(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.svc.Subscribe(r.Context())
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	// A server-wide write timeout would cut the stream; lift it for this
	// response (not every ResponseWriter supports that, which is fine).
	_ = rc.SetWriteDeadline(time.Time{})
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
	beat := time.NewTicker(s.opts.Heartbeat)
	defer beat.Stop()
	var buf bytes.Buffer
	for {
		select {
		case <-r.Context().Done():
			return nil
		case ev, ok := <-ch:
			if !ok {
				return nil
			}
			buf.Reset()
			if err := writeEvent(&buf, ev); err != nil {
				s.log.Warn("event stream: cannot encode event", "type", ev.Type, "err", err)
				continue
			}
			if _, err := w.Write(buf.Bytes()); err != nil {
				return nil
			}
		case <-beat.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return nil
			}
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

// maxEventBytes bounds one event on the stream a client reads (a block
// event lists every transaction hash of the block).
const maxEventBytes = 32 << 20

// readEvents parses an SSE stream and calls emit for each event the API
// knows, until the stream ends or emit returns false. Comments, ids, retry
// hints and unknown event types are skipped.
func readEvents(r io.Reader, emit func(Event) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEventBytes)
	var name string
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			if len(data) > 0 {
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
