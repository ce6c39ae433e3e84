package ethrpc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzMethods are the methods FuzzJSONRPC calls with arbitrary parameters.
var fuzzMethods = []string{
	"web3_sha3", "eth_getBalance", "eth_getTransactionCount", "eth_getCode", "eth_getStorageAt",
	"eth_call", "eth_estimateGas", "eth_createAccessList", "eth_sendRawTransaction",
	"eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getBlockReceipts",
	"eth_getBlockByNumber", "eth_getBlockByHash", "eth_getBlockTransactionCountByNumber",
	"eth_getTransactionByBlockNumberAndIndex", "eth_getLogs", "eth_newFilter", "eth_getFilterChanges",
	"eth_getFilterLogs", "eth_uninstallFilter", "eth_feeHistory", "eth_getProof", "eth_subscribe",
}

// FuzzJSONRPC sends arbitrary parameters to every method, and arbitrary
// bodies: each answer is a JSON-RPC response (or a batch of them), and no
// method ever crashes (geth's server turns a panic into -32603).
func FuzzJSONRPC(f *testing.F) {
	fx := newFixture(f)
	ctr := fx.deployCounter(0)
	for i := range fuzzMethods {
		f.Add(uint8(i), []byte(`["latest"]`))
		f.Add(uint8(i), []byte(`["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","latest"]`))
	}
	f.Add(uint8(5), []byte(`[{"to":"`+ctr.Hex()+`","data":"0x06661abd"},"latest",{"`+ctr.Hex()+`":{"stateDiff":{}}}]`))
	f.Add(uint8(16), []byte(`[{"fromBlock":"0x0","topics":[null,["0x01"]]}]`))
	f.Add(uint8(21), []byte(`["0x10","latest",[1,50,99.5]]`))
	f.Add(uint8(255), []byte(`[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"id":2}]`))
	handler := fx.srv.Handler()
	f.Fuzz(func(t *testing.T, which uint8, params []byte) {
		var body string
		if int(which) < len(fuzzMethods) {
			body = `{"jsonrpc":"2.0","id":1,"method":"` + fuzzMethods[which] + `","params":` + string(params) + `}`
		} else {
			body = string(params) // a whole body of its own
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		out := strings.TrimSpace(rec.Body.String())
		if out == "" {
			return // a body with no request gets no answer
		}
		var answers []rpcAnswer
		if strings.HasPrefix(out, "[") {
			if err := json.Unmarshal([]byte(out), &answers); err != nil {
				t.Fatalf("answer to %q is not a batch of responses: %s", body, out)
			}
		} else {
			var a rpcAnswer
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatalf("answer to %q is not a response: %s", body, out)
			}
			answers = append(answers, a)
		}
		for _, a := range answers {
			if a.Error != nil && a.Error.Code == -32603 {
				t.Fatalf("%q crashed a handler: %s", body, out)
			}
		}
	})
}
