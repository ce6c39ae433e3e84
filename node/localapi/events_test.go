package localapi

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

	"cairn/node/api"
	"cairn/node/api/apitest"

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
		line := apitest.Wait(t, lines, "an SSE line")
		switch {
		case line == "" && data != "":
			return name, apitest.JSONMap(t, []byte(data))
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
	if first := apitest.Wait(t, lines, "the subscribed comment"); !strings.HasPrefix(first, ":") {
		t.Fatalf("first line %q, want a comment", first)
	}
	tx := f.dynTx(key0, 0, &addr1, big.NewInt(1), params.TxGas, nil)
	f.send(tx)
	name, data := nextEvent(t, lines)
	if name != api.EventTx || data["hash"] != tx.Hash().Hex() || data["status"] != api.TxPending {
		t.Fatalf("event %q %v, want the pending tx", name, data)
	}
	checkShape(t, "tx event", data, dynTxShape)

	b := f.produce()
	name, data = nextEvent(t, lines)
	if name != api.EventBlock || data["height"] != float64(1) || data["hash"] != b.Hash().Hex() {
		t.Fatalf("event %q %v, want block 1", name, data)
	}
	checkShape(t, "block event", data, blockShape)
	if txs := data["transactions"].([]any); len(txs) != 1 || txs[0] != tx.Hash().Hex() {
		t.Fatalf("block event transactions %v", txs)
	}
}

func TestSSEHeartbeat(t *testing.T) {
	f := newFixture(t, fixtureOptions{server: func(o *api.ServerOptions) { o.Heartbeat = time.Millisecond }})
	lines := sseLines(t, f)
	apitest.Wait(t, lines, "the subscribed comment")
	for {
		if line := apitest.Wait(t, lines, "a heartbeat"); line == ": ping" {
			return
		}
	}
}

// ctxRecorder passes Subscribe on and hands the request's context to the
// test, to see when the server lets go of it.
type ctxRecorder struct {
	api.Service
	ctxs chan context.Context
}

func (r ctxRecorder) Subscribe(ctx context.Context) (<-chan api.Event, error) {
	r.ctxs <- ctx
	return r.Service.Subscribe(ctx)
}

func TestSSEEndsWhenClientLeaves(t *testing.T) {
	f := newFixture(t)
	rec := ctxRecorder{Service: f.local, ctxs: make(chan context.Context, 1)}
	srv := httptest.NewServer(api.NewServer(rec, api.ServerOptions{}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	ch, err := api.NewClient(srv.URL, nil).Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	serverCtx := apitest.Wait(t, rec.ctxs, "the server's subscription")
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
	ev := apitest.Wait(t, ch, "tx event")
	if ev.Type != api.EventTx || ev.Tx == nil || ev.Tx.Hash != tx.Hash() || ev.Tx.From != addr0 {
		t.Fatalf("event %+v, want the pending tx", ev)
	}
	b := f.produce()
	ev = apitest.Wait(t, ch, "block event")
	if ev.Type != api.EventBlock || ev.Block == nil || ev.Block.Hash != b.Hash() || len(ev.Block.Transactions) != 1 ||
		ev.Block.Transactions[0] != tx.Hash() || ev.Block.Commit == nil {
		t.Fatalf("event %+v, want block 1 with the tx and its commit", ev)
	}
	want, _ := json.Marshal(mustLocal(t)(f.local.Block(ctx, "1", false)))
	got, _ := json.Marshal(ev.Block)
	if string(got) != string(want) {
		t.Fatalf("block event\n got %s\nwant %s", got, want)
	}
}

// mustLocal unwraps a (value, error) pair in a test.
func mustLocal(t *testing.T) func(*api.Block, error) *api.Block {
	return func(b *api.Block, err error) *api.Block {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}
