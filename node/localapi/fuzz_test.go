package localapi

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/events"
	"cairn/node/mempool"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// fzState is the mempool's view of a head state.
type fzState struct{ st *state.StateDB }

func (s fzState) Nonce(a common.Address) uint64     { return s.st.GetNonce(a) }
func (s fzState) Balance(a common.Address) *big.Int { return s.st.GetBalance(a).ToBig() }

// fzServer is the REST handler over a Local service on a devnet chain
// with one block holding a transfer, and the pool behind it. Calls are
// bounded tighter than the defaults so a fuzzed call stays cheap.
type fzServer struct {
	h      http.Handler
	c      *chain.Chain
	pool   *mempool.Pool
	tx     *types.Transaction // the transfer in block 1
	signer types.Signer
}

func newFzServer(f *testing.F) *fzServer {
	store, err := chain.OpenStore(filepath.Join(f.TempDir(), "chain.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	c, err := chain.Open(store, chain.Devnet(), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { c.Close() })
	s := &fzServer{c: c, signer: c.Signer()}
	headState := func() fzState {
		st, err := c.State()
		if err != nil {
			f.Fatal(err)
		}
		return fzState{st}
	}
	now := func() time.Time { return time.UnixMilli(int64(chain.Devnet().Time)).Add(time.Minute) }
	s.pool = mempool.New(mempool.Config{
		ChainID: c.ChainID(), BlockGasLimit: c.Params().GasLimit, MaxTxGas: c.Params().MaxTxGas,
		MinBaseFee: c.Params().MinBaseFee.Int(), Now: now,
	}, headState(), c.NextBaseFee(c.Head().Header))

	// Block 1 with one transfer, committed by the devnet validator.
	to := common.HexToAddress("0x5151")
	s.tx = types.MustSignNewTx(key0, s.signer, &types.DynamicFeeTx{ChainID: c.ChainID(), Nonce: 0,
		GasTipCap: gwei, GasFeeCap: new(big.Int).Mul(big.NewInt(10), gwei), Gas: params.TxGas, To: &to, Value: big.NewInt(1)})
	raw, _ := s.tx.MarshalBinary()
	if _, err := s.pool.AddRaw(raw); err != nil {
		f.Fatal(err)
	}
	head := c.Head()
	val := c.Validators().Validators[0].Address
	b, res, _, err := c.Propose(chain.Proposal{Proposer: val, Time: head.Header.Time + 1000,
		VRFOutput: bytes.Repeat([]byte{1}, 64), VRFProof: bytes.Repeat([]byte{0xaa}, 80)}, s.pool.Select(c.NextBaseFee(head.Header)))
	if err != nil || len(b.Txs) != 1 {
		f.Fatalf("propose: %v", err)
	}
	vote := &chain.Vote{Type: chain.Precommit, Height: b.Height(), BlockHash: b.Hash(), Validator: val}
	vote.Sign(c.ChainID(), chain.DevnetValidatorKey())
	commit := &chain.Commit{Height: b.Height(), BlockHash: b.Hash(), Signatures: []chain.CommitSig{{Validator: val, Signature: vote.Signature}}}
	if err := c.Commit(b, res, commit); err != nil {
		f.Fatal(err)
	}
	s.pool.Update(headState(), c.NextBaseFee(b.Header))

	local := New(Config{Chain: c, Pool: s.pool, Bus: &events.Bus{}, Now: now,
		CallTimeout: time.Second, CallGasCap: 3_000_000})
	s.h = api.NewServer(local, api.ServerOptions{MaxBodyBytes: 64 << 10})
	return s
}

// serve sends one request to the handler and checks what every answer
// promises: never a server error, JSON (an {"error":{code,message}} object
// for a 4xx), an Allow header with a 405. It returns the status and body;
// ok is false when the request could not be built.
func (s *fzServer) serve(t *testing.T, method, target string, body []byte) (int, []byte, bool) {
	t.Helper()
	req, err := http.NewRequest(method, "http://cairn.test"+target, bytes.NewReader(body))
	if err != nil || req.URL.Path == "/v1/events" || req.URL.Path == "" {
		return 0, nil, false // the event stream does not end; it has its own tests
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	code, out := rec.Code, rec.Body.Bytes()
	switch {
	case code == http.StatusOK:
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %q: 200 with content type %q", method, target, ct)
		}
		if method != http.MethodHead && !json.Valid(out) {
			t.Fatalf("%s %q: 200 with a body that is not JSON: %q", method, target, out)
		}
	case code == http.StatusMovedPermanently || code == http.StatusTemporaryRedirect || code == http.StatusPermanentRedirect:
		if rec.Header().Get("Location") == "" {
			t.Fatalf("%s %q: redirect %d without a location", method, target, code)
		}
	case code >= 400 && code < 500:
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %q: %d with content type %q", method, target, code, ct)
		}
		var e struct {
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s %q: %d with a body that is not an API error: %q", method, target, code, out)
		}
		if code == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
			t.Fatalf("%s %q: 405 without Allow", method, target)
		}
	default:
		t.Fatalf("%s %q (body %q): status %d: %s", method, target, body, code, out)
	}
	return code, out, true
}

// checkSent checks an admitted POST /v1/txs: the answer names the hash of
// the transaction in the body, which is pooled, for the devnet chain,
// with a sender; it is taken out again so each input meets the same pool.
func (s *fzServer) checkSent(t *testing.T, body, out []byte) {
	t.Helper()
	var req struct{ Raw string }
	var resp struct{ Hash common.Hash }
	if json.Unmarshal(body, &req) != nil || json.Unmarshal(out, &resp) != nil {
		t.Fatalf("admitted, but request %q or answer %q do not decode", body, out)
	}
	raw, err := hex.DecodeString(req.Raw[2:])
	if err != nil {
		t.Fatal(err)
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil || tx.Hash() != resp.Hash {
		t.Fatalf("admitted %s, which is not the transaction sent (%v)", resp.Hash, err)
	}
	if tx.ChainId().Cmp(s.c.ChainID()) != 0 {
		t.Fatalf("admitted a transaction for chain %v", tx.ChainId())
	}
	if _, err := types.Sender(s.signer, tx); err != nil {
		t.Fatalf("admitted a transaction without a sender: %v", err)
	}
	if !s.pool.Remove(tx.Hash(), "fuzz") {
		t.Fatal("admitted transaction is not pooled")
	}
}

// FuzzServer sends arbitrary requests (method, path and query, body) to
// the REST handler: every answer keeps the promises serve checks, and a
// transaction the API admitted is the one sent and valid for the chain.
func FuzzServer(f *testing.F) {
	s := newFzServer(f)
	blk, _ := s.c.BlockByHeight(1)
	pending := types.MustSignNewTx(key0, s.signer, &types.DynamicFeeTx{ChainID: s.c.ChainID(), Nonce: 1,
		GasTipCap: gwei, GasFeeCap: new(big.Int).Mul(big.NewInt(10), gwei), Gas: params.TxGas, To: &addr1, Value: big.NewInt(1)})
	legacy := types.MustSignNewTx(key1, types.NewEIP155Signer(s.c.ChainID()), &types.LegacyTx{
		GasPrice: new(big.Int).Mul(big.NewInt(5), gwei), Gas: params.TxGas, To: &addr0, Value: big.NewInt(1)})
	rawOf := func(tx *types.Transaction) string { b, _ := tx.MarshalBinary(); return "0x" + hex.EncodeToString(b) }
	for _, seed := range []struct{ method, target, body string }{
		{"POST", "/v1/txs", `{"raw":"` + rawOf(pending) + `"}`},
		{"POST", "/v1/txs", `{"raw":"` + rawOf(legacy) + `"}`},
		{"POST", "/v1/txs", `{"raw":"` + rawOf(s.tx) + `"}`},
		{"POST", "/v1/txs", `{"raw":"0x02c0"}`},
		{"POST", "/v1/txs", `{"raw":"0x"}`},
		{"POST", "/v1/txs", `{"raw":null}`},
		{"POST", "/v1/txs", `{"raw":"0x00"} {}`},
		{"POST", "/v1/txs", `{"raw":"0x00","more":1}`},
		{"POST", "/v1/call", `{"to":"` + addr1.Hex() + `","data":"0x"}`},
		{"POST", "/v1/call", `{"from":"` + addr0.Hex() + `","to":"` + addr1.Hex() + `","value":"1000","gas":21000}`},
		{"POST", "/v1/call", `{"data":"0x60006000f3"}`},
		{"POST", "/v1/call", `{"data":"0x5b600056"}`},
		{"POST", "/v1/call", `{"value":"-1"}`},
		{"POST", "/v1/call", `{"value":"0x10000000000000000000000000000000000000000000000000000000000000000"}`},
		{"POST", "/v1/call", ``},
		{"GET", "/v1/status", ``},
		{"GET", "/v1/blocks?from=0&limit=5", ``},
		{"GET", "/v1/blocks?from=latest&limit=0", ``},
		{"GET", "/v1/blocks?from=18446744073709551615", ``},
		{"GET", "/v1/blocks/1?full=true", ``},
		{"GET", "/v1/blocks/" + blk.Hash().Hex(), ``},
		{"GET", "/v1/blocks/latest?full=maybe", ``},
		{"GET", "/v1/txs/" + s.tx.Hash().Hex(), ``},
		{"GET", "/v1/txs/0x1234", ``},
		{"GET", "/v1/accounts/" + addr0.Hex(), ``},
		{"GET", "/v1/accounts/" + strings.ToLower(addr0.Hex()[2:]), ``},
		{"GET", "/v1/validators", ``},
		{"GET", "/v1/validators/" + addr0.Hex(), ``},
		{"GET", "/v1/validators/" + addr1.Hex(), ``},
		{"GET", "/v1/delegations/" + addr1.Hex(), ``},
		{"GET", "/v1/delegations/0x1234", ``},
		{"GET", "/v1/mempool", ``},
		{"GET", "/v1/peers", ``},
		{"GET", "/v1/openapi.json", ``},
		{"DELETE", "/v1/txs", ``},
		{"GET", "/v1//blocks", ``},
		{"GET", "/nope", ``},
		{"PUT", "/v1/call", `{}`},
	} {
		f.Add(seed.method, seed.target, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		code, out, ok := s.serve(t, method, target, body)
		if !ok {
			return
		}
		req, _ := http.NewRequest(method, "http://cairn.test"+target, nil)
		path := req.URL.Path
		switch {
		case code == http.StatusOK && method == http.MethodPost && path == "/v1/txs":
			s.checkSent(t, body, out)
		case code == http.StatusOK && method == http.MethodPost && path == "/v1/call":
			var res api.CallResult
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&res); err != nil {
				t.Fatalf("call answered %q: %v", out, err)
			}
		}
	})
}
