package staking

import (
	"crypto/ed25519"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func newKey(seed string) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(crypto.Keccak256([]byte(seed)))
}

func pubWord(k ed25519.PrivateKey) [32]byte { return [32]byte(k.Public().(ed25519.PublicKey)) }

func TestGenesisValidatorsAreTheFirstSet(t *testing.T) {
	h := newHarness(t, testParams(), 3, 0)
	set := h.view().ActiveSet()
	if len(set) != 3 {
		t.Fatalf("genesis set has %d members, want 3", len(set))
	}
	for _, m := range set {
		if m.Power != 1000 {
			t.Fatalf("%s has power %d, want 1000 (1000 CRN)", m.Operator, m.Power)
		}
	}
	h.invariants()
}

func TestCreateValidatorJoinsAtTheNextEpoch(t *testing.T) {
	h := newHarness(t, testParams(), 3, 2)
	op, key := h.users[0], newKey("new validator")
	sig := ed25519.Sign(key, KeyProof(testChainID, op.addr))
	r := h.mustSend(op, crn(5000), "createValidator", pubWord(key), sig, uint16(500), "my validator")
	if len(r.Logs) != 2 || r.Logs[1].Topics[0] != ABI.Events["ValidatorCreated"].ID || r.Logs[1].Topics[1] != addrWord(op.addr) {
		t.Fatalf("createValidator logs %+v, want Delegated then ValidatorCreated for the operator", r.Logs)
	}
	info, ok := h.view().Validator(op.addr)
	if !ok || info.Moniker != "my validator" || info.CommissionBps != 500 || info.Tokens.Cmp(crn(5000)) != 0 || info.Status != StatusInactive {
		t.Fatalf("validator view %+v", info)
	}
	for h.height%10 != 9 {
		h.block(nil, nil)
		if len(h.view().ActiveSet()) != 3 {
			t.Fatalf("set changed at block %d, before the epoch ended", h.height)
		}
	}
	if _, changed := h.block(nil, nil); !changed {
		t.Fatalf("the epoch-ending block %d did not change the set", h.height)
	}
	set := h.view().ActiveSet()
	if len(set) != 4 || set[0].Operator != op.addr || set[0].Power != 5000 || set[0].Key != common.Hash(pubWord(key)) {
		t.Fatalf("set after the epoch: %+v, want the new validator first with power 5000", set)
	}
	h.invariants()
}

func TestCreateValidatorRefusesAKeyTheSenderDoesNotHold(t *testing.T) {
	h := newHarness(t, testParams(), 1, 2)
	thief, victim, key := h.users[0], h.users[1], newKey("victim key")
	// The victim's proof, replayed by someone else.
	sig := ed25519.Sign(key, KeyProof(testChainID, victim.addr))
	before := h.st.GetBalance(thief.addr)
	if r := h.send(thief, crn(5000), "createValidator", pubWord(key), sig, uint16(0), "x"); r.Status != types.ReceiptStatusFailed {
		t.Fatal("a stolen key proof registered a validator")
	}
	if why := h.why(thief, crn(5000), "createValidator", pubWord(key), sig, uint16(0), "x"); !strings.Contains(why, "key signature") {
		t.Fatalf("revert reason %q", why)
	}
	if _, ok := h.view().Validator(thief.addr); ok {
		t.Fatal("validator record written by a reverted call")
	}
	if spent := new(big.Int).Sub(before.ToBig(), h.st.GetBalance(thief.addr).ToBig()); spent.Cmp(crn(1)) > 0 {
		t.Fatalf("a reverted createValidator kept the stake: spent %s", spent)
	}
	// Another chain's proof is refused too.
	other := ed25519.Sign(key, KeyProof(testChainID+1, victim.addr))
	if why := h.why(victim, crn(5000), "createValidator", pubWord(key), other, uint16(0), "x"); !strings.Contains(why, "key signature") {
		t.Fatalf("proof for another chain: %q", why)
	}
	h.invariants()
}

func TestUnbondedStakeIsWithdrawableWhenThePeriodEnds(t *testing.T) {
	h := newHarness(t, testParams(), 1, 1)
	val, user := h.vals[0].addr, h.users[0]
	h.mustSend(user, crn(300), "delegate", val)
	h.mustSend(user, nil, "undelegate", val, crn(100))
	u := h.view().Unbondings(user.addr)
	if len(u) != 1 || u[0].Amount.Cmp(crn(100)) != 0 || u[0].CompletionTime != h.timeMs+h.s.params.UnbondingMs {
		t.Fatalf("unbondings %+v", u)
	}
	done := u[0].CompletionTime
	for h.timeMs+1000 < done {
		h.block(nil, nil)
	}
	if why := h.why(user, nil, "withdraw"); !strings.Contains(why, "nothing to withdraw") {
		t.Fatalf("withdraw one block early: %q", why)
	}
	before := h.st.GetBalance(user.addr).ToBig()
	r := h.mustSend(user, nil, "withdraw") // this block's time is the completion time
	if h.timeMs != done {
		t.Fatalf("withdrew at %d, completion %d", h.timeMs, done)
	}
	fee := new(big.Int).Mul(r.EffectiveGasPrice, new(big.Int).SetUint64(r.GasUsed))
	got := new(big.Int).Sub(h.st.GetBalance(user.addr).ToBig(), before)
	if got.Add(got, fee).Cmp(crn(100)) != 0 {
		t.Fatalf("withdraw paid %s, want 100 CRN", got)
	}
	if amt, _ := h.view().Delegation(user.addr, val); amt.Cmp(crn(200)) != 0 {
		t.Fatalf("delegation after undelegating 100 of 300: %s", amt)
	}
	h.invariants()
}

func TestDelegatorRewardsFollowTheFormula(t *testing.T) {
	p := testParams()
	h := newHarness(t, p, 2, 2)
	val := h.vals[0]
	h.mustSend(val, nil, "editValidator", uint16(1000), "ten percent")
	h.mustSend(h.users[0], crn(1000), "delegate", val.addr)
	h.mustSend(h.users[1], crn(3000), "delegate", val.addr)
	// Start clean: claim what has accrued so far.
	for _, a := range []account{h.users[0], h.users[1], val} {
		h.mustSend(a, nil, "claimRewards", val.addr)
	}
	// 100 blocks with no transactions: each pool is the block reward, and
	// the two genesis validators, with powers 5000 and 1000 once the epoch
	// has picked them up, share it. A block pays the pool of the one
	// before, by the powers of the set that signed it: run to the end of
	// the epoch and one block more, which pays the last pool with tips.
	for h.height%p.EpochBlocks != 0 {
		h.block(nil, nil)
	}
	h.block(nil, nil)
	base := map[common.Address]*big.Int{}
	for _, a := range []account{h.users[0], h.users[1], val} {
		base[a.addr] = h.view().PendingRewards(a.addr, val.addr)
	}
	reward := p.BlockReward.Int()
	for i := 0; i < 100; i++ {
		h.block(nil, nil)
	}
	// One block's pool: val's share is 5000/6000 of the reward; 10% is
	// commission, the rest goes to 5000 CRN of shares: val 1000, users
	// 1000 and 3000, at the accumulator's 1e27 scale.
	share := new(big.Int).Div(new(big.Int).Mul(reward, big.NewInt(5000)), big.NewInt(6000))
	commission := new(big.Int).Div(new(big.Int).Mul(share, big.NewInt(1000)), big.NewInt(10000))
	rest := new(big.Int).Sub(share, commission)
	scale := accScale.ToBig()
	perShare := new(big.Int).Div(new(big.Int).Mul(rest, scale), crn(5000))
	acc := new(big.Int).Mul(perShare, big.NewInt(100))
	earned := func(stake *big.Int) *big.Int { return new(big.Int).Div(new(big.Int).Mul(stake, acc), scale) }
	want := map[common.Address]*big.Int{
		h.users[0].addr: earned(crn(1000)),
		h.users[1].addr: earned(crn(3000)),
		val.addr:        new(big.Int).Add(earned(crn(1000)), new(big.Int).Mul(commission, big.NewInt(100))),
	}
	for a, w := range want {
		got := new(big.Int).Sub(h.view().PendingRewards(a, val.addr), base[a])
		if got.Cmp(w) != 0 {
			t.Errorf("%s earned %s over 100 blocks, formula says %s", a, got, w)
		}
	}
	// Claiming pays exactly what was pending.
	u := h.users[1]
	pending := h.view().PendingRewards(u.addr, val.addr)
	before := h.st.GetBalance(u.addr).ToBig()
	r := h.mustSend(u, nil, "claimRewards", val.addr)
	fee := new(big.Int).Mul(r.EffectiveGasPrice, new(big.Int).SetUint64(r.GasUsed))
	got := new(big.Int).Sub(h.st.GetBalance(u.addr).ToBig(), before)
	// The claim's block paid one more pool before the transaction ran.
	if got.Add(got, fee).Cmp(pending) < 0 {
		t.Fatalf("claim paid %s, less than the %s pending", got, pending)
	}
	h.invariants()
}

func TestDowntimeJailsSlashesAndUnjailRestores(t *testing.T) {
	p := testParams()
	h := newHarness(t, p, 4, 0)
	down := h.vals[3]
	tokens := h.mustValidator(down.addr).Tokens
	offline := func(a common.Address) bool { return a != down.addr }
	var jailedAt uint64
	for i := 0; i < 30 && jailedAt == 0; i++ {
		h.block(offline, nil)
		h.invariants()
		if h.mustValidator(down.addr).Status == StatusJailed {
			jailedAt = h.height
		}
	}
	// The validator's first missed commit is counted in block 1; it is
	// judged once its window of 10 is full, and then has 10 misses, more
	// than the 10−5 allowed.
	if jailedAt != 10 {
		t.Fatalf("jailed at block %d, want 10", jailedAt)
	}
	info := h.mustValidator(down.addr)
	cut := new(big.Int).Div(new(big.Int).Mul(tokens, big.NewInt(int64(p.SlashDowntimeBps))), big.NewInt(10000))
	if want := new(big.Int).Sub(tokens, cut); info.Tokens.Cmp(want) != 0 {
		t.Fatalf("stake after downtime %s, want %s − %s", info.Tokens, tokens, cut)
	}
	if info.JailedUntil != h.timeMs+p.DowntimeJailMs {
		t.Fatalf("jailed until %d, want %d", info.JailedUntil, h.timeMs+p.DowntimeJailMs)
	}
	for h.height%p.EpochBlocks != 0 {
		h.block(offline, nil)
	}
	if inSet(h.view().ActiveSet(), down.addr) {
		t.Fatal("jailed validator still in the set after the epoch")
	}
	if why := h.why(down, nil, "unjail"); !strings.Contains(why, "jailed until") {
		t.Fatalf("early unjail: %q", why)
	}
	for h.timeMs+1000 < info.JailedUntil {
		h.block(nil, nil)
	}
	h.mustSend(down, nil, "unjail")
	for h.height%p.EpochBlocks != 0 {
		h.block(nil, nil)
	}
	if !inSet(h.view().ActiveSet(), down.addr) {
		t.Fatal("unjailed validator did not rejoin at the next epoch")
	}
	h.invariants()
}

func TestDoubleSignSlashesTombstonesAndReachesLateUnbondings(t *testing.T) {
	p := testParams()
	h := newHarness(t, p, 4, 2)
	bad, early, late := h.vals[2], h.users[0], h.users[1]
	h.mustSend(early, crn(1000), "delegate", bad.addr)
	h.mustSend(late, crn(1000), "delegate", bad.addr)
	h.mustSend(early, nil, "undelegate", bad.addr, crn(400)) // before the offence: safe
	offence := h.height
	h.block(nil, nil)
	h.mustSend(late, nil, "undelegate", bad.addr, crn(400)) // after it: slashed too
	tokens := h.mustValidator(bad.addr).Tokens
	ev := Offence{Validator: bad.addr, Height: offence, ID: common.Hash{1}}
	h.block(nil, []Offence{ev})
	h.invariants()
	info := h.mustValidator(bad.addr)
	rate := big.NewInt(int64(p.SlashDoubleSignBps))
	cut := new(big.Int).Div(new(big.Int).Mul(tokens, rate), big.NewInt(10000))
	if info.Status != StatusTombstoned || info.Tokens.Cmp(new(big.Int).Sub(tokens, cut)) != 0 {
		t.Fatalf("after double-sign: %+v, want tombstoned with %s − %s", info, tokens, cut)
	}
	lateCut := new(big.Int).Div(new(big.Int).Mul(crn(400), rate), big.NewInt(10000))
	if u := h.view().Unbondings(late.addr); u[0].Amount.Cmp(new(big.Int).Sub(crn(400), lateCut)) != 0 {
		t.Fatalf("late unbonding %s, want 400 CRN less %s", u[0].Amount, lateCut)
	}
	if u := h.view().Unbondings(early.addr); u[0].Amount.Cmp(crn(400)) != 0 {
		t.Fatalf("unbonding from before the offence was slashed: %s", u[0].Amount)
	}
	// Delegators lose their share through the share price: 600 CRN at 95%.
	amt, _ := h.view().Delegation(early.addr, bad.addr)
	if want := new(big.Int).Div(new(big.Int).Mul(crn(600), big.NewInt(9500)), big.NewInt(10000)); new(big.Int).Sub(want, amt).CmpAbs(big.NewInt(1)) > 0 {
		t.Fatalf("delegation after the slash %s, want %s", amt, want)
	}
	// The same evidence, or new evidence of it, changes nothing more.
	h.block(nil, []Offence{ev, {Validator: bad.addr, Height: offence, ID: common.Hash{2}}})
	if again := h.mustValidator(bad.addr); again.Tokens.Cmp(info.Tokens) != 0 {
		t.Fatalf("second evidence slashed again: %s → %s", info.Tokens, again.Tokens)
	}
	if why := h.why(bad, nil, "unjail"); !strings.Contains(why, "tombstoned") {
		t.Fatalf("tombstoned unjail: %q", why)
	}
	for h.height%p.EpochBlocks != 0 {
		h.block(nil, nil)
	}
	if inSet(h.view().ActiveSet(), bad.addr) {
		t.Fatal("tombstoned validator still in the set")
	}
	h.invariants()
}

func (h *harness) mustValidator(op common.Address) ValidatorInfo {
	h.t.Helper()
	v, ok := h.view().Validator(op)
	if !ok {
		h.t.Fatalf("no validator %s", op)
	}
	return v
}

func inSet(set []Member, op common.Address) bool { return wasIn(set, op) }

func TestRevertReasonsWriteAmountsInCRN(t *testing.T) {
	for wei, want := range map[string]string{
		"250000000000000000000": "250 CRN",
		"1500000000000000000":   "1.5 CRN (1500000000000000000 wei)",
		"1":                     "0.000000000000000001 CRN (1 wei)",
	} {
		x, _ := new(big.Int).SetString(wei, 10)
		if got := inCRN(x); got != want {
			t.Errorf("inCRN(%s) = %q, want %q", wei, got, want)
		}
	}
}
