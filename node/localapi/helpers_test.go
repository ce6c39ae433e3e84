package localapi

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/api/apitest"
	"cairn/node/events"
	"cairn/node/mempool"
	"cairn/vm/vmtest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// The first two keys of the public development mnemonic (Hardhat/Anvil
// accounts 0 and 1), funded by the devnet genesis.
var (
	key0 = mustKey("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	key1 = mustKey("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
	// keyPoor has no funds on the devnet.
	keyPoor = mustKey("0101010101010101010101010101010101010101010101010101010101010101")
	addr0   = crypto.PubkeyToAddress(key0.PublicKey)
	addr1   = crypto.PubkeyToAddress(key1.PublicKey)
	gwei    = big.NewInt(params.GWei)
)

func mustKey(h string) *ecdsa.PrivateKey {
	k, err := crypto.HexToECDSA(h)
	if err != nil {
		panic(err)
	}
	return k
}

// t0 is the fixture clock's start: one minute after the devnet genesis.
var t0 = time.UnixMilli(int64(chain.Devnet().Time)).Add(time.Minute)

// fixture is a devnet chain in a temp dir with a real mempool, event bus,
// Local service, REST server and client.
type fixture struct {
	t         *testing.T
	chain     *chain.Chain
	pool      *mempool.Pool
	bus       *events.Bus
	local     *Local
	srv       *httptest.Server
	client    *api.Client
	signer    types.Signer
	validator common.Address
	clock     atomic.Int64 // unix nanoseconds
}

type fixtureOptions struct {
	local  func(*Config)
	server func(*api.ServerOptions)
	pool   func(*mempool.Config)
}

func newFixture(t *testing.T, opts ...fixtureOptions) *fixture {
	t.Helper()
	store, err := chain.OpenStore(filepath.Join(t.TempDir(), "chain.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c, err := chain.Open(store, chain.Devnet(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f := &fixture{t: t, chain: c, bus: &events.Bus{}, signer: c.Signer(), validator: c.Validators().Validators[0].Address}
	f.clock.Store(t0.UnixNano())
	pcfg := mempool.Config{
		ChainID: c.ChainID(), BlockGasLimit: c.Params().GasLimit, MaxTxGas: c.Params().MaxTxGas,
		MinBaseFee: c.Params().MinBaseFee.Int(), Now: f.now,
		OnAdd: func(tx *types.Transaction, from common.Address, _ mempool.Origin) {
			f.bus.Publish(events.Event{Tx: tx, TxFrom: from})
		},
	}
	lcfg := Config{
		Chain: c, Bus: f.bus, Now: f.now,
		Info: func() NodeInfo {
			v := f.validator
			return NodeInfo{Validator: &v, Started: t0.Add(-90 * time.Second), Version: "test-1.0"}
		},
	}
	var scfg api.ServerOptions
	for _, o := range opts {
		if o.pool != nil {
			o.pool(&pcfg)
		}
		if o.local != nil {
			o.local(&lcfg)
		}
		if o.server != nil {
			o.server(&scfg)
		}
	}
	f.pool = mempool.New(pcfg, f.headState(), c.NextBaseFee(c.Head().Header))
	lcfg.Pool = f.pool
	f.local = New(lcfg)
	f.srv = httptest.NewServer(api.NewServer(f.local, scfg))
	t.Cleanup(f.srv.Close)
	f.client = api.NewClient(f.srv.URL, nil)
	return f
}

func (f *fixture) now() time.Time { return time.Unix(0, f.clock.Load()) }

func (f *fixture) advance(d time.Duration) { f.clock.Add(int64(d)) }

// stateView is the mempool's view of a head state.
type stateView struct{ st *state.StateDB }

func (s stateView) Nonce(a common.Address) uint64     { return s.st.GetNonce(a) }
func (s stateView) Balance(a common.Address) *big.Int { return s.st.GetBalance(a).ToBig() }

func (f *fixture) headState() stateView {
	st, err := f.chain.State()
	if err != nil {
		f.t.Fatal(err)
	}
	return stateView{st}
}

// produce builds, commits and announces the next block from the mempool,
// as the node's block loop does, with a commit signed by the devnet
// validator.
func (f *fixture) produce() *chain.Block {
	f.t.Helper()
	head := f.chain.Head()
	sel := f.pool.Select(f.chain.NextBaseFee(head.Header))
	var last *chain.Commit
	if head.Height() > 0 {
		var err error
		if last, err = f.chain.CommitAt(head.Height()); err != nil {
			f.t.Fatal(err)
		}
	}
	b, res, dropped, err := f.chain.Propose(chain.Proposal{
		Proposer: f.validator, Time: head.Header.Time + 1000, LastCommit: last,
		VRFOutput: bytes.Repeat([]byte{byte(head.Height() + 1)}, 64), VRFProof: bytes.Repeat([]byte{0xaa}, 80),
	}, sel)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(dropped) > 0 {
		f.t.Fatalf("proposer dropped %d transactions: %s", len(dropped), dropped[0].Reason)
	}
	vote := &chain.Vote{Type: chain.Precommit, Height: b.Height(), BlockHash: b.Hash(), Validator: f.validator}
	vote.Sign(f.chain.ChainID(), chain.DevnetValidatorKey())
	commit := &chain.Commit{Height: b.Height(), BlockHash: b.Hash(), Signatures: []chain.CommitSig{{Validator: f.validator, Signature: vote.Signature}}}
	if err := f.chain.Commit(b, res, commit); err != nil {
		f.t.Fatal(err)
	}
	f.pool.Update(f.headState(), f.chain.NextBaseFee(b.Header))
	f.bus.Publish(events.Event{Block: b})
	return b
}

// dynTx signs an EIP-1559 transaction (fee cap 10 gwei, tip 1 gwei).
func (f *fixture) dynTx(k *ecdsa.PrivateKey, nonce uint64, to *common.Address, value *big.Int, gas uint64, data []byte) *types.Transaction {
	return types.MustSignNewTx(k, f.signer, &types.DynamicFeeTx{
		ChainID: f.chain.ChainID(), Nonce: nonce, GasTipCap: gwei, GasFeeCap: new(big.Int).Mul(big.NewInt(10), gwei),
		Gas: gas, To: to, Value: value, Data: data,
	})
}

// legacyTx signs an EIP-155 legacy transfer at 5 gwei.
func (f *fixture) legacyTx(k *ecdsa.PrivateKey, nonce uint64, to common.Address, value *big.Int) *types.Transaction {
	return types.MustSignNewTx(k, f.signer, &types.LegacyTx{
		Nonce: nonce, GasPrice: new(big.Int).Mul(big.NewInt(5), gwei), Gas: params.TxGas, To: &to, Value: value,
	})
}

func rawHex(t *testing.T, tx *types.Transaction) string {
	t.Helper()
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return "0x" + hex.EncodeToString(b)
}

// send posts tx to /v1/txs and fails unless it is admitted.
func (f *fixture) send(tx *types.Transaction) {
	f.t.Helper()
	code, body := f.do("POST", "/v1/txs", `{"raw":"`+rawHex(f.t, tx)+`"}`)
	if code != 200 {
		f.t.Fatalf("send %s: %d %s", tx.Hash(), code, body)
	}
	if got := apitest.JSONMap(f.t, body)["hash"]; got != tx.Hash().Hex() {
		f.t.Fatalf("send returned hash %v, want %s", got, tx.Hash().Hex())
	}
}

// do sends a request to the test server and returns status and body.
func (f *fixture) do(method, path, body string) (int, []byte) {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Fatalf("%s %s: content type %q, want application/json (body %s)", method, path, ct, data)
	}
	return resp.StatusCode, data
}

// getOK fetches path and fails unless it answers 200 with a JSON object.
func (f *fixture) getOK(path string) map[string]any {
	f.t.Helper()
	code, body := f.do("GET", path, "")
	if code != 200 {
		f.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	return apitest.JSONMap(f.t, body)
}

var (
	hashRe    = regexp.MustCompile(`^0x[0-9a-f]{64}$`)
	addressRe = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)
	hexRe     = regexp.MustCompile(`^0x([0-9a-f]{2})*$`)
	amountRe  = regexp.MustCompile(`^[0-9]+$`)
)

// checkShape asserts that obj has exactly the keys of spec, each of the
// kind named: number, string, bool, object, array, null, hash, address,
// hex, amount, or "a|b" for either.
func checkShape(t *testing.T, what string, obj map[string]any, spec map[string]string) {
	t.Helper()
	var extra []string
	for k := range obj {
		if _, ok := spec[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("%s: unexpected fields %v", what, extra)
	}
	for k, kinds := range spec {
		v, ok := obj[k]
		if !ok {
			t.Errorf("%s: missing field %q", what, k)
			continue
		}
		matched := false
		for _, kind := range strings.Split(kinds, "|") {
			if isKind(v, kind) {
				matched = true
				break
			}
		}
		if !matched {
			t.Errorf("%s.%s = %#v, want %s", what, k, v, kinds)
		}
	}
}

func isKind(v any, kind string) bool {
	s, isStr := v.(string)
	switch kind {
	case "number":
		_, ok := v.(float64)
		return ok
	case "string":
		return isStr
	case "bool":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "null":
		return v == nil
	case "hash":
		return isStr && hashRe.MatchString(s)
	case "address":
		return isStr && addressRe.MatchString(s)
	case "hex":
		return isStr && hexRe.MatchString(s)
	case "amount":
		return isStr && amountRe.MatchString(s)
	}
	panic("unknown kind " + kind)
}

// readTestdata returns the creation code of a test contract.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	return vmtest.MustLoad(strings.TrimSuffix(name, ".bin")).Code
}
