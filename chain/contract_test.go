package chain

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"cairn/vm"
	"cairn/vm/vmtest"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func loadContract(t *testing.T, name string) ([]byte, abi.ABI) {
	t.Helper()
	c := vmtest.MustLoad(name)
	return c.Code, c.ABI
}

func deploy(t *testing.T, c *Chain, nonce uint64, code []byte) common.Address {
	t.Helper()
	tx, err := types.SignNewTx(devKey0, c.Signer(), &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
		Gas: 1_000_000, Data: code,
	})
	if err != nil {
		t.Fatal(err)
	}
	produce(t, c, tx)
	look, err := c.Transaction(tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if look.Receipt.Status != types.ReceiptStatusSuccessful {
		t.Fatal("deployment failed")
	}
	want := crypto.CreateAddress(DevnetAccounts[0], nonce)
	if look.Receipt.ContractAddress != want {
		t.Fatalf("contract address %s, want %s", look.Receipt.ContractAddress, want)
	}
	return want
}

func TestDeployedContractRunsAndAnswersCalls(t *testing.T) {
	c := newTestChain(t)
	code, counter := loadContract(t, "Counter")
	addr := deploy(t, c, 0, code)

	input, _ := counter.Pack("increment")
	tx, _ := types.SignNewTx(devKey0, c.Signer(), &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: 1, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
		Gas: 100_000, To: &addr, Data: input,
	})
	produce(t, c, tx)
	look, err := c.Transaction(tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if len(look.Receipt.Logs) != 1 || look.Receipt.Logs[0].Topics[0] != counter.Events["Incremented"].ID {
		t.Fatalf("want one Incremented log, got %+v", look.Receipt.Logs)
	}
	if !types.BloomLookup(look.Block.Header.Bloom, addr) {
		t.Fatal("header bloom does not contain the contract")
	}

	get, _ := counter.Pack("count")
	res, err := c.Call(context.Background(), vm.CallMsg{To: &addr, Data: get}, CallLimits{Timeout: 5 * time.Second})
	if err != nil || res.Err != nil {
		t.Fatalf("call: %v / %v", err, res)
	}
	if got := new(big.Int).SetBytes(res.ReturnData); got.Int64() != 1 {
		t.Fatalf("count() = %v, want 1", got)
	}
	bad, _ := counter.Pack("add", big.NewInt(0))
	res, err = c.Call(context.Background(), vm.CallMsg{To: &addr, Data: bad}, CallLimits{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	reason, _ := abi.UnpackRevert(res.ReturnData)
	if res.Err == nil || reason != "n must be positive" {
		t.Fatalf("reverting call: err %v reason %q", res.Err, reason)
	}
	if _, err := c.Call(context.Background(), vm.CallMsg{To: &addr, Data: get}, CallLimits{MaxReturn: 8}); !errors.Is(err, ErrReturnTooLarge) {
		t.Fatalf("return cap not applied: %v", err)
	}
}

func TestInfiniteLoopEndsByGasOrByTimeBound(t *testing.T) {
	c := newTestChain(t)
	code, spinner := loadContract(t, "Spinner")
	addr := deploy(t, c, 0, code)
	spin, _ := spinner.Pack("spin")

	// Within the per-transaction gas cap the loop runs out of gas.
	res, err := c.Call(context.Background(), vm.CallMsg{To: &addr, Data: spin}, CallLimits{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || res.GasUsed != c.Params().MaxTxGas {
		t.Fatalf("loop: err %v, gas %d; want out of gas after %d", res.Err, res.GasUsed, c.Params().MaxTxGas)
	}
	// With gas no machine could burn in the time allowed, the clock ends it.
	_, err = c.Call(context.Background(), vm.CallMsg{To: &addr, Data: spin, Gas: 1 << 62},
		CallLimits{Gas: 1 << 62, Timeout: 50 * time.Millisecond})
	if !errors.Is(err, vm.ErrTimeBound) {
		t.Fatalf("loop with unbounded gas: %v, want ErrTimeBound", err)
	}
	// A cancelled context stops it the same way.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Call(ctx, vm.CallMsg{To: &addr, Data: spin, Gas: 1 << 62}, CallLimits{Gas: 1 << 62}); !errors.Is(err, vm.ErrTimeBound) {
		t.Fatalf("cancelled call: %v", err)
	}
}

func TestProposerLeavesOutTransactionsOverItsTimeBound(t *testing.T) {
	c := newTestChain(t)
	code, spinner := loadContract(t, "Spinner")
	addr := deploy(t, c, 0, code)
	spin, _ := spinner.Pack("spin")
	loop, _ := types.SignNewTx(devKey0, c.Signer(), &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: 1, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
		Gas: c.Params().MaxTxGas, To: &addr, Data: spin,
	})
	p := proposal(c)
	p.TxTimeBound = time.Nanosecond
	b, res, dropped, err := c.Propose(p, newSource(c, loop))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Txs) != 0 || len(dropped) != 1 || !strings.Contains(dropped[0].Reason, "time bound") {
		t.Fatalf("txs %d dropped %+v", len(b.Txs), dropped)
	}
	if err := c.Commit(b, res, devnetCommit(c, b)); err != nil {
		t.Fatal(err)
	}
	// Replaying is never bounded: the same transaction in a block runs to
	// its end (out of gas) on a validator.
	p = proposal(c)
	b2, res2, _, err := c.Propose(p, newSource(c, loop))
	if err != nil || len(b2.Txs) != 1 {
		t.Fatalf("unbounded proposer: %v, %d txs", err, len(b2.Txs))
	}
	if res2.Receipts[0].Status != types.ReceiptStatusFailed {
		t.Fatal("loop did not fail by gas")
	}
}
