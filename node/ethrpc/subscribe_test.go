package ethrpc

import (
	"context"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
)

// next waits for one notification, at most 10 seconds.
func next[T any](t *testing.T, ch <-chan T, sub *rpc.ClientSubscription) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case err := <-sub.Err():
		t.Fatalf("subscription ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no notification within 10s")
	}
	var zero T
	return zero
}

func subscribe[T any](t *testing.T, c *rpc.Client, args ...any) (chan T, *rpc.ClientSubscription) {
	t.Helper()
	ch := make(chan T, 64)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := c.EthSubscribe(ctx, ch, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Unsubscribe)
	return ch, sub
}

// headerSchema is the block schema without the body fields: newHeads
// sends headers, as geth does (execution-apis does not define
// subscriptions).
func headerSchema() map[string]prop {
	s := merge(blockSchema, nil)
	for _, k := range []string{"size", "transactions", "uncles", "withdrawals"} {
		s[k] = prop{kind: "null", required: false}
	}
	return s
}

func TestSubscribeNewHeads(t *testing.T) {
	f := newFixture(t)
	c := dialWS(t, f, "/ws")
	ch, sub := subscribe[map[string]any](t, c, "newHeads")
	b1 := f.produce()
	b2 := f.produce()
	for _, want := range []common.Hash{b1.Hash(), b2.Hash()} {
		h := next(t, ch, sub)
		if h["hash"] != want.Hex() {
			t.Fatalf("newHeads %v, want %s", h["hash"], want)
		}
		checkSchema(t, "newHeads header", h, headerSchema())
	}
}

func TestSubscribeLogs(t *testing.T) {
	f := newFixture(t)
	ctr := f.deployCounter(0)
	c := dialWS(t, f, "/ws")
	ch, sub := subscribe[json.RawMessage](t, c, "logs", map[string]any{"address": ctr, "topics": []any{incremented}})
	other, osub := subscribe[json.RawMessage](t, c, "logs", map[string]any{"address": addr1})
	every, esub := subscribe[json.RawMessage](t, c, "logs")
	f.send(f.dynTx(key0, 1, &ctr, nil, 200_000, counter.Pack("increment")))
	f.send(f.dynTx(key0, 2, &ctr, nil, 200_000, counter.Pack("add", big.NewInt(3))))
	blk := f.produce()
	for i := range 2 {
		var l map[string]any
		json.Unmarshal(next(t, ch, sub), &l)
		checkSchema(t, "log notification", l, logSchema)
		if l["blockHash"] != blk.Hash().Hex() || l["logIndex"] != []string{"0x0", "0x1"}[i] || l["removed"] != false {
			t.Fatalf("log %d = %v", i, l)
		}
	}
	for range 2 {
		next(t, every, esub)
	}
	f.settle()
	select {
	case l := <-other:
		t.Fatalf("a logs subscription for another address got %s", l)
	case err := <-osub.Err():
		t.Fatal(err)
	default:
	}
	_, err := c.EthSubscribe(context.Background(), make(chan any), "logs", map[string]any{"blockHash": blk.Hash()})
	wantCode(t, err, codeInvalidParams)
}

func TestSubscribePendingTransactions(t *testing.T) {
	f := newFixture(t)
	c := dialWS(t, f, "/ws")
	hashes, hsub := subscribe[common.Hash](t, c, "newPendingTransactions")
	full, fsub := subscribe[map[string]any](t, c, "newPendingTransactions", true)
	tx := f.legacyTx(key0, 0, addr1, big.NewInt(1))
	f.send(tx)
	if h := next(t, hashes, hsub); h != tx.Hash() {
		t.Fatalf("pending hash %s, want %s", h, tx.Hash())
	}
	obj := next(t, full, fsub)
	if obj["hash"] != tx.Hash().Hex() || obj["blockHash"] != nil || obj["from"] != lower(addr0.Hex()) {
		t.Fatalf("pending transaction = %v", obj)
	}
}

func TestSubscriptionsNeedAWebsocket(t *testing.T) {
	f := newFixture(t)
	resp, body := f.post("/", jsonType, `{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}`)
	a := decodeAnswer(t, body)
	if resp.StatusCode != 200 || a.Error == nil || a.Error.Code != -32601 {
		t.Fatalf("eth_subscribe over HTTP: %d %s", resp.StatusCode, body)
	}
	c := dialWS(t, f, "/ws")
	_, err := c.EthSubscribe(context.Background(), make(chan any), "syncing")
	wantCode(t, err, -32601)
	ch, sub := subscribe[map[string]any](t, c, "newHeads")
	sub.Unsubscribe()
	f.produce()
	f.settle()
	select {
	case h := <-ch:
		t.Fatalf("a notification after unsubscribing: %v", h)
	default:
	}
}

func TestSubscriptionCap(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxSubscriptions = 1 })
	c := dialWS(t, f, "/ws")
	subscribe[map[string]any](t, c, "newHeads")
	_, err := c.EthSubscribe(context.Background(), make(chan any), "newHeads")
	wantCode(t, err, codeLimitExceeded)
}
