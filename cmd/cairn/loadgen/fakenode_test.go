package loadgen

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// fakeNode is a test double of a node that serves both Cairn's REST API
// and Ethereum JSON-RPC. It decodes every submitted transaction, checks
// its chain ID, signature, nonce, fees and balance as a mempool would,
// records the order in which each sender's nonces arrived, and includes
// pooled transactions in a block only when the test calls include.
type fakeNode struct {
	t       *testing.T
	chainID *big.Int
	signer  types.Signer
	clock   Clock // stamps arrivals; nil for none

	arrived chan struct{} // signalled (without blocking) on each admission

	mu       sync.Mutex
	baseFee  *big.Int
	accounts map[common.Address]*fakeAccount
	pool     map[common.Address]map[uint64]*types.Transaction
	arrivals []arrival
	blocks   []fakeBlock
	txBlock  map[common.Hash]uint64
	// reject, if set, refuses a transaction with the returned reason code.
	reject func(tx *types.Transaction, from common.Address) string
	// sendStatus, if set, answers POST /v1/txs with this status and a
	// plain-text body instead of admitting.
	sendStatus int
	// sendRequests counts the requests that submitted transactions, and
	// largestBatch the most transactions one of them carried.
	sendRequests, largestBatch int
}

type fakeAccount struct {
	nonce   uint64
	balance *big.Int
}

// arrival is one admitted transaction, in arrival order.
type arrival struct {
	from  common.Address
	tx    *types.Transaction
	at    time.Time
	order int
}

type fakeBlock struct {
	height uint64
	timeMs int64
	hashes []common.Hash
}

func newFakeNode(t *testing.T, chainID int64) *fakeNode {
	id := big.NewInt(chainID)
	return &fakeNode{
		t:        t,
		chainID:  id,
		signer:   types.LatestSignerForChainID(id),
		arrived:  make(chan struct{}, 1),
		baseFee:  big.NewInt(1_000_000_000),
		accounts: map[common.Address]*fakeAccount{},
		pool:     map[common.Address]map[uint64]*types.Transaction{},
		txBlock:  map[common.Hash]uint64{},
		blocks:   []fakeBlock{{height: 0, timeMs: 1_000}},
	}
}

// fundAccount sets an account's balance (in whole ether) and nonce.
func (n *fakeNode) fundAccount(addr common.Address, ether int64, nonce uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	bal := new(big.Int).Mul(big.NewInt(ether), big.NewInt(1e18))
	n.accounts[addr] = &fakeAccount{nonce: nonce, balance: bal}
}

func (n *fakeNode) account(addr common.Address) *fakeAccount {
	a := n.accounts[addr]
	if a == nil {
		a = &fakeAccount{balance: new(big.Int)}
		n.accounts[addr] = a
	}
	return a
}

// admit runs the mempool checks and pools tx; it returns a reason code
// and message when it refuses.
func (n *fakeNode) admit(raw []byte) (common.Hash, string, string) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return common.Hash{}, "malformed", err.Error()
	}
	if tx.ChainId().Cmp(n.chainID) != 0 {
		return common.Hash{}, "wrong_chain_id", "chain id " + tx.ChainId().String()
	}
	from, err := types.Sender(n.signer, tx)
	if err != nil {
		return common.Hash{}, "invalid_signature", err.Error()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.reject != nil {
		if reason := n.reject(tx, from); reason != "" {
			return common.Hash{}, reason, "refused by the test"
		}
	}
	acc := n.account(from)
	if tx.Nonce() < acc.nonce {
		return common.Hash{}, "nonce_too_low", fmt.Sprintf("nonce %d below %d", tx.Nonce(), acc.nonce)
	}
	if n.pool[from][tx.Nonce()] != nil {
		return common.Hash{}, "already_known", "nonce already pooled"
	}
	if tx.GasFeeCap().Cmp(n.baseFee) < 0 {
		return common.Hash{}, "fee_too_low", "fee cap below base fee"
	}
	if tx.Cost().Cmp(acc.balance) > 0 {
		return common.Hash{}, "insufficient_funds", fmt.Sprintf("balance %s, cost %s", acc.balance, tx.Cost())
	}
	if n.pool[from] == nil {
		n.pool[from] = map[uint64]*types.Transaction{}
	}
	n.pool[from][tx.Nonce()] = tx
	var at time.Time
	if n.clock != nil {
		at = n.clock.Now()
	}
	n.arrivals = append(n.arrivals, arrival{from: from, tx: tx, at: at, order: len(n.arrivals)})
	select {
	case n.arrived <- struct{}{}:
	default:
	}
	return tx.Hash(), "", ""
}

// include puts every pooled transaction that is executable (contiguous
// from its sender's nonce) into one new block, applies the transfers and
// returns how many it included. Blocks are 1 s apart in their own time.
func (n *fakeNode) include() int { return n.includeBelow(^uint64(0)) }

// includeBelow is include limited to nonces below limit.
func (n *fakeNode) includeBelow(limit uint64) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	b := fakeBlock{height: uint64(len(n.blocks)), timeMs: n.blocks[len(n.blocks)-1].timeMs + 1000}
	for from, txs := range n.pool {
		acc := n.account(from)
		for {
			tx := txs[acc.nonce]
			if tx == nil || acc.nonce >= limit {
				break
			}
			delete(txs, acc.nonce)
			price := new(big.Int).Add(n.baseFee, tx.GasTipCap())
			if price.Cmp(tx.GasFeeCap()) > 0 {
				price.Set(tx.GasFeeCap())
			}
			fee := new(big.Int).Mul(price, new(big.Int).SetUint64(tx.Gas()))
			acc.balance.Sub(acc.balance, fee)
			acc.balance.Sub(acc.balance, tx.Value())
			n.account(*tx.To()).balance.Add(n.account(*tx.To()).balance, tx.Value())
			acc.nonce++
			b.hashes = append(b.hashes, tx.Hash())
			n.txBlock[tx.Hash()] = b.height
		}
	}
	n.blocks = append(n.blocks, b)
	return len(b.hashes)
}

// drive includes a block after every admission until done yields, then
// returns what it yielded: the test, not a timer, makes blocks.
func drive[T any](n *fakeNode, done <-chan T) T {
	for {
		select {
		case <-n.arrived:
			n.include()
		case v := <-done:
			return v
		}
	}
}

// arrivalsBy returns each sender's admitted nonces in arrival order.
func (n *fakeNode) arrivalsBy() map[common.Address][]uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[common.Address][]uint64{}
	for _, a := range n.arrivals {
		out[a.from] = append(out[a.from], a.tx.Nonce())
	}
	return out
}

func (n *fakeNode) allArrivals() []arrival {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]arrival(nil), n.arrivals...)
}

func (n *fakeNode) balance(addr common.Address) *big.Int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return new(big.Int).Set(n.account(addr).balance)
}

func (n *fakeNode) head() fakeBlock {
	return n.blocks[len(n.blocks)-1]
}

// start serves the node over HTTP: REST under /v1, JSON-RPC at /.
func (n *fakeNode) start() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", n.restStatus)
	mux.HandleFunc("GET /v1/blocks/{id}", n.restBlock)
	mux.HandleFunc("GET /v1/accounts/{addr}", n.restAccount)
	mux.HandleFunc("POST /v1/txs", n.restSend)
	mux.HandleFunc("POST /{$}", n.rpc)
	srv := httptest.NewServer(mux)
	n.t.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func restError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (n *fakeNode) restStatus(w http.ResponseWriter, _ *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	writeJSON(w, 200, map[string]any{"chainId": n.chainID.Uint64(), "height": n.head().height,
		"finalizedHeight": n.head().height})
}

func (n *fakeNode) restBlock(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := r.PathValue("id")
	var b fakeBlock
	if id == "latest" {
		b = n.head()
	} else {
		h, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			restError(w, 400, "bad_request", "bad height")
			return
		}
		if h >= uint64(len(n.blocks)) {
			restError(w, 404, "not_found", "no such block")
			return
		}
		b = n.blocks[h]
	}
	hashes := append([]common.Hash{}, b.hashes...)
	writeJSON(w, 200, map[string]any{"height": b.height, "time": b.timeMs, "baseFee": n.baseFee.String(),
		"transactions": hashes, "txCount": len(hashes)})
}

func (n *fakeNode) restAccount(w http.ResponseWriter, r *http.Request) {
	if !common.IsHexAddress(r.PathValue("addr")) {
		restError(w, 400, "bad_request", "bad address")
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	a := n.account(common.HexToAddress(r.PathValue("addr")))
	writeJSON(w, 200, map[string]any{"balance": a.balance.String(), "nonce": a.nonce, "isContract": false})
}

func (n *fakeNode) restSend(w http.ResponseWriter, r *http.Request) {
	if n.sendStatus != 0 {
		w.WriteHeader(n.sendStatus)
		_, _ = io.WriteString(w, "overloaded")
		return
	}
	var body struct {
		Raw hexutil.Bytes   `json:"raw"`
		Txs []hexutil.Bytes `json:"txs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		restError(w, 400, "bad_request", err.Error())
		return
	}
	n.countSend(max(1, len(body.Txs)))
	if body.Txs != nil {
		results := make([]map[string]any, len(body.Txs))
		for i, raw := range body.Txs {
			hash, code, msg := n.admit(raw)
			if code != "" {
				results[i] = map[string]any{"error": map[string]any{"code": code, "message": msg}}
			} else {
				results[i] = map[string]any{"hash": hash}
			}
		}
		writeJSON(w, 200, map[string]any{"results": results})
		return
	}
	hash, code, msg := n.admit(body.Raw)
	if code != "" {
		restError(w, 422, code, msg)
		return
	}
	writeJSON(w, 200, map[string]any{"hash": hash})
}

// countSend records one submitting request of size transactions.
func (n *fakeNode) countSend(size int) {
	n.mu.Lock()
	n.sendRequests++
	n.largestBatch = max(n.largestBatch, size)
	n.mu.Unlock()
}

type fakeRPCReq struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func (n *fakeNode) rpc(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(400)
		return
	}
	if strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
		var reqs []fakeRPCReq
		if err := json.Unmarshal(body, &reqs); err != nil {
			w.WriteHeader(400)
			return
		}
		if len(reqs) > 0 && reqs[0].Method == "eth_sendRawTransaction" {
			n.countSend(len(reqs))
		}
		out := make([]any, len(reqs))
		for i, req := range reqs {
			out[len(reqs)-1-i] = n.rpcOne(req) // answer in reverse order: ids must be matched
		}
		writeJSON(w, 200, out)
		return
	}
	var req fakeRPCReq
	if err := json.Unmarshal(body, &req); err != nil {
		w.WriteHeader(400)
		return
	}
	writeJSON(w, 200, n.rpcOne(req))
}

func (n *fakeNode) rpcOne(req fakeRPCReq) map[string]any {
	res := map[string]any{"jsonrpc": "2.0", "id": req.ID}
	fail := func(msg string) map[string]any {
		res["error"] = map[string]any{"code": -32000, "message": msg}
		return res
	}
	param := func(i int, v any) error {
		if i >= len(req.Params) {
			return fmt.Errorf("missing param %d", i)
		}
		return json.Unmarshal(req.Params[i], v)
	}
	switch req.Method {
	case "eth_chainId":
		res["result"] = hexutil.EncodeBig(n.chainID)
	case "eth_blockNumber":
		n.mu.Lock()
		res["result"] = hexutil.Uint64(n.head().height)
		n.mu.Unlock()
	case "eth_getTransactionCount", "eth_getBalance":
		var addr common.Address
		if err := param(0, &addr); err != nil {
			return fail(err.Error())
		}
		n.mu.Lock()
		a := n.account(addr)
		if req.Method == "eth_getBalance" {
			res["result"] = hexutil.EncodeBig(a.balance)
		} else {
			pending := a.nonce
			for n.pool[addr][pending] != nil {
				pending++
			}
			res["result"] = hexutil.Uint64(pending)
		}
		n.mu.Unlock()
	case "eth_getBlockByNumber":
		var tag string
		if err := param(0, &tag); err != nil {
			return fail(err.Error())
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		b := n.head()
		if tag != "latest" {
			h, err := hexutil.DecodeUint64(tag)
			if err != nil {
				return fail(err.Error())
			}
			if h >= uint64(len(n.blocks)) {
				res["result"] = nil
				return res
			}
			b = n.blocks[h]
		}
		res["result"] = map[string]any{"number": hexutil.Uint64(b.height), "timestamp": hexutil.Uint64(b.timeMs / 1000),
			"baseFeePerGas": hexutil.EncodeBig(n.baseFee), "transactions": append([]common.Hash{}, b.hashes...)}
	case "eth_sendRawTransaction":
		var raw hexutil.Bytes
		if err := param(0, &raw); err != nil {
			return fail(err.Error())
		}
		hash, code, msg := n.admit(raw)
		if code != "" {
			// Spell errors as geth does, so that classification is exercised.
			geth := map[string]string{"nonce_too_low": "nonce too low", "insufficient_funds": "insufficient funds for gas * price + value",
				"already_known": "already known", "fee_too_low": "max fee per gas less than block base fee"}
			if g, ok := geth[code]; ok {
				msg = g + ": " + msg
			} else {
				msg = code + ": " + msg
			}
			return fail(msg)
		}
		res["result"] = hash
	case "eth_getTransactionReceipt":
		var h common.Hash
		if err := param(0, &h); err != nil {
			return fail(err.Error())
		}
		n.mu.Lock()
		height, ok := n.txBlock[h]
		n.mu.Unlock()
		if !ok {
			res["result"] = nil
		} else {
			res["result"] = map[string]any{"transactionHash": h, "blockNumber": hexutil.Uint64(height), "status": "0x1"}
		}
	default:
		res["error"] = map[string]any{"code": -32601, "message": "method not found"}
	}
	return res
}

// testKeys returns n deterministic keys.
func testKeys(t *testing.T, n int) ([]*ecdsa.PrivateKey, []common.Address) {
	t.Helper()
	keys := make([]*ecdsa.PrivateKey, n)
	addrs := make([]common.Address, n)
	for i := range keys {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("loadgen test key %d", i))))
		if err != nil {
			t.Fatal(err)
		}
		keys[i], addrs[i] = k, crypto.PubkeyToAddress(k.PublicKey)
	}
	return keys, addrs
}

// fakeClock is a Clock that only moves when slept on: SleepUntil jumps it
// to the deadline (never backwards) and records the deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, t)
	if t.After(c.now) {
		c.now = t
	}
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
