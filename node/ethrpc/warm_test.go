package ethrpc

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"cairn/vm"

	"github.com/ethereum/go-ethereum/params"
)

// TestSendRawTransactionBatch posts a JSON-RPC batch of
// eth_sendRawTransaction calls over HTTP: each gets its own hash or error,
// in order, all the valid ones are admitted, and their senders were
// recovered ahead of the calls into the chain's sender cache (the
// fixture's pool recovers with a signer of its own, so only the warm-up
// fills that cache here; the node gives the pool the chain's).
func TestSendRawTransactionBatch(t *testing.T) {
	f := newFixture(t)
	cache, ok := f.chain.Signer().(*vm.CachingSigner)
	if !ok {
		t.Fatalf("chain signer is %T, want *vm.CachingSigner", f.chain.Signer())
	}
	before := cache.Len()
	var items []string
	var want []string
	for n := uint64(0); n < 20; n++ {
		tx := f.dynTx(key0, n, &addr1, gwei, params.TxGas, nil)
		raw, _ := tx.MarshalBinary()
		items = append(items, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_sendRawTransaction","params":["%s"]}`, n, hexBytes(raw)))
		want = append(want, tx.Hash().Hex())
	}
	poor, _ := f.dynTx(keyPoor, 0, &addr1, gwei, params.TxGas, nil).MarshalBinary()
	items = append(items,
		fmt.Sprintf(`{"jsonrpc":"2.0","id":20,"method":"eth_sendRawTransaction","params":["%s"]}`, hexBytes(poor)),
		`{"jsonrpc":"2.0","id":21,"method":"eth_sendRawTransaction","params":["0x02ff"]}`,
		`{"jsonrpc":"2.0","id":22,"method":"eth_chainId","params":[]}`)
	resp, body := f.post("/", "application/json", "["+strings.Join(items, ",")+"]")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var out []struct {
		ID     int             `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(out) != len(items) {
		t.Fatalf("%d answers for %d calls", len(out), len(items))
	}
	byID := map[int]int{}
	for i, o := range out {
		byID[o.ID] = i
	}
	for n, h := range want {
		o := out[byID[n]]
		if o.Error != nil || strings.Trim(string(o.Result), `"`) != h {
			t.Fatalf("call %d: %s %+v, want %s", n, o.Result, o.Error, h)
		}
	}
	if o := out[byID[20]]; o.Error == nil || !strings.Contains(o.Error.Message, "insufficient funds") {
		t.Fatalf("poor sender: %s %+v", o.Result, o.Error)
	}
	if o := out[byID[21]]; o.Error == nil {
		t.Fatalf("malformed transaction admitted: %s", o.Result)
	}
	if o := out[byID[22]]; o.Error != nil {
		t.Fatalf("eth_chainId in the batch: %+v", o.Error)
	}
	if st := f.pool.Stats(); st.Pending != len(want) {
		t.Fatalf("%d pending, want %d", st.Pending, len(want))
	}
	if got := cache.Len() - before; got < len(want)+1 {
		t.Fatalf("%d senders cached by the batch, want at least %d", got, len(want)+1)
	}
}
