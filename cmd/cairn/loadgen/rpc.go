package loadgen

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Defaults of the JSON-RPC target's tracking.
const (
	DefaultReceiptBatch = 500 // receipts asked for per poll
	maxBlockBatch       = 16  // blocks asked for per batch request
)

// RPC is any chain reached through Ethereum JSON-RPC over HTTP: Cairn's
// own endpoint, geth, anvil… It reads eth_chainId,
// eth_getTransactionCount (pending), eth_getBalance and
// eth_getBlockByNumber, sends with eth_sendRawTransaction, and follows
// inclusion either by reading each new block (eth_blockNumber +
// eth_getBlockByNumber, the default: one request per block however many
// transactions it holds) or, with Receipts, by polling
// eth_getTransactionReceipt for the oldest awaited transactions in batch
// requests. On chains without instant finality "final" means included.
type RPC struct {
	url string
	hc  *http.Client
	// Poll is how often Track polls (DefaultPoll if zero).
	Poll time.Duration
	// Receipts selects receipt polling instead of reading blocks.
	Receipts bool
	// ReceiptBatch is how many receipts one poll asks for at most
	// (DefaultReceiptBatch if zero).
	ReceiptBatch int
	id           atomic.Uint64
}

// NewRPC returns the JSON-RPC target at url (or host:port) using hc for
// every request.
func NewRPC(url string, hc *http.Client) (*RPC, error) {
	u, err := baseURL(api.NormalizeURL(url))
	if err != nil {
		return nil, err
	}
	return &RPC{url: u, hc: hc}, nil
}

// Name describes the target.
func (c *RPC) Name() string { return "json-rpc " + c.url }

// ChainID calls eth_chainId.
func (c *RPC) ChainID(ctx context.Context) (*big.Int, error) {
	var q quantity
	if err := c.call(ctx, &q, "eth_chainId"); err != nil {
		return nil, fmt.Errorf("chain id: %w", err)
	}
	if q.big() == nil {
		return nil, fmt.Errorf("chain id: eth_chainId returned null")
	}
	return q.big(), nil
}

// rpcBlock is the part of an eth_getBlockByNumber answer the generator reads.
type rpcBlock struct {
	Number       quantity      `json:"number"`
	Timestamp    quantity      `json:"timestamp"` // unix seconds
	BaseFee      quantity      `json:"baseFeePerGas"`
	Transactions []common.Hash `json:"transactions"`
}

// Head reads the latest block (eth_getBlockByNumber "latest").
func (c *RPC) Head(ctx context.Context) (Head, error) {
	var b *rpcBlock
	if err := c.call(ctx, &b, "eth_getBlockByNumber", "latest", false); err != nil {
		return Head{}, fmt.Errorf("head: %w", err)
	}
	if b == nil {
		return Head{}, fmt.Errorf("head: no latest block")
	}
	h, err := b.Number.uint64("number")
	if err != nil {
		return Head{}, fmt.Errorf("head: %w", err)
	}
	return Head{Height: h, BaseFee: b.BaseFee.big()}, nil
}

// Account asks for the pending nonce and the balance in one batch.
func (c *RPC) Account(ctx context.Context, addr common.Address) (Account, error) {
	var nonce, bal quantity
	err := c.batch(ctx, []rpcCall{
		{method: "eth_getTransactionCount", params: []any{addr, "pending"}, result: &nonce},
		{method: "eth_getBalance", params: []any{addr, "latest"}, result: &bal},
	})
	if err != nil {
		return Account{}, fmt.Errorf("account %s: %w", addr.Hex(), err)
	}
	n, err := nonce.uint64("nonce")
	if err != nil {
		return Account{}, fmt.Errorf("account %s: %w", addr.Hex(), err)
	}
	if bal.big() == nil {
		return Account{}, fmt.Errorf("account %s: no balance", addr.Hex())
	}
	return Account{Nonce: n, Balance: bal.big()}, nil
}

// Send calls eth_sendRawTransaction. A JSON-RPC error is a *Rejection with
// the message classified into one of the mempool's reason codes.
func (c *RPC) Send(ctx context.Context, raw []byte) error {
	body := make([]byte, 0, len(raw)*2+96)
	body = append(body, `{"jsonrpc":"2.0","id":`...)
	body = strconv.AppendUint(body, c.id.Add(1), 10)
	body = append(body, `,"method":"eth_sendRawTransaction","params":["0x`...)
	body = hex.AppendEncode(body, raw)
	body = append(body, `"]}`...)
	resp, err := c.post(ctx, body)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	var r rpcResponse
	if err := decodeJSON(resp, &r, "eth_sendRawTransaction answer"); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if r.Error != nil {
		return &Rejection{Reason: classifyRPCError(r.Error.Message), Message: r.Error.Message}
	}
	return nil
}

// SendBatch sends one JSON-RPC batch of eth_sendRawTransaction calls.
// A call's JSON-RPC error is its *Rejection, as for Send.
func (c *RPC) SendBatch(ctx context.Context, raws [][]byte) ([]error, error) {
	if len(raws) == 0 {
		return nil, nil
	}
	ids := make(map[string]int, len(raws))
	body := make([]byte, 0, len(raws)*(2*len(raws[0])+96))
	body = append(body, '[')
	for i, raw := range raws {
		if i > 0 {
			body = append(body, ',')
		}
		id := c.id.Add(1)
		ids[strconv.FormatUint(id, 10)] = i
		body = append(body, `{"jsonrpc":"2.0","id":`...)
		body = strconv.AppendUint(body, id, 10)
		body = append(body, `,"method":"eth_sendRawTransaction","params":["0x`...)
		body = hex.AppendEncode(body, raw)
		body = append(body, `"]}`...)
	}
	body = append(body, ']')
	resp, err := c.post(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("send batch: %w", err)
	}
	var answers []rpcResponse
	if t := bytes.TrimSpace(resp); len(t) == 0 || t[0] != '[' {
		// A refused batch is one error object.
		var one rpcResponse
		if err := decodeJSON(t, &one, "eth_sendRawTransaction batch answer"); err != nil {
			return nil, fmt.Errorf("send batch: %w", err)
		}
		if one.Error != nil {
			return nil, fmt.Errorf("send batch: %w", one.Error)
		}
		return nil, errors.New("send batch: answer is not a batch")
	}
	if err := decodeJSON(resp, &answers, "eth_sendRawTransaction batch answer"); err != nil {
		return nil, fmt.Errorf("send batch: %w", err)
	}
	errs := make([]error, len(raws))
	seen := make([]bool, len(raws))
	for _, a := range answers {
		i, ok := ids[strings.Trim(string(a.ID), `"`)]
		if !ok {
			continue
		}
		seen[i] = true
		if a.Error != nil {
			errs[i] = &Rejection{Reason: classifyRPCError(a.Error.Message), Message: a.Error.Message}
		}
	}
	for i, ok := range seen {
		if !ok {
			errs[i] = errors.New("send batch: no answer for this transaction")
		}
	}
	return errs, nil
}

// Track follows blocks or polls receipts, as configured.
func (c *RPC) Track(ctx context.Context, from uint64, watch Watch, seen func([]Inclusion)) error {
	next := from + 1
	return pollUntilDone(ctx, c.Poll, "track inclusion", func() error {
		if c.Receipts {
			return c.pollReceipts(ctx, watch, seen)
		}
		return c.readBlocks(ctx, &next, seen)
	})
}

// readBlocks reads blocks next… up to eth_blockNumber, advancing next past
// each block delivered.
func (c *RPC) readBlocks(ctx context.Context, next *uint64, seen func([]Inclusion)) error {
	var q quantity
	if err := c.call(ctx, &q, "eth_blockNumber"); err != nil {
		return err
	}
	head, err := q.uint64("block number")
	if err != nil {
		return err
	}
	for *next <= head {
		n := min(head-*next+1, maxBlockBatch)
		blocks := make([]*rpcBlock, n)
		calls := make([]rpcCall, n)
		for i := range calls {
			calls[i] = rpcCall{method: "eth_getBlockByNumber",
				params: []any{hexutil.Uint64(*next + uint64(i)), false}, result: &blocks[i]}
		}
		if err := c.batch(ctx, calls); err != nil {
			return err
		}
		for i, b := range blocks {
			if b == nil {
				return nil // not served yet; next poll
			}
			var when time.Time
			if t := b.Timestamp.big(); t != nil && t.IsInt64() {
				when = time.Unix(t.Int64(), 0)
			}
			incs := make([]Inclusion, len(b.Transactions))
			for j, h := range b.Transactions {
				incs[j] = Inclusion{Hash: h, Height: *next + uint64(i), BlockTime: when}
			}
			seen(incs)
			*next++
		}
	}
	return nil
}

// pollReceipts asks for the receipts of the oldest awaited transactions.
func (c *RPC) pollReceipts(ctx context.Context, watch Watch, seen func([]Inclusion)) error {
	limit := c.ReceiptBatch
	if limit <= 0 {
		limit = DefaultReceiptBatch
	}
	hashes := watch(limit)
	if len(hashes) == 0 {
		return nil
	}
	type receipt struct {
		BlockNumber quantity `json:"blockNumber"`
	}
	receipts := make([]*receipt, len(hashes))
	calls := make([]rpcCall, len(hashes))
	for i, h := range hashes {
		calls[i] = rpcCall{method: "eth_getTransactionReceipt", params: []any{h}, result: &receipts[i]}
	}
	if err := c.batch(ctx, calls); err != nil {
		return err
	}
	var incs []Inclusion
	for i, r := range receipts {
		if r == nil {
			continue
		}
		h, err := r.BlockNumber.uint64("receipt block number")
		if err != nil {
			continue // a pending receipt, as some nodes report
		}
		incs = append(incs, Inclusion{Hash: hashes[i], Height: h})
	}
	if len(incs) > 0 {
		seen(incs)
	}
	return nil
}

// rpcCall is one call of a batch: its method, params and where to decode
// the result.
type rpcCall struct {
	method string
	params []any
	result any
}

// rpcRequest is a JSON-RPC 2.0 request object.
type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

// rpcResponse is a JSON-RPC 2.0 response object.
type rpcResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error formats the error as the node sent it.
func (e *rpcError) Error() string { return fmt.Sprintf("json-rpc error %d: %s", e.Code, e.Message) }

// call makes one JSON-RPC call and decodes its result into result.
func (c *RPC) call(ctx context.Context, result any, method string, params ...any) error {
	return c.batch(ctx, []rpcCall{{method: method, params: params, result: result}})
}

// batch sends calls as one request (a JSON-RPC batch when there are
// several) and decodes each result; any call's error fails the batch.
func (c *RPC) batch(ctx context.Context, calls []rpcCall) error {
	reqs := make([]rpcRequest, len(calls))
	byID := make(map[string]int, len(calls))
	for i, cl := range calls {
		params := cl.params
		if params == nil {
			params = []any{}
		}
		reqs[i] = rpcRequest{JSONRPC: "2.0", ID: c.id.Add(1), Method: cl.method, Params: params}
		byID[strconv.FormatUint(reqs[i].ID, 10)] = i
	}
	var payload any = reqs
	if len(reqs) == 1 {
		payload = reqs[0]
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s: %w", calls[0].method, err)
	}
	resp, err := c.post(ctx, body)
	if err != nil {
		return fmt.Errorf("%s: %w", calls[0].method, err)
	}
	var answers []rpcResponse
	if t := bytes.TrimSpace(resp); len(t) > 0 && t[0] == '[' {
		err = decodeJSON(t, &answers, calls[0].method+" batch answer")
	} else {
		var one rpcResponse
		err = decodeJSON(t, &one, calls[0].method+" answer")
		answers = []rpcResponse{one}
	}
	if err != nil {
		return err
	}
	done := make([]bool, len(calls))
	for _, a := range answers {
		i, ok := byID[strings.Trim(string(a.ID), `"`)]
		if !ok {
			if a.Error != nil {
				return fmt.Errorf("%s: %w", calls[0].method, a.Error)
			}
			continue
		}
		if a.Error != nil {
			return fmt.Errorf("%s: %w", calls[i].method, a.Error)
		}
		if err := decodeJSON(a.Result, calls[i].result, calls[i].method+" result"); err != nil {
			return err
		}
		done[i] = true
	}
	for i, ok := range done {
		if !ok {
			return fmt.Errorf("%s: no answer in the batch", calls[i].method)
		}
	}
	return nil
}

// post sends one JSON body and returns the 200 answer's body.
func (c *RPC) post(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := readBody(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &Rejection{Reason: "http_" + strconv.Itoa(resp.StatusCode), Message: truncate(string(bytes.TrimSpace(b)), 200)}
	}
	return b, nil
}

// rpcReasons maps fragments of the error messages of common Ethereum
// clients (geth, anvil, Cairn) to the mempool's reason codes, first match
// wins.
var rpcReasons = []struct{ fragment, reason string }{
	{"nonce too low", "nonce_too_low"},
	{"nonce too high", "nonce_too_high"},
	{"already known", "already_known"},
	{"known transaction", "already_known"},
	{"replacement transaction underpriced", "replacement_underpriced"},
	{"insufficient funds", "insufficient_funds"},
	{"less than block base fee", "fee_too_low"},
	{"underpriced", "fee_too_low"},
	{"fee too low", "fee_too_low"},
	{"pool is full", "pool_full"},
	{"txpool is full", "pool_full"},
	{"intrinsic gas", "intrinsic_gas"},
	{"exceeds block gas limit", "gas_limit_exceeded"},
	{"invalid sender", "invalid_signature"},
	{"invalid signature", "invalid_signature"},
	{"chain id", "wrong_chain_id"},
	{"replay-protected", "wrong_chain_id"},
	{"oversized", "oversized"},
}

// classifyRPCError returns the reason code for a JSON-RPC error message,
// "rpc_error" when none fits. Cairn's own endpoint puts the reason code
// first ("nonce_too_low: …"), which is taken as is.
func classifyRPCError(msg string) string {
	m := strings.ToLower(msg)
	if code, _, ok := strings.Cut(m, ":"); ok && isReasonCode(code) {
		return code
	}
	for _, r := range rpcReasons {
		if strings.Contains(m, r.fragment) {
			return r.reason
		}
	}
	return "rpc_error"
}

// isReasonCode reports whether s looks like a snake_case reason code.
func isReasonCode(s string) bool {
	if s == "" || !strings.Contains(s, "_") {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}
