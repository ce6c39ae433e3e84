package api

import (
	"bufio"
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/params"
)

// sseLines opens /v1/events and returns its lines on a channel.
func sseLines(t *testing.T, f *fixture) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/v1/events", nil)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// nextEvent reads lines up to the next event and returns its name and data.
func nextEvent(t *testing.T, lines <-chan string) (string, map[string]any) {
	t.Helper()
	var name, data string
	for {
		line := wait(t, lines, "an SSE line")
		switch {
		case line == "" && data != "":
			return name, jsonMap(t, []byte(data))
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func TestSSEStreamsTxAndBlock(t *testing.T) {
	f := newFixture(t)
	lines := sseLines(t, f)
	if first := wait(t, lines, "the subscribed comment"); !strings.HasPrefix(first, ":") {
		t.Fatalf("first line %q, want a comment", first)
	}
	tx := f.dynTx(key0, 0, &addr1, big.NewInt(1), params.TxGas, nil)
	f.send(tx)
	name, data := nextEvent(t, lines)
	if name != EventTx || data["hash"] != tx.Hash().Hex() || data["status"] != TxPending {
		t.Fatalf("event %q %v, want the pending tx", name, data)
	}
	checkShape(t, "tx event", data, dynTxShape)

	b := f.produce()
	name, data = nextEvent(t, lines)
	if name != EventBlock || data["height"] != float64(1) || data["hash"] != b.Hash().Hex() {
		t.Fatalf("event %q %v, want block 1", name, data)
	}
	checkShape(t, "block event", data, blockShape)
	if txs := data["transactions"].([]any); len(txs) != 1 || txs[0] != tx.Hash().Hex() {
		t.Fatalf("block event transactions %v", txs)
	}
}

func TestSSEHeartbeat(t *testing.T) {
	f := newFixture(t, fixtureOptions{server: func(o *ServerOptions) { o.Heartbeat = time.Millisecond }})
	lines := sseLines(t, f)
	wait(t, lines, "the subscribed comment")
	for {
		if line := wait(t, lines, "a heartbeat"); line == ": ping" {
			return
		}
	}
}

// ctxRecorder passes Subscribe on and hands the request's context to the
// test, to see when the server lets go of it.
type ctxRecorder struct {
	Service
	ctxs chan context.Context
}

func (r ctxRecorder) Subscribe(ctx context.Context) (<-chan Event, error) {
	r.ctxs <- ctx
	return r.Service.Subscribe(ctx)
}

func TestSSEEndsWhenClientLeaves(t *testing.T) {
	f := newFixture(t)
	rec := ctxRecorder{Service: f.local, ctxs: make(chan context.Context, 1)}
	srv := httptest.NewServer(NewServer(rec, ServerOptions{}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	ch, err := NewClient(srv.URL, nil).Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	serverCtx := wait(t, rec.ctxs, "the server's subscription")
	cancel()
	select {
	case <-serverCtx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not notice the client left")
	}
	// The client's channel closes too.
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(10 * time.Second):
		t.Fatal("client channel not closed after cancel")
	}
}

func TestClientSubscribe(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := f.client.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx := f.dynTx(key0, 0, &addr1, big.NewInt(1), params.TxGas, nil)
	raw, _ := tx.MarshalBinary()
	if _, err := f.client.SendRawTx(ctx, raw); err != nil {
		t.Fatal(err)
	}
	ev := wait(t, ch, "tx event")
	if ev.Type != EventTx || ev.Tx == nil || ev.Tx.Hash != tx.Hash() || ev.Tx.From != addr0 {
		t.Fatalf("event %+v, want the pending tx", ev)
	}
	b := f.produce()
	ev = wait(t, ch, "block event")
	if ev.Type != EventBlock || ev.Block == nil || ev.Block.Hash != b.Hash() || len(ev.Block.Transactions) != 1 ||
		ev.Block.Transactions[0] != tx.Hash() || ev.Block.Commit == nil {
		t.Fatalf("event %+v, want block 1 with the tx and its commit", ev)
	}
	want, _ := json.Marshal(mustLocal(t)(f.local.Block(ctx, "1", false)))
	got, _ := json.Marshal(ev.Block)
	if string(got) != string(want) {
		t.Fatalf("block event\n got %s\nwant %s", got, want)
	}
}

func TestReadEventsSkipsUnknownAndComments(t *testing.T) {
	stream := ": hello\n\nevent: other\ndata: {}\n\nid: 7\nretry: 100\nevent: dropped\ndata: {\"hash\":\"0x" +
		strings.Repeat("00", 32) + "\",\"reason\":\"evicted\"}\n\n"
	var got []Event
	if err := readEvents(strings.NewReader(stream), func(e Event) bool { got = append(got, e); return true }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Type != EventDropped || got[0].Dropped.Reason != "evicted" {
		t.Fatalf("events %+v, want one dropped", got)
	}
	if err := readEvents(strings.NewReader("event: block\ndata: {bad\n\n"), func(Event) bool { return true }); err == nil {
		t.Fatal("a malformed block event was accepted")
	}
}

// mustLocal unwraps a (value, error) pair in a test.
func mustLocal(t *testing.T) func(*Block, error) *Block {
	return func(b *Block, err error) *Block {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}
