package vm

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	gethvm "github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
)

// A call reading one cold storage slot of another account costs less with
// that slot in its access list (EIP-2929: 2100 cold, 100 warm, less the
// 1900 the list charges for the slot and 2400 for the address), and the
// tracer sees its opcodes.
func TestCallWithAccessListAndTracer(t *testing.T) {
	key, _ := crypto.GenerateKey()
	from := crypto.PubkeyToAddress(key.PublicKey)
	sdb, root := newState(t, from)
	st, _ := sdb.Open(root)
	target := common.HexToAddress("0x0000000000000000000000000000000000000b0b")
	// PUSH1 1 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
	st.SetCode(target, common.FromHex("60015460005260206000f3"), tracing.CodeChangeUnspecified)
	e := NewExecutor(chainID, 1_000_000)
	msg := CallMsg{From: from, To: &target}
	plain, err := e.CallWith(context.Background(), st.Copy(), env(), msg, CallOptions{GasCap: 100_000})
	if err != nil || plain.Err != nil {
		t.Fatal(err, plain)
	}
	// The target is the call's own address, always warm: listing its slot
	// saves 2100-100 and costs 1900 (plus 2400 for the address entry).
	list := types.AccessList{{Address: target, StorageKeys: []common.Hash{common.BigToHash(common.Big1)}}}
	var ops int
	tracer := &tracing.Hooks{OnOpcode: func(uint64, byte, uint64, uint64, tracing.OpContext, []byte, int, error) { ops++ }}
	warm, err := e.CallWith(context.Background(), st.Copy(), env(), msg, CallOptions{GasCap: 100_000, AccessList: list, Tracer: tracer})
	if err != nil || warm.Err != nil {
		t.Fatal(err, warm)
	}
	if want := plain.GasUsed - 2000 + 1900 + 2400; warm.GasUsed != want {
		t.Errorf("gas with the access list %d, without %d; want %d", warm.GasUsed, plain.GasUsed, want)
	}
	if ops != 7 {
		t.Errorf("tracer saw %d opcodes, want 7", ops)
	}
	low, err := e.CallWith(context.Background(), st.Copy(), env(), msg, CallOptions{GasCap: 21_100})
	if err != nil || !errors.Is(low.Err, gethvm.ErrOutOfGas) {
		t.Errorf("call capped at 21100 gas: %v %v", err, low)
	}
	// JUMPDEST PUSH1 0 JUMP: a loop no gas cap ends in time.
	loop := common.HexToAddress("0x000000000000000000000000000000000000100f")
	st.SetCode(loop, common.FromHex("5b600056"), tracing.CodeChangeUnspecified)
	spin := CallMsg{From: from, To: &loop, Gas: 1 << 62}
	if _, err := e.CallWith(context.Background(), st.Copy(), env(), spin, CallOptions{Timeout: 20 * time.Millisecond}); !errors.Is(err, ErrTimeBound) {
		t.Errorf("endless call: %v, want ErrTimeBound", err)
	}
}
