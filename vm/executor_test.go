package vm

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"cairn/vm/vmtest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

var chainID = big.NewInt(7777)

func newState(t *testing.T, funded common.Address) (*StateDatabase, common.Hash) {
	t.Helper()
	sdb := NewStateDatabase(rawdb.NewMemoryDatabase(), 0)
	t.Cleanup(func() { sdb.Close() })
	st, err := sdb.Open(types.EmptyRootHash)
	if err != nil {
		t.Fatal(err)
	}
	st.SetBalance(funded, uint256.NewInt(1e18), tracing.BalanceChangeUnspecified)
	root, err := sdb.Commit(st, Rules(ChainConfig(chainID), 0, 0), 0)
	if err != nil {
		t.Fatal(err)
	}
	return sdb, root
}

func env() BlockEnv {
	return BlockEnv{Number: 1, Time: 1, GasLimit: 30_000_000, BaseFee: big.NewInt(1e9), Random: common.Hash{1}}
}

func TestBlockRunRefusesWhatCairnDoesNotRun(t *testing.T) {
	key, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(key.PublicKey)
	sdb, root := newState(t, from)
	st, _ := sdb.Open(root)
	e := NewExecutor(chainID, 100_000)
	run := e.NewBlockRun(st, env())
	signer := types.LatestSignerForChainID(chainID)
	to := common.HexToAddress("0x00000000000000000000000000000000000a11ce")

	overCap := types.MustSignNewTx(key, signer, &types.DynamicFeeTx{ChainID: chainID, Gas: 200_000, GasFeeCap: big.NewInt(2e9), To: &to})
	if _, err := run.Apply(overCap); err == nil {
		t.Fatal("transaction above the per-transaction gas cap was applied")
	}
	blob := types.MustSignNewTx(key, signer, &types.BlobTx{ChainID: uint256.NewInt(7777), Gas: 21000, GasFeeCap: uint256.NewInt(2e9), BlobFeeCap: uint256.NewInt(1), BlobHashes: []common.Hash{{1}}})
	if _, err := run.Apply(blob); !errors.Is(err, ErrUnsupportedTx) {
		t.Fatalf("blob transaction: %v, want ErrUnsupportedTx", err)
	}
	ok := types.MustSignNewTx(key, signer, &types.DynamicFeeTx{ChainID: chainID, Gas: 21000, GasFeeCap: big.NewInt(2e9), To: &to, Value: big.NewInt(5)})
	if _, err := run.Apply(ok); err != nil {
		t.Fatal(err)
	}
	if run.GasUsed() != 21000 || len(run.Receipts()) != 1 || st.GetBalance(to).Uint64() != 5 {
		t.Fatalf("after one transfer: gas %d receipts %d balance %v", run.GasUsed(), len(run.Receipts()), st.GetBalance(to))
	}
	// A refused transaction leaves no trace: same nonce again is refused
	// as a nonce error, not applied twice.
	if _, err := run.Apply(ok); err == nil {
		t.Fatal("replayed transaction applied")
	}
	if run.GasUsed() != 21000 || st.GetNonce(from) != 1 {
		t.Fatalf("refused transaction changed the block: gas %d nonce %d", run.GasUsed(), st.GetNonce(from))
	}
}

func TestCallIsBoundedByGasAndClock(t *testing.T) {
	key, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(key.PublicKey)
	sdb, root := newState(t, from)
	st, _ := sdb.Open(root)
	e := NewExecutor(chainID, 16_000_000)
	spinner := vmtest.MustLoad("Spinner")
	// Install the runtime code by running the constructor.
	run := e.NewBlockRun(st, env())
	deploy := types.MustSignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{ChainID: chainID, Gas: 500_000, GasFeeCap: big.NewInt(2e9), Data: spinner.Code})
	rcpt, err := run.Apply(deploy)
	if err != nil || rcpt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deploy: %v", err)
	}
	addr := rcpt.ContractAddress
	msg := CallMsg{From: from, To: &addr, Data: spinner.Pack("spin")}

	res, err := e.Call(context.Background(), st.Copy(), env(), msg, 1_000_000, time.Minute)
	if err != nil || res.Err == nil || res.GasUsed != 1_000_000 {
		t.Fatalf("gas-bounded loop: %v %+v", err, res)
	}
	msg.Gas = 1 << 62
	start := time.Now()
	_, err = e.Call(context.Background(), st.Copy(), env(), msg, 1<<62, 20*time.Millisecond)
	if !errors.Is(err, ErrTimeBound) {
		t.Fatalf("clock-bounded loop: %v", err)
	}
	if time.Since(start) > time.Minute {
		t.Fatal("the time bound did not stop the call")
	}
}
