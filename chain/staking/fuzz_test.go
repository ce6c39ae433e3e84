package staking

import (
	"crypto/ed25519"
	"math/big"
	"testing"

	cairnvm "cairn/vm"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzStakingCall sends arbitrary call data, with some value, from one of
// the test accounts to the staking contract, through the EVM: whatever the
// bytes, the call succeeds or reverts, never panics, and the invariants
// hold afterwards.
func FuzzStakingCall(f *testing.F) {
	key := newKey("fuzz validator")
	val := common.BytesToAddress([]byte{1})
	for _, seed := range [][]any{
		{"delegate", val},
		{"undelegate", val, big.NewInt(1e18)},
		{"redelegate", val, common.BytesToAddress([]byte{2}), big.NewInt(5)},
		{"withdraw"},
		{"claimRewards", val},
		{"unjail"},
		{"editValidator", uint16(100), "x"},
		{"createValidator", pubWord(key), ed25519.Sign(key, []byte("wrong")), uint16(0), "m"},
		{"validators"},
		{"validator", val},
		{"delegations", val},
		{"unbondings", val},
		{"pendingRewards", val, val},
	} {
		data, err := ABI.Pack(seed[0].(string), seed[1:]...)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(0), uint64(1000), data)
	}
	h := newHarness(f, testParams(), 3, 3)
	base := h.st.Copy()
	f.Fuzz(func(t *testing.T, who uint8, crnMilli uint64, data []byte) {
		run := *h
		run.t, run.st = t, base.Copy()
		everyone := run.everyone()
		from := everyone[int(who)%len(everyone)]
		value := new(big.Int).Mul(new(big.Int).SetUint64(crnMilli%10_000_000), big.NewInt(1e15))
		to := Address
		res, err := run.exec.Call(testCtx, run.st, cairnvm.BlockEnv{Number: 1, TimeMs: run.timeMs, GasLimit: 30_000_000, BaseFee: big.NewInt(0)},
			cairnvm.CallMsg{From: from.addr, To: &to, Value: value, Data: data}, 10_000_000, 0)
		if err != nil {
			return // e.g. the value is more than the account holds
		}
		if res.Err == nil && len(data) >= 4 {
			if m, err := ABI.MethodById(data[:4]); err == nil && !m.IsConstant() && value.Sign() > 0 && !m.IsPayable() {
				t.Fatalf("%s took %s wei though it is not payable", m.Name, value)
			}
		}
		run.invariants()
	})
}
