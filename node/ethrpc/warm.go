package ethrpc

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"cairn/vm"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// go-ethereum's rpc server runs a batch's calls one after another, so a
// batch of eth_sendRawTransaction would recover its senders on one core.
// warmSenders reads an HTTP batch before the server does and recovers the
// senders of every eth_sendRawTransaction in it across all cores with the
// chain's caching signer; the mempool, sharing that signer, then finds
// each sender cached by hash. It only warms the cache: the body goes on
// unchanged, and anything it cannot make sense of is left to the server.
type warmSenders struct {
	next    http.Handler
	signer  types.Signer
	maxBody int
	// maxItems is the server's batch limit: a larger batch is refused
	// whole, so it is not warmed either.
	maxItems int
}

// batchCall is the part of a JSON-RPC request warmSenders looks at.
type batchCall struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func (ws *warmSenders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Body == nil {
		ws.next.ServeHTTP(w, r)
		return
	}
	// Read at most one byte past the server's own limit, so that it still
	// sees an oversized body as one and refuses it.
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(ws.maxBody)+1))
	rest := r.Body
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), rest), rest}
	if err == nil && len(body) <= ws.maxBody {
		ws.warm(body)
	}
	ws.next.ServeHTTP(w, r)
}

// warm recovers the senders of the batch's eth_sendRawTransaction calls.
func (ws *warmSenders) warm(body []byte) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return
	}
	var calls []batchCall
	if json.Unmarshal(trimmed, &calls) != nil || len(calls) > ws.maxItems {
		return
	}
	txs := make([]*types.Transaction, 0, len(calls))
	for _, c := range calls {
		if c.Method != "eth_sendRawTransaction" || len(c.Params) != 1 {
			continue
		}
		var raw hexutil.Bytes
		if json.Unmarshal(c.Params[0], &raw) != nil {
			continue
		}
		tx := new(types.Transaction)
		if tx.UnmarshalBinary(raw) != nil {
			continue
		}
		txs = append(txs, tx)
	}
	if len(txs) > 1 {
		vm.RecoverSenders(ws.signer, txs)
	}
}
