package vm

import (
	"context"
	"encoding/binary"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
)

// probe is a native contract that records every frame it runs in. Input
// 0xff makes it revert; otherwise a CALL frame stores its caller.
type probe struct {
	addr common.Address
	gas  uint64
	seen []*NativeCall
}

func (p *probe) Address() common.Address       { return p.addr }
func (p *probe) Gas(vm.StateDB, []byte) uint64 { return p.gas }
func (p *probe) callerSlot() common.Hash       { return common.Hash{1} }
func (p *probe) storedCaller(st vm.StateDB) common.Address {
	return common.BytesToAddress(st.GetState(p.addr, p.callerSlot()).Bytes())
}

func (p *probe) Run(st vm.StateDB, env *BlockEnv, call *NativeCall, input []byte) ([]byte, error) {
	p.seen = append(p.seen, call)
	if call != nil {
		st.SetState(p.addr, p.callerSlot(), common.BytesToHash(call.Caller[:]))
	}
	if len(input) > 0 && input[0] == 0xff {
		return nil, vm.ErrExecutionReverted
	}
	return []byte{42}, nil
}

var probeAddr = common.HexToAddress("0x000000000000000000000000000000000000beef")

// callCode returns runtime code that CALLs (or STATICCALLs) addr with the
// given gas and stores the call's success flag in slot.
func callCode(static bool, addr common.Address, gas uint32, slot byte) []byte {
	code := []byte{0x60, 0, 0x60, 0, 0x60, 0, 0x60, 0} // ret size/offset, in size/offset
	if !static {
		code = append(code, 0x60, 0) // value
	}
	code = append(code, 0x73)
	code = append(code, addr[:]...)
	var g [4]byte
	binary.BigEndian.PutUint32(g[:], gas)
	code = append(code, 0x63)
	code = append(code, g[:]...)
	if static {
		code = append(code, 0xfa)
	} else {
		code = append(code, 0xf1)
	}
	return append(code, 0x60, slot, 0x55)
}

type nativeFixture struct {
	t      *testing.T
	key    []byte
	from   common.Address
	e      *Executor
	run    *BlockRun
	probe  *probe
	nonce  uint64
	signer types.Signer
}

func newNativeFixture(t *testing.T) *nativeFixture {
	key, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(key.PublicKey)
	sdb, root := newState(t, from)
	st, _ := sdb.Open(root)
	e := NewExecutor(chainID, 1_000_000)
	p := &probe{addr: probeAddr, gas: 1000}
	e.AddNative(p)
	f := &nativeFixture{t: t, key: crypto.FromECDSA(key), from: from, e: e, probe: p, signer: e.Signer()}
	f.run = e.NewBlockRun(st, env())
	return f
}

func (f *nativeFixture) send(to common.Address, value int64, data []byte) *types.Receipt {
	f.t.Helper()
	key, _ := crypto.ToECDSA(f.key)
	tx := types.MustSignNewTx(key, f.signer, &types.DynamicFeeTx{ChainID: chainID, Nonce: f.nonce, Gas: 200_000,
		GasFeeCap: big.NewInt(2e9), To: &to, Value: big.NewInt(value), Data: data})
	f.nonce++
	r, err := f.run.Apply(tx)
	if err != nil {
		f.t.Fatalf("apply: %v", err)
	}
	return r
}

func TestNativeSeesTheSenderAndValueOfATransaction(t *testing.T) {
	f := newNativeFixture(t)
	st := f.run.State()
	r := f.send(probeAddr, 7, []byte{1})
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("call to the native failed")
	}
	// Intrinsic gas (21000 + 16 for one non-zero byte) plus the native's own.
	if r.GasUsed != 21000+16+1000 {
		t.Fatalf("gas used %d, want %d", r.GasUsed, 21000+16+1000)
	}
	if len(f.probe.seen) != 1 || f.probe.seen[0] == nil || f.probe.seen[0].Caller != f.from || f.probe.seen[0].Value.Uint64() != 7 {
		t.Fatalf("native saw %+v, want caller %s with value 7", f.probe.seen, f.from)
	}
	if st.GetBalance(probeAddr).Uint64() != 7 || f.probe.storedCaller(st) != f.from {
		t.Fatal("the call's value or its state write is missing")
	}
}

func TestNativeRevertRollsBackItsWritesAndTheValue(t *testing.T) {
	f := newNativeFixture(t)
	st := f.run.State()
	r := f.send(probeAddr, 7, []byte{0xff})
	if r.Status != types.ReceiptStatusFailed {
		t.Fatal("a reverting native call succeeded")
	}
	if r.GasUsed != 21000+16+1000 {
		t.Fatalf("a revert used %d gas, want %d (the rest is returned)", r.GasUsed, 21000+16+1000)
	}
	if st.GetBalance(probeAddr).Sign() != 0 || f.probe.storedCaller(st) != (common.Address{}) {
		t.Fatal("a reverted call kept its value or its write")
	}
}

func TestNativeCalledFromAContractSeesTheContract(t *testing.T) {
	f := newNativeFixture(t)
	st := f.run.State()
	caller := common.HexToAddress("0x00000000000000000000000000000000000ca11e")
	st.SetCode(caller, callCode(false, probeAddr, 5000, 0), tracing.CodeChangeUnspecified)
	f.send(caller, 0, nil)
	if len(f.probe.seen) != 1 || f.probe.seen[0] == nil || f.probe.seen[0].Caller != caller {
		t.Fatalf("native saw %+v, want the calling contract %s", f.probe.seen, caller)
	}
}

// A CALL that runs out of gas before the native runs must not lend its
// caller to the next frame: a STATICCALL right after it runs with no caller.
func TestNativeStaticCallAfterAnOutOfGasCallHasNoCaller(t *testing.T) {
	f := newNativeFixture(t)
	st := f.run.State()
	caller := common.HexToAddress("0x00000000000000000000000000000000000ca11e")
	code := append(callCode(false, probeAddr, 500, 0), callCode(true, probeAddr, 5000, 1)...)
	st.SetCode(caller, code, tracing.CodeChangeUnspecified)
	if r := f.send(caller, 0, nil); r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("the probing contract failed")
	}
	if st.GetState(caller, common.Hash{}) != (common.Hash{}) {
		t.Fatal("the CALL with too little gas succeeded")
	}
	if st.GetState(caller, common.Hash{31: 1}) != (common.Hash{31: 1}) {
		t.Fatal("the STATICCALL failed")
	}
	if len(f.probe.seen) != 1 || f.probe.seen[0] != nil {
		t.Fatalf("native saw %+v, want one frame with no caller", f.probe.seen)
	}
}

func TestNativeAnswersReadOnlyCalls(t *testing.T) {
	f := newNativeFixture(t)
	to := probeAddr
	res, err := f.e.Call(context.Background(), f.run.State().Copy(), env(),
		CallMsg{From: f.from, To: &to, Value: big.NewInt(0)}, 100_000, time.Minute)
	if err != nil || res.Err != nil {
		t.Fatalf("call: %v %v", err, res)
	}
	if len(res.ReturnData) != 1 || res.ReturnData[0] != 42 {
		t.Fatalf("call returned %x, want 2a", res.ReturnData)
	}
	if len(f.probe.seen) != 1 || f.probe.seen[0] == nil || f.probe.seen[0].Caller != f.from || !f.probe.seen[0].Value.IsZero() {
		t.Fatalf("native saw %+v", f.probe.seen)
	}
}
