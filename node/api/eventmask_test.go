package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"cairn/node/api/apitest"

	"github.com/ethereum/go-ethereum/common"
)

func TestParseEventTypes(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  eventMask
	}{
		{"", maskAll},
		{"types=", maskAll},
		{"types=block", maskBlock},
		{"types=tx,dropped", maskTx | maskDropped},
		{"types=block&types=tx", maskBlock | maskTx},
		{"types=%20block%20,,dropped", maskBlock | maskDropped},
		{"types=block,tx,dropped", maskAll},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		got, perr := parseEventTypes(q)
		if perr != nil || got != tc.want {
			t.Errorf("%q: %b, %v; want %b", tc.query, got, perr, tc.want)
		}
	}
	for _, bad := range []string{"types=blocks", "types=block,TX", "types=head"} {
		q, _ := url.ParseQuery(bad)
		if _, perr := parseEventTypes(q); perr == nil || perr.Code != CodeBadRequest {
			t.Errorf("%q: %v, want a bad_request error", bad, perr)
		}
	}
}

// blockEvent is a block event whose height carries n.
func blockEvent(n int) Event {
	return Event{Type: EventBlock, Block: &Block{Height: uint64(n), Transactions: []common.Hash{}}}
}

// txEvent is a tx event whose nonce carries n.
func txEvent(n int) Event {
	return Event{Type: EventTx, Tx: &Tx{Status: TxPending, Nonce: uint64(n)}}
}

// describe names an event by its type and number, for comparing streams.
func describe(ev Event) string {
	switch ev.Type {
	case EventBlock:
		return fmt.Sprintf("block %d", ev.Block.Height)
	case EventTx:
		return fmt.Sprintf("tx %d", ev.Tx.Nonce)
	default:
		return fmt.Sprintf("%s %d", ev.Type, eventNumber(ev))
	}
}

func TestSSEStreamsTheTypesAskedFor(t *testing.T) {
	svc := newFeedService()
	h, _, c := feedServer(t, svc, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	asks := [][]string{nil, {EventBlock}, {EventTx}, {EventTx, EventDropped}, {EventDropped}}
	streams := make([]*EventStream, len(asks))
	for i, types := range asks {
		st, err := c.Stream(ctx, types...)
		if err != nil {
			t.Fatal(err)
		}
		streams[i] = st
	}
	// One batch of tx and dropped events cut by a block, then a batch of
	// tx events alone (the block ends the first batch at once; the second
	// goes out after the hub's linger).
	published := []Event{txEvent(1), droppedEvent(2), txEvent(3), blockEvent(4), txEvent(5)}
	for _, ev := range published {
		svc.publish(t, ev)
	}
	for i, types := range asks {
		mask := maskAll
		if types != nil {
			mask = 0
			for _, typ := range types {
				mask |= maskOf(typ)
			}
		}
		for _, ev := range published {
			if maskOf(ev.Type)&mask == 0 {
				continue
			}
			if got := apitest.Wait(t, streams[i].C, describe(ev)); describe(got) != describe(ev) {
				t.Fatalf("stream of %v: got %s, want %s", types, describe(got), describe(ev))
			}
		}
	}
	// The block is the newest event of a block-only stream: nothing else
	// came on it.
	svc.publish(t, blockEvent(6))
	if got := apitest.Wait(t, streams[1].C, "block 6"); describe(got) != "block 6" {
		t.Fatalf("block-only stream: got %s after block 4, want block 6", describe(got))
	}
	if n := h.encoded.Load(); n != uint64(len(published)+1) {
		t.Fatalf("%d events encoded for %d streams of different types, want %d (once each)", n, len(asks), len(published)+1)
	}
}

func TestSSETxStreamCap(t *testing.T) {
	svc := newFeedService()
	h, srv, c := feedServer(t, svc, ServerOptions{MaxSubscribers: 3, MaxTxSubscribers: 1})
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	if _, err := c.Stream(ctx1); err != nil { // every type: takes the one tx slot
		t.Fatal(err)
	}
	var e *Error
	// A stream let in by mistake must not outlive the test.
	refusedCtx, cancelRefused := context.WithCancel(context.Background())
	defer cancelRefused()
	for _, types := range [][]string{nil, {EventTx}, {EventBlock, EventTx}} {
		if _, err := c.Stream(refusedCtx, types...); !errors.As(err, &e) || e.Status != 503 || e.Code != CodeTooManySubscribers {
			t.Fatalf("a second stream with tx events (%v): %v, want a 503 %s *Error", types, err, CodeTooManySubscribers)
		}
	}
	// Streams without tx events still fit, up to the cap on all streams.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	for _, types := range [][]string{{EventBlock}, {EventBlock, EventDropped}} {
		if _, err := c.Stream(ctx2, types...); err != nil {
			t.Fatalf("a stream of %v beside the tx stream: %v", types, err)
		}
	}
	if _, err := c.Stream(refusedCtx, EventBlock); !errors.As(err, &e) || e.Code != CodeTooManySubscribers {
		t.Fatalf("a fourth stream past MaxSubscribers 3: %v, want %s", err, CodeTooManySubscribers)
	}
	// The tx stream leaves: its slot is free again.
	cancel1()
	eventually(t, "the tx stream to leave", func() bool { return h.subscribers() == 2 })
	ctx3, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	st, err := c.Stream(ctx3, EventTx)
	if err != nil {
		t.Fatalf("a tx stream after the first left: %v", err)
	}
	svc.publish(t, txEvent(9))
	if got := apitest.Wait(t, st.C, "tx 9"); describe(got) != "tx 9" {
		t.Fatalf("got %s, want tx 9", describe(got))
	}

	// Unknown types are refused before any slot is taken.
	resp, err := http.Get(srv.URL + "/v1/events?types=block,head")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	apitest.WantError(t, resp.StatusCode, body, http.StatusBadRequest, CodeBadRequest)
	if n := h.subscribers(); n != 3 {
		t.Fatalf("%d streams after a refused request, want 3", n)
	}
}

func TestBatchCutsOncePerTypes(t *testing.T) {
	var b batch
	for _, ev := range []Event{txEvent(1), droppedEvent(2), blockEvent(3)} {
		if err := b.add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.add(Event{Type: "head"}); err == nil || b.len() != 3 {
		t.Fatalf("an unknown event type: %v, %d events; want an error and the batch unchanged", err, b.len())
	}
	all, n := b.frame(maskAll)
	if n != 3 || string(all) != b.buf.String() {
		t.Fatalf("full frame: %d events, want 3 and the whole batch", n)
	}
	tx1, n1 := b.frame(maskTx | maskBlock)
	tx2, _ := b.frame(maskTx | maskBlock)
	if n1 != 2 || &tx1[0] != &tx2[0] {
		t.Fatalf("tx+block frame: %d events (want 2), cut twice: %v", n1, &tx1[0] != &tx2[0])
	}
	var got []string
	if err := readEvents(bytes.NewReader(tx1), func(ev Event) bool { got = append(got, describe(ev)); return true }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[tx 1 block 3]" {
		t.Fatalf("tx+block frame holds %v", got)
	}
	b.reset()
	b.add(blockEvent(4))
	if f, n := b.frame(maskDropped); f != nil || n != 0 {
		t.Fatalf("a dropped-only stream gets %d events of a block-only batch", n)
	}
}
