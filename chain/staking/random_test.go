package staking

import (
	"crypto/ed25519"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// TestInvariantsHoldUnderRandomStaking runs a seeded random mix of every
// staking operation, from many accounts, with validators that miss commits
// and double-sign, and checks the invariants after every block.
func TestInvariantsHoldUnderRandomStaking(t *testing.T) {
	const blocks, perBlock = 300, 10
	p := testParams()
	p.UnbondingMs = 20_000
	p.MaxValidators = 5
	p.DowntimeJailMs = 5_000
	h := newHarness(t, p, 4, 12)
	rng := rand.New(rand.NewPCG(20261202, 9))
	ops := map[string]int{}
	ok := map[string]int{}
	offline := map[common.Address]bool{}
	for b := 0; b < blocks; b++ {
		var txs []*types.Transaction
		var names []string
		for i := 0; i < perBlock; i++ {
			name, tx := h.randomOp(rng)
			if tx != nil {
				txs, names = append(txs, tx), append(names, name)
			}
		}
		if rng.IntN(20) == 0 { // a validator goes down, or comes back
			v := h.vals[rng.IntN(len(h.vals))].addr
			offline[v] = !offline[v]
		}
		var offences []Offence
		if rng.IntN(60) == 0 {
			set := h.view().ActiveSet()
			m := set[rng.IntN(len(set))]
			offences = append(offences, Offence{Validator: m.Operator, Height: h.height, ID: common.BytesToHash([]byte(fmt.Sprint(b)))})
		}
		receipts, _ := h.block(func(a common.Address) bool { return !offline[a] && rng.IntN(10) != 0 }, offences, txs...)
		for i, r := range receipts {
			ops[names[i]]++
			if r.Status == types.ReceiptStatusSuccessful {
				ok[names[i]]++
			}
		}
		h.invariants()
	}
	total, succeeded := 0, 0
	for name, n := range ops {
		total += n
		succeeded += ok[name]
		if ok[name] == 0 {
			t.Errorf("no %s ever succeeded: the run does not exercise it", name)
		}
	}
	t.Logf("%d blocks, %d operations (%d succeeded): %v succeeded of %v", blocks, total, succeeded, ok, ops)
}

// randomOp picks an operation and its arguments, mostly ones that can
// succeed, sometimes ones that must be refused.
func (h *harness) randomOp(rng *rand.Rand) (string, *types.Transaction) {
	everyone := h.everyone()
	a := everyone[rng.IntN(len(everyone))]
	vals := h.view().Validators()
	val := vals[rng.IntN(len(vals))].Operator
	amount := func(max *big.Int) *big.Int {
		if max.Sign() <= 0 || rng.IntN(10) == 0 {
			return crn(int64(rng.IntN(50) + 1)) // often more than there is
		}
		// A random fraction of max, in thousandths.
		return new(big.Int).Div(new(big.Int).Mul(max, big.NewInt(int64(rng.IntN(1000)+1))), big.NewInt(1000))
	}
	switch n := rng.IntN(100); {
	case n < 30:
		return "delegate", h.tx(a, crn(int64(rng.IntN(500)+1)), "delegate", val)
	case n < 45:
		held, _ := h.view().Delegation(a.addr, val)
		return "undelegate", h.tx(a, nil, "undelegate", val, amount(held))
	case n < 55:
		held, _ := h.view().Delegation(a.addr, val)
		to := vals[rng.IntN(len(vals))].Operator
		return "redelegate", h.tx(a, nil, "redelegate", val, to, amount(held))
	case n < 65:
		return "withdraw", h.tx(a, nil, "withdraw")
	case n < 85:
		return "claimRewards", h.tx(a, nil, "claimRewards", val)
	case n < 90:
		return "unjail", h.tx(a, nil, "unjail")
	case n < 94:
		return "editValidator", h.tx(a, nil, "editValidator", uint16(rng.IntN(2000)), "edited")
	default:
		key := newKey(fmt.Sprint("random validator ", rng.Uint64()))
		sig := ed25519.Sign(key, KeyProof(testChainID, a.addr))
		return "createValidator", h.tx(a, crn(int64(rng.IntN(3000)+50)), "createValidator", pubWord(key), sig, uint16(rng.IntN(3000)), "random")
	}
}
