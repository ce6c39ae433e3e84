// Package logs keeps a node's recent log lines in memory and fans new ones
// out to subscribers, so the console can show the node's own logs while it
// owns the terminal.
package logs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"cairn/node/api"
)

// Line is one formatted log record: the API's view of a log line, so a
// console reads a Buffer without importing this package.
type Line = api.LogLine

// Buffer holds the last lines and the subscribers. The zero value is not
// ready: use NewBuffer.
type Buffer struct {
	mu    sync.Mutex
	lines []Line
	next  int // ring position once full
	full  bool
	subs  map[chan Line]struct{}
}

// NewBuffer keeps the last size lines.
func NewBuffer(size int) *Buffer {
	if size < 1 {
		size = 1
	}
	return &Buffer{lines: make([]Line, 0, size), subs: map[chan Line]struct{}{}}
}

func (b *Buffer) add(l Line) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.full && len(b.lines) < cap(b.lines) {
		b.lines = append(b.lines, l)
	} else {
		b.full = true
		b.lines[b.next] = l
		b.next = (b.next + 1) % len(b.lines)
	}
	for c := range b.subs {
		select {
		case c <- l:
		default: // a slow reader misses lines rather than stalling the node
		}
	}
}

// Recent returns the kept lines, oldest first.
func (b *Buffer) Recent() []Line {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Line, 0, len(b.lines))
	if b.full {
		out = append(out, b.lines[b.next:]...)
		return append(out, b.lines[:b.next]...)
	}
	return append(out, b.lines...)
}

// Subscribe returns a channel of new lines and a function that ends the
// subscription.
func (b *Buffer) Subscribe(buffer int) (<-chan Line, func()) {
	c := make(chan Line, max(buffer, 1))
	b.mu.Lock()
	b.subs[c] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return c, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, c)
			b.mu.Unlock()
		})
	}
}

// Handler returns a slog.Handler that records into b at level and above.
func (b *Buffer) Handler(level slog.Leveler) slog.Handler {
	return &handler{buf: b, level: level}
}

type handler struct {
	buf    *Buffer
	level  slog.Leveler
	prefix string // pre-rendered attrs from With
	group  string
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	sb.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&sb, h.group, a)
		return true
	})
	h.buf.add(Line{Time: r.Time, Level: r.Level, Message: r.Message, Attrs: strings.TrimSpace(sb.String())})
	return nil
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var sb strings.Builder
	sb.WriteString(h.prefix)
	for _, a := range attrs {
		writeAttr(&sb, h.group, a)
	}
	c := *h
	c.prefix = sb.String()
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}

func writeAttr(sb *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	key := a.Key
	if group != "" {
		key = group + "." + key
	}
	if a.Value.Kind() == slog.KindGroup {
		for _, ga := range a.Value.Group() {
			writeAttr(sb, key, ga)
		}
		return
	}
	v := a.Value.String()
	if strings.ContainsAny(v, " \"=") {
		v = fmt.Sprintf("%q", v)
	}
	sb.WriteString(key + "=" + v + " ")
}
