package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/api/apitest"
	"cairn/node/mempool"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

func TestStatus(t *testing.T) {
	f := newFixture(t)
	f.produce()
	f.advance(30 * time.Second)
	st := f.getOK("/v1/status")
	checkShape(t, "status", st, map[string]string{
		"chainId": "number", "height": "number", "headHash": "hash", "headTime": "number",
		"finalizedHeight": "number", "genesisHash": "hash", "devnet": "bool", "mempool": "object",
		"validator": "address", "nodeVersion": "string", "uptimeSeconds": "number", "blockTimeMs": "number",
		"peers": "number", "syncing": "null", "state": "object",
	})
	checkShape(t, "status.state", st["state"].(map[string]any), map[string]string{
		"window": "number", "from": "number", "archive": "bool", "base": "number",
	})
	checkShape(t, "status.mempool", st["mempool"].(map[string]any), map[string]string{
		"pending": "number", "queued": "number", "bytes": "number",
	})
	head := f.chain.Head()
	want := map[string]any{
		"chainId": float64(7777), "height": float64(1), "finalizedHeight": float64(1),
		"headHash": head.Hash().Hex(), "validator": f.validator.Hex(), "nodeVersion": "test-1.0",
		"uptimeSeconds": float64(120), "blockTimeMs": float64(1000), "devnet": true,
	}
	for k, v := range want {
		if !strings.EqualFold(fmt.Sprint(st[k]), fmt.Sprint(v)) {
			t.Errorf("status.%s = %v, want %v", k, st[k], v)
		}
	}
}

func TestStatusWithoutValidatorAndWithConsensus(t *testing.T) {
	prop := common.HexToAddress("0x1234")
	f := newFixture(t, fixtureOptions{local: func(c *Config) {
		c.Info = func() NodeInfo {
			return NodeInfo{Consensus: &api.ConsensusStatus{Height: 3, Round: 1, Step: "prevote", Proposer: &prop}}
		}
	}})
	st := f.getOK("/v1/status")
	if v, ok := st["validator"]; !ok || v != nil {
		t.Fatalf("validator = %v (present %v), want null", v, ok)
	}
	checkShape(t, "consensus", st["consensus"].(map[string]any), map[string]string{
		"height": "number", "round": "number", "step": "string", "proposer": "address",
	})
	f2 := newFixture(t)
	if _, ok := f2.getOK("/v1/status")["consensus"]; ok {
		t.Fatal("consensus present though the node reports none")
	}
}

var blockShape = map[string]string{
	"height": "number", "hash": "hash", "parentHash": "hash", "time": "number", "proposer": "address",
	"round": "number", "stateRoot": "hash", "txRoot": "hash", "receiptRoot": "hash", "validatorsHash": "hash",
	"gasUsed": "number", "gasLimit": "number", "baseFee": "amount", "vrf": "object", "commit": "object|null",
	"txCount": "number", "transactions": "array",
}

var txShape = map[string]string{
	"hash": "hash", "status": "string", "blockHeight": "number|null", "blockHash": "hash|null",
	"index": "number|null", "from": "address", "to": "address|null", "nonce": "number", "value": "amount",
	"gas": "number", "gasPrice": "amount", "type": "number", "input": "hex", "receipt": "object|null",
}

var dynTxShape = func() map[string]string {
	m := map[string]string{"maxFeePerGas": "amount", "maxPriorityFeePerGas": "amount"}
	for k, v := range txShape {
		m[k] = v
	}
	return m
}()

var receiptShape = map[string]string{
	"status": "number", "gasUsed": "number", "cumulativeGasUsed": "number", "effectiveGasPrice": "amount",
	"contractAddress": "address|null", "logs": "array",
}

func TestBlockByIDAndFull(t *testing.T) {
	f := newFixture(t)
	tx := f.dynTx(key0, 0, &addr1, big.NewInt(1), params.TxGas, nil)
	f.send(tx)
	b := f.produce()

	for _, id := range []string{"latest", "1", b.Hash().Hex()} {
		got := f.getOK("/v1/blocks/" + id)
		checkShape(t, "block "+id, got, blockShape)
		if got["hash"] != strings.ToLower(b.Hash().Hex()) || got["height"] != float64(1) {
			t.Fatalf("block %s = %v/%v, want 1/%s", id, got["height"], got["hash"], b.Hash())
		}
		txs := got["transactions"].([]any)
		if len(txs) != 1 || txs[0] != tx.Hash().Hex() {
			t.Fatalf("block %s transactions = %v, want [%s]", id, txs, tx.Hash())
		}
		checkShape(t, "vrf", got["vrf"].(map[string]any), map[string]string{"output": "hex", "proof": "hex"})
		commit := got["commit"].(map[string]any)
		checkShape(t, "commit", commit, map[string]string{"height": "number", "round": "number", "blockHash": "hash", "signers": "array"})
		if s := commit["signers"].([]any); len(s) != 1 || !strings.EqualFold(s[0].(string), f.validator.Hex()) {
			t.Fatalf("commit signers = %v, want [%s]", s, f.validator)
		}
		if got["baseFee"] != b.Header.BaseFee.String() || got["gasUsed"] != float64(params.TxGas) {
			t.Fatalf("baseFee %v gasUsed %v, want %s and 21000", got["baseFee"], got["gasUsed"], b.Header.BaseFee)
		}
	}

	full := f.getOK("/v1/blocks/1?full=true")
	objs := full["transactions"].([]any)
	if len(objs) != 1 {
		t.Fatalf("full block has %d transactions, want 1", len(objs))
	}
	obj := objs[0].(map[string]any)
	checkShape(t, "full tx", obj, dynTxShape)
	if obj["status"] != api.TxIncluded || obj["hash"] != tx.Hash().Hex() {
		t.Fatalf("full tx = %v", obj)
	}

	gen := f.getOK("/v1/blocks/0")
	checkShape(t, "genesis", gen, blockShape)
	if gen["commit"] != nil || len(gen["transactions"].([]any)) != 0 {
		t.Fatalf("genesis commit %v transactions %v, want null and []", gen["commit"], gen["transactions"])
	}
}

func TestBlockErrors(t *testing.T) {
	f := newFixture(t)
	code, body := f.do("GET", "/v1/blocks/99", "")
	apitest.WantError(t, code, body, 404, api.CodeNotFound)
	code, body = f.do("GET", "/v1/blocks/0x"+strings.Repeat("ab", 32), "")
	apitest.WantError(t, code, body, 404, api.CodeNotFound)
	for _, id := range []string{"abc", "-1", "0x12", "1.5", "0x" + strings.Repeat("zz", 32), "18446744073709551616"} {
		code, body = f.do("GET", "/v1/blocks/"+id, "")
		apitest.WantError(t, code, body, 400, api.CodeBadRequest)
	}
	code, body = f.do("GET", "/v1/blocks/1?full=maybe", "")
	apitest.WantError(t, code, body, 400, api.CodeBadRequest)
}

func TestBlocksList(t *testing.T) {
	f := newFixture(t, fixtureOptions{server: func(o *api.ServerOptions) { o.MaxBlocksPage = 3 }})
	for range 4 {
		f.produce()
	}
	heights := func(path string) []float64 {
		code, body := f.do("GET", path, "")
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		var list []map[string]any
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		var hs []float64
		for _, b := range list {
			checkShape(t, "listed block", b, blockShape)
			hs = append(hs, b["height"].(float64))
		}
		return hs
	}
	cases := map[string][]float64{
		"/v1/blocks?from=1&limit=2":      {1, 2},
		"/v1/blocks?from=3":              {3, 4},
		"/v1/blocks?from=0&limit=99":     {0, 1, 2}, // capped at 3
		"/v1/blocks?limit=2":             {4, 3},
		"/v1/blocks?from=latest&limit=9": {4, 3, 2},
		"/v1/blocks?from=5":              nil,
	}
	for path, want := range cases {
		if got := heights(path); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: heights %v, want %v", path, got, want)
		}
	}
	for _, q := range []string{"limit=0", "limit=x", "from=-1", "from=abc"} {
		code, body := f.do("GET", "/v1/blocks?"+q, "")
		apitest.WantError(t, code, body, 400, api.CodeBadRequest)
	}
}

func TestTxPendingThenIncluded(t *testing.T) {
	f := newFixture(t)
	before := f.getOK("/v1/accounts/" + addr1.Hex())["balance"].(string)
	value := new(big.Int).Mul(big.NewInt(3), big.NewInt(params.Ether))
	tx := f.legacyTx(key0, 0, addr1, value)
	f.send(tx)

	pending := f.getOK("/v1/txs/" + tx.Hash().Hex())
	checkShape(t, "pending tx", pending, txShape)
	if pending["status"] != api.TxPending || pending["receipt"] != nil || pending["blockHeight"] != nil {
		t.Fatalf("pending tx = %v", pending)
	}
	if !strings.EqualFold(pending["from"].(string), addr0.Hex()) || pending["value"] != value.String() || pending["type"] != float64(0) {
		t.Fatalf("pending tx from/value/type = %v/%v/%v", pending["from"], pending["value"], pending["type"])
	}

	b := f.produce()
	inc := f.getOK("/v1/txs/" + tx.Hash().Hex())
	checkShape(t, "included tx", inc, txShape)
	if inc["status"] != api.TxIncluded || inc["blockHeight"] != float64(b.Height()) || inc["index"] != float64(0) ||
		inc["blockHash"] != b.Hash().Hex() {
		t.Fatalf("included tx = %v", inc)
	}
	r := inc["receipt"].(map[string]any)
	checkShape(t, "receipt", r, receiptShape)
	if r["status"] != float64(1) || r["gasUsed"] != float64(params.TxGas) || r["contractAddress"] != nil {
		t.Fatalf("receipt = %v", r)
	}
	if r["effectiveGasPrice"] != "5000000000" {
		t.Fatalf("effectiveGasPrice = %v, want the legacy price 5000000000", r["effectiveGasPrice"])
	}

	acc := f.getOK("/v1/accounts/" + addr1.Hex())
	wantBal, _ := new(big.Int).SetString(before, 10)
	wantBal.Add(wantBal, value)
	if acc["balance"] != wantBal.String() {
		t.Fatalf("recipient balance %v, want %s", acc["balance"], wantBal)
	}
	if n := f.getOK("/v1/accounts/" + addr0.Hex())["nonce"]; n != float64(1) {
		t.Fatalf("sender nonce %v, want 1", n)
	}
	if c := f.getOK("/v1/mempool")["count"]; c != float64(0) {
		t.Fatalf("mempool count %v after inclusion, want 0", c)
	}
}

func TestSendTxRejected(t *testing.T) {
	f := newFixture(t)
	f.send(f.dynTx(key0, 0, &addr1, big.NewInt(1), params.TxGas, nil))
	f.produce()

	wrongChain := types.MustSignNewTx(key0, types.LatestSignerForChainID(big.NewInt(1)), &types.DynamicFeeTx{
		ChainID: big.NewInt(1), Nonce: 1, GasTipCap: gwei, GasFeeCap: new(big.Int).Mul(big.NewInt(10), gwei),
		Gas: params.TxGas, To: &addr1, Value: big.NewInt(1),
	})
	cases := []struct {
		name, raw string
		status    int
		code      string
	}{
		{"nonce too low", rawHex(t, f.dynTx(key0, 0, &addr1, big.NewInt(2), params.TxGas, nil)), 400, mempool.ReasonNonceTooLow},
		{"insufficient funds", rawHex(t, f.dynTx(keyPoor, 0, &addr1, big.NewInt(1), params.TxGas, nil)), 400, mempool.ReasonInsufficientFunds},
		{"wrong chain", rawHex(t, wrongChain), 400, mempool.ReasonWrongChainID},
		{"undecodable", "0x02f8", 400, mempool.ReasonMalformed},
		{"gas over cap", rawHex(t, f.dynTx(key0, 1, &addr1, big.NewInt(1), f.chain.Params().GasLimit+1, nil)), 400, mempool.ReasonGasLimitExceeded},
	}
	for _, c := range cases {
		code, body := f.do("POST", "/v1/txs", `{"raw":"`+c.raw+`"}`)
		msg := apitest.WantError(t, code, body, c.status, c.code)
		t.Logf("%s: %s", c.name, msg)
	}
	// A duplicate of a pooled transaction.
	tx := f.dynTx(key0, 1, &addr1, big.NewInt(1), params.TxGas, nil)
	f.send(tx)
	code, body := f.do("POST", "/v1/txs", `{"raw":"`+rawHex(t, tx)+`"}`)
	apitest.WantError(t, code, body, 400, mempool.ReasonAlreadyKnown)
}

func TestPoolFullIs503(t *testing.T) {
	f := newFixture(t, fixtureOptions{pool: func(c *mempool.Config) { c.MaxCount = 1 }})
	f.send(f.dynTx(key0, 0, &addr1, big.NewInt(1), params.TxGas, nil))
	// Same fee, another sender: nothing to evict for it.
	code, body := f.do("POST", "/v1/txs", `{"raw":"`+rawHex(t, f.dynTx(key1, 0, &addr0, big.NewInt(1), params.TxGas, nil))+`"}`)
	apitest.WantError(t, code, body, 503, mempool.ReasonPoolFull)
}

func TestMalformedRequests(t *testing.T) {
	f := newFixture(t, fixtureOptions{server: func(o *api.ServerOptions) { o.MaxBodyBytes = 1024 }})
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"bad JSON", "POST", "/v1/txs", `{"raw":`, 400, api.CodeBadRequest},
		{"not an object", "POST", "/v1/txs", `["0x01"]`, 400, api.CodeBadRequest},
		{"empty body", "POST", "/v1/txs", ``, 400, api.CodeBadRequest},
		{"missing raw", "POST", "/v1/txs", `{}`, 400, api.CodeBadRequest},
		{"unknown field", "POST", "/v1/txs", `{"raw":"0x01","extra":1}`, 400, api.CodeBadRequest},
		{"trailing data", "POST", "/v1/txs", `{"raw":"0x01"} {}`, 400, api.CodeBadRequest},
		{"no 0x", "POST", "/v1/txs", `{"raw":"02f8"}`, 400, api.CodeBadRequest},
		{"bad hex", "POST", "/v1/txs", `{"raw":"0xzz"}`, 400, api.CodeBadRequest},
		{"odd hex", "POST", "/v1/txs", `{"raw":"0x123"}`, 400, api.CodeBadRequest},
		{"empty raw", "POST", "/v1/txs", `{"raw":"0x"}`, 400, api.CodeBadRequest},
		{"raw not a string", "POST", "/v1/txs", `{"raw":12}`, 400, api.CodeBadRequest},
		{"oversized body", "POST", "/v1/txs", `{"raw":"0x` + strings.Repeat("00", 2048) + `"}`, 413, api.CodeBodyTooLarge},
		{"call bad JSON", "POST", "/v1/call", `{"to":}`, 400, api.CodeBadRequest},
		{"call bad address", "POST", "/v1/call", `{"to":"0x1234"}`, 400, api.CodeBadRequest},
		{"call bad data", "POST", "/v1/call", `{"data":"abc"}`, 400, api.CodeBadRequest},
		{"call bad value", "POST", "/v1/call", `{"value":"1.5"}`, 400, api.CodeBadRequest},
		{"call negative value", "POST", "/v1/call", `{"value":"-1"}`, 400, api.CodeBadRequest},
		{"call oversized", "POST", "/v1/call", `{"data":"0x` + strings.Repeat("00", 2048) + `"}`, 413, api.CodeBodyTooLarge},
		{"bad tx hash", "GET", "/v1/txs/0x1234", "", 400, api.CodeBadRequest},
		{"tx hash without 0x", "GET", "/v1/txs/" + strings.Repeat("ab", 32), "", 400, api.CodeBadRequest},
		{"bad address", "GET", "/v1/accounts/0xnothex", "", 400, api.CodeBadRequest},
		{"short address", "GET", "/v1/accounts/0x1234", "", 400, api.CodeBadRequest},
		{"bad checksum", "GET", "/v1/accounts/" + strings.Replace(addr0.Hex(), "F", "f", 1), "", 400, api.CodeBadRequest},
		{"unknown tx", "GET", "/v1/txs/0x" + strings.Repeat("11", 32), "", 404, api.CodeNotFound},
		{"unknown route", "GET", "/v1/nothing", "", 404, api.CodeNotFound},
		{"v1 root", "GET", "/v1", "", 404, api.CodeNotFound},
		{"outside v1", "GET", "/", "", 404, api.CodeNotFound},
		{"wrong method", "POST", "/v1/status", "{}", 405, api.CodeMethodNotAllowed},
		{"wrong method on txs", "GET", "/v1/txs", "", 405, api.CodeMethodNotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := f.do(c.method, c.path, c.body)
			t.Log(apitest.WantError(t, code, body, c.status, c.code))
		})
	}
	// Any-case and lower-case addresses are fine; only a wrong checksum is refused.
	for _, a := range []string{addr0.Hex(), strings.ToLower(addr0.Hex()), strings.TrimPrefix(strings.ToLower(addr0.Hex()), "0x")} {
		f.getOK("/v1/accounts/" + a)
	}
}

func TestAccount(t *testing.T) {
	f := newFixture(t)
	acc := f.getOK("/v1/accounts/" + addr0.Hex())
	checkShape(t, "account", acc, map[string]string{
		"address": "address", "balance": "amount", "nonce": "number", "pendingNonce": "number", "isContract": "bool",
	})
	if acc["balance"] != chain.CRN(1_000_000).String() || acc["isContract"] != false {
		t.Fatalf("devnet account = %v", acc)
	}
	f.send(f.dynTx(key0, 0, &addr1, big.NewInt(1), params.TxGas, nil))
	f.send(f.dynTx(key0, 1, &addr1, big.NewInt(1), params.TxGas, nil))
	acc = f.getOK("/v1/accounts/" + addr0.Hex())
	if acc["nonce"] != float64(0) || acc["pendingNonce"] != float64(2) {
		t.Fatalf("nonce %v pendingNonce %v, want 0 and 2", acc["nonce"], acc["pendingNonce"])
	}
	empty := f.getOK("/v1/accounts/0x000000000000000000000000000000000000dEaD")
	if empty["balance"] != "0" || empty["nonce"] != float64(0) {
		t.Fatalf("empty account = %v", empty)
	}
}

func TestMempoolEndpoint(t *testing.T) {
	f := newFixture(t)
	a := f.dynTx(key0, 0, &addr1, big.NewInt(7), params.TxGas, nil)
	gap := f.dynTx(key0, 2, &addr1, big.NewInt(8), params.TxGas, nil) // nonce 1 missing: queued
	f.send(a)
	f.send(gap)
	f.advance(1500 * time.Millisecond)
	m := f.getOK("/v1/mempool")
	checkShape(t, "mempool", m, map[string]string{
		"count": "number", "pending": "number", "queued": "number", "bytes": "number", "truncated": "bool", "transactions": "array",
	})
	if m["count"] != float64(2) || m["pending"] != float64(1) || m["queued"] != float64(1) || m["truncated"] != false {
		t.Fatalf("mempool totals = %v", m)
	}
	txs := m["transactions"].([]any)
	if len(txs) != 2 {
		t.Fatalf("%d transactions listed, want 2", len(txs))
	}
	first := txs[0].(map[string]any)
	checkShape(t, "mempool tx", first, map[string]string{
		"hash": "hash", "from": "address", "to": "address|null", "nonce": "number", "value": "amount", "gas": "number",
		"gasTipCap": "amount", "gasFeeCap": "amount", "size": "number", "ageMs": "number", "queued": "bool",
	})
	if first["hash"] != a.Hash().Hex() || first["queued"] != false || first["ageMs"] != float64(1500) ||
		first["gasTipCap"] != gwei.String() || first["size"] != float64(a.Size()) {
		t.Fatalf("first mempool tx = %v", first)
	}
	if second := txs[1].(map[string]any); second["hash"] != gap.Hash().Hex() || second["queued"] != true {
		t.Fatalf("second mempool tx = %v", second)
	}
	if b := m["bytes"].(float64); b != float64(a.Size()+gap.Size()) {
		t.Fatalf("bytes %v, want %d", b, a.Size()+gap.Size())
	}
}

func TestMempoolListIsCapped(t *testing.T) {
	f := newFixture(t, fixtureOptions{local: func(c *Config) { c.MempoolList = 2 }})
	for n := range uint64(3) {
		f.send(f.dynTx(key0, n, &addr1, big.NewInt(1), params.TxGas, nil))
	}
	m := f.getOK("/v1/mempool")
	if m["count"] != float64(3) || m["truncated"] != true || len(m["transactions"].([]any)) != 2 {
		t.Fatalf("capped mempool = count %v truncated %v listed %d", m["count"], m["truncated"], len(m["transactions"].([]any)))
	}
}

func TestPanicRecovered(t *testing.T) {
	srv := api.NewServer(panicService{}, api.ServerOptions{})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/status", nil))
	apitest.WantError(t, rec.Code, rec.Body.Bytes(), 500, api.CodeInternal)
	// The server still answers other requests.
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/openapi.json", nil))
	if rec.Code != 200 {
		t.Fatalf("after a panic: %d", rec.Code)
	}
}

// panicService panics in Status, as a buggy Service might.
type panicService struct{ api.Service }

func (panicService) Status(context.Context) (*api.Status, error) { panic("boom") }

func TestRootHandlerGetsNonV1Paths(t *testing.T) {
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"root":%q}`, r.URL.Path)
	})
	f := newFixture(t, fixtureOptions{server: func(o *api.ServerOptions) { o.Root = root }})
	for _, p := range []string{"/", "/ws"} {
		if got := f.getOK(p)["root"]; got != p {
			t.Fatalf("GET %s reached %v, want the root handler", p, got)
		}
	}
	f.getOK("/v1/status")
	code, body := f.do("GET", "/v1/nope", "")
	apitest.WantError(t, code, body, 404, api.CodeNotFound)
}
