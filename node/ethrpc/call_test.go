package ethrpc

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func callObj(from, to common.Address, data []byte) map[string]any {
	return map[string]any{"from": from, "to": to, "data": hexutil.Bytes(data)}
}

func TestCallReadsContractsAtBlocks(t *testing.T) {
	f := newFixture(t)
	ctr := f.deployCounter(0)
	f.send(f.dynTx(key0, 1, &ctr, nil, 200_000, counter.Pack("add", big.NewInt(7))))
	f.produce()
	var out hexutil.Bytes
	if err := f.call(&out, "eth_call", callObj(addr1, ctr, counter.Pack("count"))); err != nil {
		t.Fatal(err)
	}
	if new(big.Int).SetBytes(out).Int64() != 7 {
		t.Errorf("count() = %x, want 7", out)
	}
	// input and data are synonyms; both set and different is an error.
	args := map[string]any{"to": ctr, "input": hexutil.Bytes(counter.Pack("count"))}
	if err := f.call(&out, "eth_call", args, "latest"); err != nil || new(big.Int).SetBytes(out).Int64() != 7 {
		t.Errorf("count() by input = %x, %v", out, err)
	}
	args["data"] = "0x00"
	wantCode(t, f.call(&out, "eth_call", args, "latest"), codeInvalidParams)
	var at1 hexutil.Bytes
	if err := f.call(&at1, "eth_call", callObj(addr1, ctr, counter.Pack("count")), "0x1"); err != nil || new(big.Int).SetBytes(at1).Int64() != 0 {
		t.Errorf("count() at block 1, before the add = %x, %v, want 0", at1, err)
	}
	var at0 hexutil.Bytes
	if err := f.call(&at0, "eth_call", callObj(addr1, ctr, counter.Pack("count")), "earliest"); err != nil || len(at0) != 0 {
		t.Errorf("count() before the deployment = %x, %v, want empty", at0, err)
	}
	wantCode(t, f.call(&out, "eth_call", callObj(addr1, ctr, nil), "0x99"), codeServer)
	wantCode(t, f.call(&out, "eth_call", map[string]any{"to": ctr, "chainId": "0x1"}), codeInvalidParams)
	msg, _ := wantCode(t, f.call(&out, "eth_call", map[string]any{"to": ctr, "data": hexutil.Bytes(counter.Pack("increment")), "gas": "0x5400"}), codeServer)
	if !strings.Contains(msg, "gas") {
		t.Errorf("out of gas: %q", msg)
	}
}

func TestRevertsAreCode3WithData(t *testing.T) {
	f := newFixture(t)
	ctr := f.deployCounter(0)
	errorString := counter.Pack("add", big.NewInt(0))
	// Panic(0x11): arithmetic overflow.
	panicData := append(crypto.Keccak256([]byte("Panic(uint256)"))[:4], common.BigToHash(big.NewInt(0x11)).Bytes()...)
	custom := append(crypto.Keccak256([]byte("Unauthorized(address)"))[:4], common.BytesToHash(addr1.Bytes()).Bytes()...)
	for _, tc := range []struct {
		name     string
		to       common.Address
		data     []byte
		wantData []byte // nil: the call data (revertEcho)
		msg      string
	}{
		{"Error(string)", ctr, errorString, nil, "execution reverted: n must be positive"},
		{"Panic(uint256)", revertEchoAddr, panicData, panicData, "execution reverted: "},
		{"custom error", revertEchoAddr, custom, custom, "execution reverted"},
		{"no data", revertEchoAddr, []byte{}, []byte{}, "execution reverted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"eth_call", "eth_estimateGas"} {
				msg, data := wantCode(t, f.call(nil, method, callObj(addr1, tc.to, tc.data)), codeReverted)
				if !strings.HasPrefix(msg, tc.msg) {
					t.Errorf("%s message %q, want %q", method, msg, tc.msg)
				}
				s, _ := data.(string)
				got, err := hexutil.Decode(s)
				if err != nil {
					t.Fatalf("%s data %v is not hex", method, data)
				}
				if tc.wantData != nil && string(got) != string(tc.wantData) {
					t.Errorf("%s data %x, want %x", method, got, tc.wantData)
				}
				if tc.name == "Error(string)" && !strings.HasPrefix(s, "0x08c379a0") {
					t.Errorf("%s data %s is not Error(string)", method, s)
				}
			}
		})
	}
}

func TestCallStateOverrides(t *testing.T) {
	f := newFixture(t)
	var out hexutil.Bytes
	read := func(slot common.Hash, overrides any) common.Hash {
		t.Helper()
		if err := f.call(&out, "eth_call", callObj(addr1, slotReaderAddr, slot[:]), "latest", overrides); err != nil {
			t.Fatal(err)
		}
		return common.BytesToHash(out)
	}
	diff := map[string]any{slotReaderAddr.Hex(): map[string]any{"stateDiff": map[string]string{slot1.Hex(): common.Hash{9}.Hex()}}}
	if read(slot1, diff) != (common.Hash{9}) || read(slot2, diff) != slot2Value {
		t.Error("stateDiff override: slot 1 not replaced or slot 2 lost")
	}
	full := map[string]any{slotReaderAddr.Hex(): map[string]any{"state": map[string]string{slot1.Hex(): common.Hash{8}.Hex()}}}
	if read(slot1, full) != (common.Hash{8}) || read(slot2, full) != (common.Hash{}) {
		t.Error("state override: storage not replaced whole")
	}
	if read(slot1, nil) != slot1Value {
		t.Error("an override leaked into the next call")
	}
	// SELFBALANCE, returned: code and balance overrides of a new account.
	who := common.HexToAddress("0x1234")
	selfBalance := common.FromHex("4760005260206000f3")
	bal := map[string]any{who.Hex(): map[string]any{"code": hexutil.Bytes(selfBalance), "balance": "0x2a", "nonce": "0x5"}}
	if err := f.call(&out, "eth_call", callObj(addr1, who, nil), "latest", bal); err != nil || new(big.Int).SetBytes(out).Int64() != 42 {
		t.Errorf("balance override: %x %v", out, err)
	}
	both := map[string]any{slotReaderAddr.Hex(): map[string]any{"state": map[string]string{}, "stateDiff": map[string]string{}}}
	wantCode(t, f.call(&out, "eth_call", callObj(addr1, slotReaderAddr, slot1[:]), "latest", both), codeInvalidParams)
	huge := map[string]any{who.Hex(): map[string]any{"balance": "0x1" + strings.Repeat("0", 64)}}
	wantCode(t, f.call(&out, "eth_call", callObj(addr1, who, nil), "latest", huge), codeInvalidParams)
}

func TestEstimateGas(t *testing.T) {
	f := newFixture(t)
	ctr := f.deployCounter(0)
	var gas hexutil.Uint64
	if err := f.call(&gas, "eth_estimateGas", map[string]any{"from": addr0, "to": addr1, "value": "0x1"}); err != nil || gas != 21000 {
		t.Errorf("transfer estimate = %d, %v, want 21000", gas, err)
	}
	if err := f.call(&gas, "eth_estimateGas", callObj(addr0, ctr, counter.Pack("increment"))); err != nil {
		t.Fatal(err)
	}
	// The estimate is enough: the transaction with exactly that gas
	// succeeds, and it is within 1.5% (plus one) of what it used.
	tx := f.dynTx(key0, 1, &ctr, nil, uint64(gas), counter.Pack("increment"))
	f.send(tx)
	f.produce()
	lk, err := f.chain.Transaction(tx.Hash())
	if err != nil || lk.Receipt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("increment with the estimated %d gas failed (%v)", gas, err)
	}
	// A first increment writes a fresh slot: the refund-free use is the
	// floor, and the estimate may not exceed it by much.
	if used := lk.Receipt.GasUsed; uint64(gas) < used || float64(uint64(gas)-used) > 0.02*float64(gas)+2900 {
		t.Errorf("estimate %d for a call that used %d", gas, used)
	}
	// A deployment: the estimate deploys the contract.
	var deployGas hexutil.Uint64
	if err := f.call(&deployGas, "eth_estimateGas", map[string]any{"from": addr0, "data": hexutil.Bytes(counter.Code)}); err != nil {
		t.Fatal(err)
	}
	dtx := f.dynTx(key0, 2, nil, nil, uint64(deployGas), counter.Code)
	f.send(dtx)
	f.produce()
	if lk, err := f.chain.Transaction(dtx.Hash()); err != nil || lk.Receipt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deployment with the estimated %d gas failed (%v)", deployGas, err)
	}
	msg, _ := wantCode(t, f.call(&gas, "eth_estimateGas", map[string]any{"from": keyPoorAddr(), "to": addr1, "value": "0x1"}), codeServer)
	if !strings.HasPrefix(msg, "insufficient funds") {
		t.Errorf("estimate of an unfunded transfer: %q", msg)
	}
	msg, _ = wantCode(t, f.call(&gas, "eth_estimateGas", map[string]any{"from": addr0, "to": ctr, "data": hexutil.Bytes(counter.Pack("increment")), "gas": "0x5300"}), codeServer)
	if !strings.Contains(msg, "gas required exceeds allowance") {
		t.Errorf("estimate under too small a gas limit: %q", msg)
	}
}

func keyPoorAddr() common.Address { return crypto.PubkeyToAddress(keyPoor.PublicKey) }

func TestCreateAccessList(t *testing.T) {
	f := newFixture(t)
	raw := f.raw("eth_createAccessList", callObj(addr1, proxyAddr, nil))
	var obj map[string]any
	json.Unmarshal(raw, &obj)
	checkSchema(t, "access list result", obj, accessListResultSchema)
	var res accessListResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	want := types.AccessList{{Address: slotReaderAddr, StorageKeys: []common.Hash{slot1}}}
	if res.Error != "" || len(*res.AccessList) != 1 || (*res.AccessList)[0].Address != want[0].Address ||
		len((*res.AccessList)[0].StorageKeys) != 1 || (*res.AccessList)[0].StorageKeys[0] != slot1 {
		t.Fatalf("access list = %+v, want %+v", res, want)
	}
	// With the list, the call costs what the answer says.
	var gas hexutil.Uint64
	args := callObj(addr1, proxyAddr, nil)
	args["accessList"] = want
	if err := f.call(&gas, "eth_estimateGas", args); err != nil || gas < res.GasUsed {
		t.Errorf("estimate with the list = %d (%v), below gasUsed %d", gas, err, res.GasUsed)
	}
	reverted := f.object("eth_createAccessList", callObj(addr1, revertEchoAddr, []byte{1}))
	if !strings.HasPrefix(reverted["error"].(string), "execution reverted") {
		t.Errorf("access list of a reverting call = %v", reverted)
	}
}
