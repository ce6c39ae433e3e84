package localapi

import (
	"context"
	"errors"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cairn/node/api"
	"cairn/node/api/apitest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

func selector(sig string) []byte { return crypto.Keccak256([]byte(sig))[:4] }

// contracts deploys Counter and Spinner from vm/testdata and increments the
// counter once, in two blocks.
type contracts struct {
	counter, spinner    common.Address
	deployTx, incrTx    common.Hash
	incrBlock, depBlock uint64
}

func deployContracts(t *testing.T, f *fixture) contracts {
	t.Helper()
	var c contracts
	dep := f.dynTx(key0, 0, nil, big.NewInt(0), 500_000, readTestdata(t, "Counter.bin"))
	spin := f.dynTx(key0, 1, nil, big.NewInt(0), 500_000, readTestdata(t, "Spinner.bin"))
	f.send(dep)
	f.send(spin)
	c.depBlock = f.produce().Height()
	c.counter, c.spinner = crypto.CreateAddress(addr0, 0), crypto.CreateAddress(addr0, 1)
	incr := f.dynTx(key0, 2, &c.counter, big.NewInt(0), 100_000, selector("increment()"))
	f.send(incr)
	c.incrBlock = f.produce().Height()
	c.deployTx, c.incrTx = dep.Hash(), incr.Hash()
	return c
}

func TestContractReceiptsAndCall(t *testing.T) {
	f := newFixture(t)
	c := deployContracts(t, f)

	dep := f.getOK("/v1/txs/" + c.deployTx.Hex())
	if dep["to"] != nil {
		t.Fatalf("deploy tx to = %v, want null", dep["to"])
	}
	r := dep["receipt"].(map[string]any)
	if r["status"] != float64(1) || !strings.EqualFold(r["contractAddress"].(string), c.counter.Hex()) {
		t.Fatalf("deploy receipt = %v, want success creating %s", r, c.counter)
	}
	if acc := f.getOK("/v1/accounts/" + c.counter.Hex()); acc["isContract"] != true {
		t.Fatalf("counter account = %v, want isContract", acc)
	}

	incr := f.getOK("/v1/txs/" + c.incrTx.Hex())
	logs := incr["receipt"].(map[string]any)["logs"].([]any)
	if len(logs) != 1 {
		t.Fatalf("increment logs = %v, want 1", logs)
	}
	lg := logs[0].(map[string]any)
	checkShape(t, "log", lg, map[string]string{"address": "address", "topics": "array", "data": "hex", "logIndex": "number"})
	topics := lg["topics"].([]any)
	wantTopic0 := crypto.Keccak256Hash([]byte("Incremented(address,uint256)")).Hex()
	if !strings.EqualFold(lg["address"].(string), c.counter.Hex()) || len(topics) != 2 || topics[0] != wantTopic0 ||
		topics[1] != common.BytesToHash(addr0.Bytes()).Hex() || lg["data"] != common.BytesToHash([]byte{1}).Hex() {
		t.Fatalf("increment log = %v", lg)
	}

	// count() reads 1.
	code, body := f.do("POST", "/v1/call", `{"to":"`+c.counter.Hex()+`","data":"`+hexutil.Encode(selector("count()"))+`"}`)
	if code != 200 {
		t.Fatalf("call count(): %d %s", code, body)
	}
	res := apitest.JSONMap(t, body)
	checkShape(t, "call result", res, map[string]string{"returnData": "hex", "gasUsed": "number"})
	if res["returnData"] != common.BytesToHash([]byte{1}).Hex() {
		t.Fatalf("count() = %v, want 1", res["returnData"])
	}

	// add(0) reverts with a reason.
	add0 := append(selector("add(uint256)"), make([]byte, 32)...)
	code, body = f.do("POST", "/v1/call", `{"from":"`+addr0.Hex()+`","to":"`+c.counter.Hex()+`","data":"`+hexutil.Encode(add0)+`"}`)
	if code != 200 {
		t.Fatalf("call add(0): %d %s", code, body)
	}
	if e := apitest.JSONMap(t, body)["error"]; e != "execution reverted: n must be positive" {
		t.Fatalf("add(0) error = %v, want the revert reason", e)
	}

	// The infinite loop ends by gas under the default bounds.
	code, body = f.do("POST", "/v1/call", `{"to":"`+c.spinner.Hex()+`","data":"`+hexutil.Encode(selector("spin()"))+`"}`)
	if code != 200 {
		t.Fatalf("call spin(): %d %s", code, body)
	}
	if e := apitest.JSONMap(t, body)["error"]; e != "out of gas" {
		t.Fatalf("spin() error = %v, want out of gas", e)
	}

	// A value the caller cannot pay.
	code, body = f.do("POST", "/v1/call", `{"from":"`+crypto.PubkeyToAddress(keyPoor.PublicKey).Hex()+`","to":"`+addr1.Hex()+`","value":"1"}`)
	apitest.WantError(t, code, body, 400, api.CodeCallFailed)
}

func TestCallTimeBoundAndReturnCap(t *testing.T) {
	f := newFixture(t)
	c := deployContracts(t, f)

	// With gas no obstacle, only the clock can stop the loop.
	bounded := New(Config{Chain: f.chain, Pool: f.pool, Bus: f.bus, CallTimeout: 50 * time.Millisecond, CallGasCap: 1 << 50})
	srv := httptest.NewServer(api.NewServer(bounded, api.ServerOptions{}))
	defer srv.Close()
	spin := api.CallRequest{To: &c.spinner, Data: selector("spin()")}
	_, err := api.NewClient(srv.URL, nil).Call(context.Background(), spin)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != api.CodeTimeout {
		t.Fatalf("spin() with a time bound: %v, want a 400 timeout error", err)
	}

	capped := New(Config{Chain: f.chain, Pool: f.pool, Bus: f.bus, CallMaxReturn: 16})
	_, err = capped.Call(context.Background(), api.CallRequest{To: &c.counter, Data: selector("count()")})
	if !errors.As(err, &apiErr) || apiErr.Code != api.CodeReturnTooLarge {
		t.Fatalf("32-byte return over a 16-byte cap: %v, want return_too_large", err)
	}
}
