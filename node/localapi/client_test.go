package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// sameJSON fails unless a and b encode to the same JSON.
func sameJSON(t *testing.T, what string, a, b any) {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(ja) != string(jb) {
		t.Fatalf("%s differs\nlocal  %s\nclient %s", what, ja, jb)
	}
}

// both runs q against Local and Client and checks they agree, on the value
// or on the error.
func both[T any](t *testing.T, f *fixture, what string, q func(api.Service) (T, error)) T {
	t.Helper()
	lv, lerr := q(f.local)
	cv, cerr := q(f.client)
	if lerr != nil || cerr != nil {
		var le, ce *api.Error
		if !errors.As(lerr, &le) || !errors.As(cerr, &ce) || !reflect.DeepEqual(le, ce) {
			t.Fatalf("%s: local error %#v, client error %#v", what, lerr, cerr)
		}
		return lv
	}
	sameJSON(t, what, lv, cv)
	return lv
}

func TestClientMatchesLocal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := deployContracts(t, f)
	f.send(f.legacyTx(key1, 0, addr0, big.NewInt(params.Ether)))
	f.produce()
	pending := f.dynTx(key1, 1, &addr0, big.NewInt(5), params.TxGas, nil)
	f.send(pending)

	both(t, f, "status", func(s api.Service) (*api.Status, error) { return s.Status(ctx) })
	for _, id := range []string{"latest", "0", "1", "2", "3", f.chain.Head().Hash().Hex(), "9", "nope"} {
		for _, full := range []bool{false, true} {
			b := both(t, f, "block "+id, func(s api.Service) (*api.Block, error) { return s.Block(ctx, id, full) })
			if full && b != nil && b.TxCount > 0 && b.FullTransactions == nil {
				t.Fatalf("block %s full: no transaction objects", id)
			}
		}
	}
	// Round trip of a full block keeps the objects.
	cb, err := f.client.Block(ctx, "1", true)
	if err != nil || len(cb.FullTransactions) != 2 || cb.FullTransactions[0].Receipt == nil || cb.Transactions[1] != cb.FullTransactions[1].Hash {
		t.Fatalf("client full block: %v, %+v", err, cb)
	}
	for _, q := range []struct {
		from  uint64
		limit int
	}{{0, 2}, {2, 0}, {api.Latest, 2}, {api.Latest, 0}, {99, 5}} {
		both(t, f, "blocks", func(s api.Service) ([]*api.Block, error) { return s.Blocks(ctx, q.from, q.limit) })
	}
	for _, h := range []common.Hash{c.deployTx, c.incrTx, pending.Hash(), {1}} {
		both(t, f, "tx "+h.Hex(), func(s api.Service) (*api.Tx, error) { return s.Tx(ctx, h) })
	}
	for _, a := range []common.Address{addr0, addr1, c.counter, {9}} {
		both(t, f, "account", func(s api.Service) (*api.Account, error) { return s.Account(ctx, a) })
	}
	both(t, f, "mempool", func(s api.Service) (*api.Mempool, error) { return s.Mempool(ctx) })
	calls := []api.CallRequest{
		{To: &c.counter, Data: selector("count()")},
		{From: addr0, To: &c.counter, Data: append(selector("add(uint256)"), make([]byte, 32)...)},
		{From: crypto.PubkeyToAddress(keyPoor.PublicKey), To: &addr1, Value: api.NewAmount(big.NewInt(1))},
	}
	for _, req := range calls {
		both(t, f, "call", func(s api.Service) (*api.CallResult, error) { return s.Call(ctx, req) })
	}

	// SendRawTx: the same rejection from both, then one admission each.
	stale, _ := f.legacyTx(key1, 0, addr0, big.NewInt(1)).MarshalBinary()
	both(t, f, "stale send", func(s api.Service) (common.Hash, error) { return s.SendRawTx(ctx, stale) })
	next1, _ := f.dynTx(key1, 2, &addr0, big.NewInt(1), params.TxGas, nil).MarshalBinary()
	next2, _ := f.dynTx(key1, 3, &addr0, big.NewInt(1), params.TxGas, nil).MarshalBinary()
	h1, err1 := f.local.SendRawTx(ctx, next1)
	h2, err2 := f.client.SendRawTx(ctx, next2)
	if err1 != nil || err2 != nil || h1 == h2 || h1 == (common.Hash{}) || h2 == (common.Hash{}) {
		t.Fatalf("send: %v %v %v %v", h1, err1, h2, err2)
	}
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	// Nothing listens on a closed listener's port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = api.NewClient(addr, nil).Status(ctx)
	var apiErr *api.Error
	var opErr *net.OpError
	if err == nil || errors.As(err, &apiErr) || !errors.As(err, &opErr) {
		t.Fatalf("status from a dead address: %v, want a network error", err)
	}

	// A proxy's non-JSON error page still becomes an *Error.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	defer proxy.Close()
	_, err = api.NewClient(proxy.URL, nil).Status(ctx)
	if !errors.As(err, &apiErr) || apiErr.Status != 502 || apiErr.Code != "http_502" || apiErr.Message != "bad gateway" {
		t.Fatalf("proxy error: %#v", err)
	}
	if _, err := api.NewClient(proxy.URL, nil).Subscribe(ctx); !errors.As(err, &apiErr) || apiErr.Status != 502 {
		t.Fatalf("subscribe through a failing proxy: %v", err)
	}
}

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8545":           "http://127.0.0.1:8545",
		"http://127.0.0.1:8545/":   "http://127.0.0.1:8545",
		" https://node.example/ ":  "https://node.example",
		"http://10.0.0.1:1/prefix": "http://10.0.0.1:1/prefix",
	} {
		if got := api.NormalizeURL(in); got != want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", in, got, want)
		}
	}
}
