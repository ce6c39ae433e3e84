package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The hub hands events out in batches: from the first event of a batch
// it collects what else arrives for up to batchLinger, cut at
// maxBatchEvents or maxBatchBytes, or by a block event (which goes out at
// once). Under load that is one wake-up, write and flush per stream per
// batch instead of per event: at 4,000 tx/s, 10 a second instead of 4,000,
// which more than halves the node's cost of a stream. The price is at most
// batchLinger of added latency on tx and dropped events.
const (
	batchLinger    = 100 * time.Millisecond
	maxBatchEvents = 1024
	maxBatchBytes  = 512 << 10
)

var pingFrame = []byte(": ping\n\n")

// hub is a server's one subscriber to its Service's events: it encodes
// each event once into its SSE frame and hands the same bytes to every
// event stream. It subscribes when the first stream joins and lets go
// when the last one leaves.
//
// Handing out never blocks: each stream has a bounded queue, and a stream
// whose queue is full is dropped (told why, then closed) rather than
// waited for, so no reader can slow the node's events for the others or
// for block production.
type hub struct {
	svc        Service
	log        *slog.Logger
	max        int           // streams at most
	maxTx      int           // streams taking tx events at most
	queue      int           // events a stream may have waiting
	queueBytes int           // bytes a stream may have waiting
	heartbeat  time.Duration // interval of ": ping" comments

	mu     sync.Mutex
	subs   map[*hubSub]struct{}
	txSubs int       // streams in subs that take tx events
	up     *upstream // the live subscription to svc, nil when none

	encoded atomic.Uint64 // events encoded (once each, whatever the number of streams)
	dropped atomic.Uint64 // streams dropped for falling behind
}

// upstream is one subscription of the hub to its Service.
type upstream struct {
	cancel context.CancelFunc
}

// hubSub is one event stream's queue of frames.
type hubSub struct {
	wake chan struct{} // has a value when there is something to take
	mask eventMask     // the event types the stream asked for

	mu     sync.Mutex
	frames [][]byte // shared with the other streams: never written to
	events int      // events (and pings) in frames
	bytes  int      // bytes in frames
	reason *Error   // set when the hub has dropped this stream
}

func newHub(svc Service, opts ServerOptions, log *slog.Logger) *hub {
	return &hub{
		svc: svc, log: log, max: opts.MaxSubscribers, maxTx: opts.MaxTxSubscribers, queue: opts.SubscriberQueue,
		queueBytes: opts.SubscriberQueueBytes, heartbeat: opts.Heartbeat,
		subs: map[*hubSub]struct{}{},
	}
}

// join adds an event stream taking the event types of mask, subscribing
// to the service if it is the first. Past a cap it fails with 503
// too_many_subscribers: the cap on all streams, or the lower one on
// streams that take tx events (under load nearly all the bytes: one event
// per admitted transaction, where a block is one event a block). Every
// event of its types the service publishes after join returns reaches the
// stream (unless it is dropped).
func (h *hub) join(mask eventMask) (*hubSub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) >= h.max {
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeTooManySubscribers,
			Message: fmt.Sprintf("the node serves at most %d event streams at once; retry later", h.max)}
	}
	takesTx := mask&maskTx != 0
	if takesTx && h.txSubs >= h.maxTx {
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeTooManySubscribers,
			Message: fmt.Sprintf("the node serves at most %d event streams with tx events at once; "+
				"retry later, or ask for fewer types (types=block,dropped)", h.maxTx)}
	}
	if h.up == nil {
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := h.svc.Subscribe(ctx)
		if err != nil {
			cancel()
			return nil, err
		}
		up := &upstream{cancel: cancel}
		h.up = up
		go h.run(ctx, up, ch)
	}
	s := &hubSub{wake: make(chan struct{}, 1), mask: mask}
	h.subs[s] = struct{}{}
	if takesTx {
		h.txSubs++
	}
	return s, nil
}

// leave removes a stream (dropped or not); the last one out ends the
// subscription to the service.
func (h *hub) leave(s *hubSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
	h.stopIfIdleLocked()
}

// removeLocked takes s out of the streams, once.
func (h *hub) removeLocked(s *hubSub) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	if s.mask&maskTx != 0 {
		h.txSubs--
	}
}

func (h *hub) stopIfIdleLocked() {
	if len(h.subs) == 0 && h.up != nil {
		h.up.cancel()
		h.up = nil
	}
}

// subscribers is how many streams are joined.
func (h *hub) subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// run reads the service's events for one upstream, encodes each once,
// batches them and hands them out, with heartbeats in between.
func (h *hub) run(ctx context.Context, up *upstream, ch <-chan Event) {
	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	linger := time.NewTimer(batchLinger)
	linger.Stop()
	var b batch
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			h.fanout(up, pingEveryone)
		case ev, ok := <-ch:
			if !ok {
				h.ended(up)
				return
			}
			b.reset()
			h.encode(&b, ev)
			open, last := true, ev.Type == EventBlock
			linger.Reset(batchLinger)
		collect:
			for !last && b.len() < maxBatchEvents && b.buf.Len() < maxBatchBytes {
				select {
				case ev, ok := <-ch:
					if !ok {
						open = false
						break collect
					}
					h.encode(&b, ev)
					last = ev.Type == EventBlock
				case <-linger.C:
					break collect
				case <-ctx.Done():
					return
				}
			}
			linger.Stop()
			if b.len() > 0 {
				h.fanout(up, b.frame)
			}
			if !open {
				h.ended(up)
				return
			}
			if b.buf.Cap() > 4*maxBatchBytes {
				b = batch{} // don't keep a huge block's buffer
			}
		}
	}
}

// encode adds ev to b and counts it; an event that cannot be encoded is
// logged and left out.
func (h *hub) encode(b *batch, ev Event) {
	if err := b.add(ev); err != nil {
		h.log.Warn("event stream: cannot encode event", "type", ev.Type, "err", err)
		return
	}
	h.encoded.Add(1)
}

// pingEveryone is the heartbeat's frame for a stream of any types.
func pingEveryone(eventMask) ([]byte, int) { return pingFrame, 1 }

// fanout queues on every stream of up the frame frameFor gives for the
// stream's event types (n events; none when n is 0); a stream with no
// room is dropped.
func (h *hub) fanout(up *upstream, frameFor func(eventMask) (frame []byte, n int)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.up != up {
		return // a subscription being torn down; a newer one serves the streams
	}
	for s := range h.subs {
		frame, n := frameFor(s.mask)
		if n == 0 {
			continue
		}
		if !s.push(frame, n, h.queue, h.queueBytes) {
			h.removeLocked(s)
			h.dropped.Add(1)
			s.end(&Error{Code: CodeTooSlow, Message: fmt.Sprintf(
				"this event stream fell more than %d events or %d bytes behind and was dropped; reconnect, and read faster",
				h.queue, h.queueBytes)})
		}
	}
	h.stopIfIdleLocked()
}

// ended ends every stream of up when the service closed its channel by
// itself.
func (h *hub) ended(up *upstream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.up != up {
		return
	}
	for s := range h.subs {
		h.removeLocked(s)
		s.end(&Error{Code: CodeUnavailable, Message: "the node's event source ended; reconnect"})
	}
	h.up.cancel()
	h.up = nil
}

// push queues a frame of n events; false if the queue has no room. An
// empty queue takes any frame, however large.
func (s *hubSub) push(frame []byte, n, maxEvents, maxBytes int) bool {
	s.mu.Lock()
	if s.reason != nil {
		s.mu.Unlock()
		return true
	}
	if len(s.frames) > 0 && (s.events+n > maxEvents || s.bytes+len(frame) > maxBytes) {
		s.mu.Unlock()
		return false
	}
	s.frames = append(s.frames, frame)
	s.events += n
	s.bytes += len(frame)
	s.mu.Unlock()
	s.signal()
	return true
}

// end marks the stream dropped with reason and discards its queue.
func (s *hubSub) end(reason *Error) {
	s.mu.Lock()
	s.reason = reason
	s.frames, s.events, s.bytes = nil, 0, 0
	s.mu.Unlock()
	s.signal()
}

func (s *hubSub) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take appends the queued frames to dst and empties the queue, or returns
// the reason the stream was dropped.
func (s *hubSub) take(dst [][]byte) ([][]byte, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reason != nil {
		return dst, s.reason
	}
	dst = append(dst, s.frames...)
	if cap(s.frames) > 256 {
		s.frames = nil
	} else {
		clear(s.frames)
		s.frames = s.frames[:0]
	}
	s.events, s.bytes = 0, 0
	return dst, nil
}
