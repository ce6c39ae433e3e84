package ethrpc

import (
	"encoding/json"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

func TestGasPriceAndTip(t *testing.T) {
	f := newFixture(t)
	f.produce()
	var tip, price hexutil.Big
	if err := f.call(&tip, "eth_maxPriorityFeePerGas"); err != nil || tip.ToInt().Cmp(gwei) != 0 {
		t.Fatalf("tip with no transactions to learn from = %v, %v; want 1 gwei", tip.ToInt(), err)
	}
	base := f.chain.NextBaseFee(f.chain.Head().Header)
	if err := f.call(&price, "eth_gasPrice"); err != nil || price.ToInt().Cmp(new(big.Int).Add(base, gwei)) != 0 {
		t.Fatalf("gas price = %v, %v; want base %v + 1 gwei", price.ToInt(), err, base)
	}
	// Three transactions tipping 2, 3 and 4 gwei: the median is 3.
	for i, g := range []int64{2, 3, 4} {
		tx := types.MustSignNewTx(key0, f.signer, &types.DynamicFeeTx{
			ChainID: f.chain.ChainID(), Nonce: uint64(i), GasTipCap: new(big.Int).Mul(big.NewInt(g), gwei),
			GasFeeCap: new(big.Int).Mul(big.NewInt(20), gwei), Gas: 21000, To: &addr1,
		})
		f.send(tx)
	}
	f.produce()
	if err := f.call(&tip, "eth_maxPriorityFeePerGas"); err != nil || tip.ToInt().Cmp(new(big.Int).Mul(big.NewInt(3), gwei)) != 0 {
		t.Fatalf("tip = %v, %v; want 3 gwei", tip.ToInt(), err)
	}
}

func TestFeeHistory(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.send(f.legacyTx(key0, uint64(i), addr1, big.NewInt(1)))
		f.produce()
	}
	raw := f.raw("eth_feeHistory", "0x2", "latest", []float64{10, 50, 90})
	var obj map[string]any
	json.Unmarshal(raw, &obj)
	checkSchema(t, "fee history", obj, feeHistorySchema)
	var h feeHistory
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	if h.OldestBlock != 2 || len(h.BaseFee) != 3 || len(h.GasUsedRatio) != 2 || len(h.Reward) != 2 || len(h.Reward[0]) != 3 {
		t.Fatalf("fee history = %s", raw)
	}
	head := f.chain.Head()
	if h.BaseFee[1].ToInt().Cmp(head.Header.BaseFee) != 0 || h.BaseFee[2].ToInt().Cmp(f.chain.NextBaseFee(head.Header)) != 0 {
		t.Errorf("base fees %v: the last two should be the head's and the next block's", h.BaseFee)
	}
	// The legacy transfer pays 5 gwei: its tip is 5 gwei less the base fee.
	wantTip := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(5), gwei), head.Header.BaseFee)
	if h.Reward[1][1].ToInt().Cmp(wantTip) != 0 {
		t.Errorf("reward at the 50th percentile = %v, want %v", h.Reward[1][1].ToInt(), wantTip)
	}
	if want := 21000.0 / float64(head.Header.GasLimit); h.GasUsedRatio[1] != want {
		t.Errorf("gas used ratio %v, want %v", h.GasUsedRatio[1], want)
	}
	// Decimal block counts are accepted, as geth does; the count is capped
	// at the blocks there are.
	var all feeHistory
	if err := f.call(&all, "eth_feeHistory", 100, "latest", []float64{}); err != nil || all.OldestBlock != 0 || len(all.GasUsedRatio) != 4 || all.Reward != nil {
		t.Fatalf("fee history of 100 blocks on a chain of 4: %+v, %v", all, err)
	}
	var none feeHistory
	if err := f.call(&none, "eth_feeHistory", "0x0", "latest", []float64{}); err != nil || none.OldestBlock != 0 || len(none.BaseFee) != 0 {
		t.Fatalf("fee history of 0 blocks: %+v, %v", none, err)
	}
	wantCode(t, f.call(nil, "eth_feeHistory", "0x2", "latest", []float64{50, 10}), codeInvalidParams)
	wantCode(t, f.call(nil, "eth_feeHistory", "0x2", "latest", []float64{101}), codeInvalidParams)
	wantCode(t, f.call(nil, "eth_feeHistory", "0x2", "0x99", []float64{}), codeServer)
}
