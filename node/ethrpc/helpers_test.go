package ethrpc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/events"
	"cairn/node/mempool"
	"cairn/vm/vmtest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// The first two keys of the public development mnemonic, funded by the
// devnet genesis, and one with no funds.
var (
	key0    = mustKey("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	key1    = mustKey("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
	keyPoor = mustKey("0101010101010101010101010101010101010101010101010101010101010101")
	addr0   = crypto.PubkeyToAddress(key0.PublicKey)
	addr1   = crypto.PubkeyToAddress(key1.PublicKey)
	gwei    = big.NewInt(params.GWei)
	counter = vmtest.MustLoad("Counter")
)

// Contracts the fixture's genesis holds.
var (
	// revertEcho reverts with its call data, so a test chooses the revert
	// data (Error(string), Panic(uint256), a custom error).
	revertEchoAddr = common.HexToAddress("0x00000000000000000000000000000000000e0001")
	revertEchoCode = common.FromHex("366000600037366000fd")
	// slotReader returns the storage slot named by its call data; its
	// storage holds slots 1 and 2.
	slotReaderAddr = common.HexToAddress("0x00000000000000000000000000000000000e0002")
	slotReaderCode = common.FromHex("6000355460005260206000f3")
	slot1, slot2   = common.BigToHash(big.NewInt(1)), common.BigToHash(big.NewInt(2))
	slot1Value     = common.BigToHash(big.NewInt(42))
	slot2Value     = common.HexToHash("0xbeef")
	// proxy asks slotReader for slot 1 and returns it.
	proxyAddr = common.HexToAddress("0x00000000000000000000000000000000000e0003")
	proxyCode = common.FromHex("6001600052602060006020600073" + strings.TrimPrefix(slotReaderAddr.Hex(), "0x") + "5afa60206000f3")
)

func mustKey(h string) *ecdsa.PrivateKey {
	k, err := crypto.HexToECDSA(h)
	if err != nil {
		panic(err)
	}
	return k
}

// testGenesis is the devnet with the fixture's contracts.
func testGenesis() *chain.Genesis {
	g := chain.Devnet()
	one := chain.NewBigInt(big.NewInt(0))
	g.Alloc[revertEchoAddr] = chain.GenesisAccount{Balance: one, Code: revertEchoCode}
	g.Alloc[slotReaderAddr] = chain.GenesisAccount{Balance: one, Code: slotReaderCode,
		Storage: map[common.Hash]common.Hash{slot1: slot1Value, slot2: slot2Value}}
	g.Alloc[proxyAddr] = chain.GenesisAccount{Balance: one, Code: proxyCode}
	return g
}

// fixture is a chain in a temp dir with a real mempool and event bus, the
// endpoint over them on an httptest server, and a JSON-RPC client.
type fixture struct {
	t         testing.TB
	chain     *chain.Chain
	pool      *mempool.Pool
	bus       *events.Bus
	srv       *Server
	http      *httptest.Server
	rpc       *rpc.Client
	signer    types.Signer
	validator common.Address
	clock     atomic.Int64 // unix nanoseconds, the filters' clock
}

func newFixture(t testing.TB, opts ...func(*Config)) *fixture {
	t.Helper()
	store, err := chain.OpenStore(filepath.Join(t.TempDir(), "chain.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c, err := chain.Open(store, testGenesis(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f := &fixture{t: t, chain: c, bus: &events.Bus{}, signer: c.Signer(), validator: c.Validators().Validators[0].Address}
	f.clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	f.pool = mempool.New(mempool.Config{
		ChainID: c.ChainID(), BlockGasLimit: c.Params().GasLimit, MaxTxGas: c.Params().MaxTxGas,
		MinBaseFee: c.Params().MinBaseFee.Int(),
		OnAdd: func(tx *types.Transaction, from common.Address, _ mempool.Origin) {
			f.bus.Publish(events.Event{Tx: tx, TxFrom: from})
		},
	}, f.headState(), c.NextBaseFee(c.Head().Header))
	cfg := Config{Chain: c, Pool: f.pool, Bus: f.bus, ClientVersion: "Cairn/test", Now: f.now}
	for _, o := range opts {
		o(&cfg)
	}
	if f.srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.http.Close)
	t.Cleanup(f.srv.Close)
	if f.rpc, err = rpc.DialHTTP(f.http.URL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.rpc.Close)
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
// as the node does, with a commit signed by the devnet validator.
func (f *fixture) produce() *chain.Block {
	f.t.Helper()
	head := f.chain.Head()
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
	}, f.pool.Select(f.chain.NextBaseFee(head.Header)))
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

// send submits tx through eth_sendRawTransaction and fails unless it is
// admitted.
func (f *fixture) send(tx *types.Transaction) {
	f.t.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		f.t.Fatal(err)
	}
	var hash common.Hash
	if err := f.call(&hash, "eth_sendRawTransaction", hexBytes(raw)); err != nil {
		f.t.Fatalf("send %s: %v", tx.Hash(), err)
	}
	if hash != tx.Hash() {
		f.t.Fatalf("send returned %s, want %s", hash, tx.Hash())
	}
}

// deployCounter deploys the Counter contract from key0 in a block of its
// own and returns its address.
func (f *fixture) deployCounter(nonce uint64) common.Address {
	f.t.Helper()
	tx := f.dynTx(key0, nonce, nil, nil, 1_000_000, counter.Code)
	f.send(tx)
	f.produce()
	lk, err := f.chain.Transaction(tx.Hash())
	if err != nil {
		f.t.Fatal(err)
	}
	if lk.Receipt.Status != types.ReceiptStatusSuccessful {
		f.t.Fatal("Counter deployment failed")
	}
	return lk.Receipt.ContractAddress
}

func hexBytes(b []byte) string { return "0x" + common.Bytes2Hex(b) }

// call calls a method; result may be nil.
func (f *fixture) call(result any, method string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return f.rpc.CallContext(ctx, result, method, args...)
}

// raw calls a method and returns its result as JSON.
func (f *fixture) raw(method string, args ...any) json.RawMessage {
	f.t.Helper()
	var out json.RawMessage
	if err := f.call(&out, method, args...); err != nil {
		f.t.Fatalf("%s: %v", method, err)
	}
	return out
}

// object calls a method whose result is a JSON object.
func (f *fixture) object(method string, args ...any) map[string]any {
	f.t.Helper()
	var out map[string]any
	if err := json.Unmarshal(f.raw(method, args...), &out); err != nil {
		f.t.Fatalf("%s: result is not an object: %v", method, err)
	}
	return out
}

// wantCode checks that err is a JSON-RPC error with this code and returns
// its message and data.
func wantCode(t *testing.T, err error, code int) (string, any) {
	t.Helper()
	var re rpc.Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a JSON-RPC error; want code %d", err, err, code)
	}
	if re.ErrorCode() != code {
		t.Fatalf("error code %d (%v), want %d", re.ErrorCode(), err, code)
	}
	var data any
	var de rpc.DataError
	if errors.As(err, &de) {
		data = de.ErrorData()
	}
	return re.Error(), data
}

// post sends a raw HTTP request body to the endpoint.
func (f *fixture) post(path, contentType, body string, header ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.do(req)
}

func (f *fixture) do(req *http.Request) (*http.Response, []byte) {
	f.t.Helper()
	resp, err := f.http.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, data
}

// settle waits until the endpoint's feed has handled every event
// published so far: it publishes a marker and waits for the feed to pass
// it (events are handled in order).
func (f *fixture) settle() {
	f.t.Helper()
	marker := types.NewTx(&types.LegacyTx{Nonce: uint64(time.Now().UnixNano())})
	done := make(chan struct{})
	fn := func(e events.Event) {
		if e.Dropped == marker {
			close(done)
		}
	}
	f.srv.backend.feed.handled.Store(&fn)
	f.bus.Publish(events.Event{Dropped: marker, DroppedReason: "test marker"})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		f.t.Fatal("the feed did not handle the events published within 10s")
	}
}
