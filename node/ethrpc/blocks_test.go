package ethrpc

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// chainWithTxs makes block 1 (a legacy transfer and a Counter deployment)
// and block 2 (two increments, two logs) and returns them.
type txChain struct {
	f                  *fixture
	transfer, deploy   *types.Transaction
	inc1, inc2         *types.Transaction
	counter            common.Address
	block1Hash, block2 common.Hash
}

func newTxChain(t *testing.T) *txChain {
	f := newFixture(t)
	c := &txChain{f: f}
	c.transfer = f.legacyTx(key1, 0, addr0, big.NewInt(1000))
	c.deploy = f.dynTx(key0, 0, nil, nil, 1_000_000, counter.Code)
	f.send(c.transfer)
	f.send(c.deploy)
	b1 := f.produce()
	if len(b1.Txs) != 2 {
		t.Fatalf("block 1 has %d transactions", len(b1.Txs))
	}
	c.block1Hash = b1.Hash()
	lk, err := f.chain.Transaction(c.deploy.Hash())
	if err != nil {
		t.Fatal(err)
	}
	c.counter = lk.Receipt.ContractAddress
	c.inc1 = f.dynTx(key0, 1, &c.counter, nil, 200_000, counter.Pack("increment"))
	c.inc2 = f.dynTx(key0, 2, &c.counter, nil, 200_000, counter.Pack("add", big.NewInt(5)))
	f.send(c.inc1)
	f.send(c.inc2)
	c.block2 = f.produce().Hash()
	return c
}

func TestBlockShapeAndFields(t *testing.T) {
	c := newTxChain(t)
	f := c.f
	blk, err := f.chain.BlockByHeight(1)
	if err != nil {
		t.Fatal(err)
	}
	got := f.object("eth_getBlockByNumber", "0x1", false)
	checkBlockSchema(t, got)
	enc, _ := blk.MarshalBinary()
	want := map[string]any{
		"hash": blk.Hash().Hex(), "parentHash": blk.Header.ParentHash.Hex(), "number": "0x1",
		"miner":     lower(blk.Header.Proposer.Hex()),
		"timestamp": hexutil.EncodeUint64(blk.Header.Time / 1000), "mixHash": blk.Header.Random().Hex(),
		"difficulty": "0x0", "nonce": "0x0000000000000000", "sha3Uncles": types.EmptyUncleHash.Hex(),
		"size": hexutil.EncodeUint64(uint64(len(enc))), "baseFeePerGas": hexutil.EncodeBig(blk.Header.BaseFee),
		"stateRoot": blk.Header.StateRoot.Hex(), "transactionsRoot": blk.Header.TxRoot.Hex(),
		"receiptsRoot": blk.Header.ReceiptRoot.Hex(), "gasUsed": hexutil.EncodeUint64(blk.Header.GasUsed),
		"gasLimit": hexutil.EncodeUint64(blk.Header.GasLimit), "logsBloom": hexutil.Encode(blk.Header.Bloom[:]),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("block %s = %v, want %v", k, got[k], v)
		}
	}
	if txs := got["transactions"].([]any); len(txs) != 2 || txs[0] != c.transfer.Hash().Hex() || txs[1] != c.deploy.Hash().Hex() {
		t.Errorf("block transactions = %v", txs)
	}
	if u := got["uncles"].([]any); len(u) != 0 {
		t.Errorf("uncles = %v", u)
	}
	byHash := f.object("eth_getBlockByHash", blk.Hash(), false)
	if !reflect.DeepEqual(byHash, got) {
		t.Errorf("eth_getBlockByHash differs from eth_getBlockByNumber:\n%v\n%v", byHash, got)
	}
	full := f.object("eth_getBlockByNumber", "0x1", true)
	checkBlockSchema(t, full)
	tx0 := full["transactions"].([]any)[0].(map[string]any)
	if tx0["hash"] != c.transfer.Hash().Hex() || tx0["blockHash"] != blk.Hash().Hex() || tx0["transactionIndex"] != "0x0" {
		t.Errorf("full transaction 0 = %v", tx0)
	}
}

// lower is hex as the endpoint writes it.
func lower(s string) string { return strings.ToLower(s) }

func TestBlockTags(t *testing.T) {
	c := newTxChain(t)
	f := c.f
	head := c.block2.Hex()
	for tag, want := range map[string]string{"latest": head, "safe": head, "finalized": head, "0x2": head} {
		if got := f.object("eth_getBlockByNumber", tag, false)["hash"]; got != want {
			t.Errorf("block %s hash = %v, want %v", tag, got, want)
		}
	}
	genesis, _ := f.chain.BlockByHeight(0)
	if got := f.object("eth_getBlockByNumber", "earliest", false); got["hash"] != genesis.Hash().Hex() || got["number"] != "0x0" {
		t.Errorf("earliest = %v", got)
	}
	pending := f.object("eth_getBlockByNumber", "pending", false)
	if pending["number"] != "0x3" || pending["hash"] != nil || pending["miner"] != nil || pending["nonce"] != nil || pending["parentHash"] != head {
		t.Errorf("pending block = %v", pending)
	}
	if len(pending["transactions"].([]any)) != 0 {
		t.Errorf("pending block has transactions: %v", pending["transactions"])
	}
	for _, args := range [][]any{{"eth_getBlockByNumber", "0x3", false}, {"eth_getBlockByHash", common.Hash{1}, true}} {
		if got := string(f.raw(args[0].(string), args[1:]...)); got != "null" {
			t.Errorf("%v = %s, want null", args, got)
		}
	}
}

func TestCountsAndTransactionsByIndex(t *testing.T) {
	c := newTxChain(t)
	f := c.f
	cases := []struct {
		method string
		args   []any
		want   string
	}{
		{"eth_getBlockTransactionCountByNumber", []any{"0x1"}, `"0x2"`},
		{"eth_getBlockTransactionCountByNumber", []any{"pending"}, `"0x0"`},
		{"eth_getBlockTransactionCountByNumber", []any{"0x9"}, `null`},
		{"eth_getBlockTransactionCountByHash", []any{c.block1Hash}, `"0x2"`},
		{"eth_getBlockTransactionCountByHash", []any{common.Hash{9}}, `null`},
		{"eth_getUncleCountByBlockNumber", []any{"latest"}, `"0x0"`},
		{"eth_getUncleCountByBlockNumber", []any{"0x9"}, `null`},
		{"eth_getUncleCountByBlockHash", []any{c.block1Hash}, `"0x0"`},
		{"eth_getUncleCountByBlockHash", []any{common.Hash{9}}, `null`},
		{"eth_getUncleByBlockNumberAndIndex", []any{"latest", "0x0"}, `null`},
		{"eth_getTransactionByBlockNumberAndIndex", []any{"0x1", "0x2"}, `null`},
		{"eth_getTransactionByBlockNumberAndIndex", []any{"0x9", "0x0"}, `null`},
		{"eth_getTransactionByBlockHashAndIndex", []any{common.Hash{9}, "0x0"}, `null`},
		{"eth_getTransactionByHash", []any{common.Hash{9}}, `null`},
		{"eth_getTransactionReceipt", []any{common.Hash{9}}, `null`},
		{"eth_getRawTransactionByHash", []any{common.Hash{9}}, `null`},
		{"eth_getBlockReceipts", []any{"0x9"}, `null`},
		{"eth_getBlockReceipts", []any{common.Hash{9}}, `null`},
	}
	for _, tc := range cases {
		if got := string(f.raw(tc.method, tc.args...)); got != tc.want {
			t.Errorf("%s%v = %s, want %s", tc.method, tc.args, got, tc.want)
		}
	}
	byNum := f.object("eth_getTransactionByBlockNumberAndIndex", "0x1", "0x1")
	byHash := f.object("eth_getTransactionByBlockHashAndIndex", c.block1Hash, "0x1")
	direct := f.object("eth_getTransactionByHash", c.deploy.Hash())
	if !reflect.DeepEqual(byNum, byHash) || !reflect.DeepEqual(byNum, direct) || byNum["hash"] != c.deploy.Hash().Hex() {
		t.Errorf("the deployment by number, by hash and directly differ:\n%v\n%v\n%v", byNum, byHash, direct)
	}
	var raw hexutil.Bytes
	if err := f.call(&raw, "eth_getRawTransactionByHash", c.deploy.Hash()); err != nil {
		t.Fatal(err)
	}
	if want, _ := c.deploy.MarshalBinary(); string(raw) != string(want) {
		t.Error("eth_getRawTransactionByHash is not the transaction's encoding")
	}
}

func TestTransactionsOfEachTypeMatchTheSchema(t *testing.T) {
	c := newTxChain(t)
	f := c.f
	legacy := f.object("eth_getTransactionByHash", c.transfer.Hash())
	checkTxSchema(t, legacy)
	if legacy["chainId"] != "0x1e61" || legacy["gasPrice"] != hexutil.EncodeBig(c.transfer.GasPrice()) || legacy["to"] != lower(addr0.Hex()) {
		t.Errorf("legacy transaction = %v", legacy)
	}
	dyn := f.object("eth_getTransactionByHash", c.inc1.Hash())
	checkTxSchema(t, dyn)
	blk, _ := f.chain.BlockByHash(c.block2)
	paid := effectiveGasPrice(c.inc1, blk.Header.BaseFee)
	if dyn["gasPrice"] != hexutil.EncodeBig(paid) || dyn["maxFeePerGas"] != hexutil.EncodeBig(c.inc1.GasFeeCap()) {
		t.Errorf("EIP-1559 transaction = %v, want gasPrice %v", dyn, paid)
	}
	al := types.MustSignNewTx(key1, f.signer, &types.AccessListTx{
		ChainID: f.chain.ChainID(), Nonce: 1, GasPrice: new(big.Int).Mul(big.NewInt(5), gwei), Gas: 30000, To: &addr0,
		AccessList: types.AccessList{{Address: addr1, StorageKeys: []common.Hash{{1}}}},
	})
	f.send(al)
	pending := f.object("eth_getTransactionByHash", al.Hash())
	if pending["blockHash"] != nil || pending["blockNumber"] != nil || pending["transactionIndex"] != nil {
		t.Errorf("pending transaction has block fields: %v", pending)
	}
	if string(f.raw("eth_getTransactionReceipt", al.Hash())) != "null" {
		t.Error("a pending transaction has a receipt")
	}
	f.produce()
	included := f.object("eth_getTransactionByHash", al.Hash())
	checkTxSchema(t, included)
	if list := included["accessList"].([]any); len(list) != 1 {
		t.Errorf("access list = %v", list)
	}
}

func TestReceipts(t *testing.T) {
	c := newTxChain(t)
	f := c.f
	deploy := f.object("eth_getTransactionReceipt", c.deploy.Hash())
	checkReceiptSchema(t, deploy)
	if deploy["contractAddress"] != lower(c.counter.Hex()) || deploy["to"] != nil || deploy["status"] != "0x1" ||
		deploy["transactionIndex"] != "0x1" || deploy["blockHash"] != c.block1Hash.Hex() || deploy["type"] != "0x2" {
		t.Errorf("deployment receipt = %v", deploy)
	}
	transfer := f.object("eth_getTransactionReceipt", c.transfer.Hash())
	checkReceiptSchema(t, transfer)
	if transfer["contractAddress"] != nil || transfer["effectiveGasPrice"] != hexutil.EncodeBig(c.transfer.GasPrice()) || transfer["gasUsed"] != "0x5208" {
		t.Errorf("transfer receipt = %v", transfer)
	}
	var cum []uint64
	for _, r := range []map[string]any{transfer, deploy} {
		n, _ := hexutil.DecodeUint64(r["cumulativeGasUsed"].(string))
		cum = append(cum, n)
	}
	dg, _ := hexutil.DecodeUint64(deploy["gasUsed"].(string))
	if cum[0] != 21000 || cum[1] != 21000+dg {
		t.Errorf("cumulativeGasUsed = %v, gas used %d", cum, dg)
	}
	var all []map[string]any
	if err := json.Unmarshal(f.raw("eth_getBlockReceipts", "0x2"), &all); err != nil || len(all) != 2 {
		t.Fatalf("block receipts: %v %v", all, err)
	}
	blk, _ := f.chain.BlockByHash(c.block2)
	for i, r := range all {
		checkReceiptSchema(t, r)
		logs := r["logs"].([]any)
		if len(logs) != 1 {
			t.Fatalf("receipt %d logs = %v", i, logs)
		}
		l := logs[0].(map[string]any)
		want := map[string]any{
			"logIndex": fmt.Sprintf("0x%x", i), "blockHash": c.block2.Hex(), "blockNumber": "0x2", "removed": false,
			"transactionIndex": fmt.Sprintf("0x%x", i), "address": lower(c.counter.Hex()),
			"blockTimestamp": hexutil.EncodeUint64(blk.Header.TimeSeconds()),
		}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("receipt %d log %s = %v, want %v", i, k, l[k], v)
			}
		}
	}
	byHash := f.raw("eth_getBlockReceipts", c.block2)
	byObj := f.raw("eth_getBlockReceipts", map[string]any{"blockHash": c.block2})
	if string(byHash) != string(f.raw("eth_getBlockReceipts", "0x2")) || string(byObj) != string(byHash) {
		t.Error("block receipts by number, by hash and by EIP-1898 object differ")
	}
	one := f.object("eth_getTransactionReceipt", c.inc2.Hash())
	if !reflect.DeepEqual(one, all[1]) {
		t.Errorf("eth_getTransactionReceipt differs from eth_getBlockReceipts:\n%v\n%v", one, all[1])
	}
}
