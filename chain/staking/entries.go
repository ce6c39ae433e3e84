package staking

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// Unbonding and redelegation entries. An unbonding entry holds stake that
// left a validator until withdraw() pays it, after the unbonding period; a
// redelegation entry holds nothing, it only keeps moved stake slashable for
// faults its source validator committed before the move. Each entry is on
// its delegator's list and on its source validator's list (for slashing).

func (m *machine) addEntry(kind uint64, delegator, validator, dest common.Address, amount *uint256.Int, done uint64) {
	id := m.d.u64(m.d.global(gNextEntry)) + 1
	m.d.setU64(m.d.global(gNextEntry), id)
	e := m.d.entry(id)
	e.setU64(eKind, kind)
	m.d.setAddr(e.key(eDelegator), delegator)
	m.d.setAddr(e.key(eValidator), validator)
	m.d.setAddr(e.key(eDest), dest)
	m.d.setU256(e.key(eAmount), amount)
	e.setU64(eCompletion, done)
	e.setU64(eHeight, m.env.Height)
	e.setU64(eDelegIndex, m.d.delegatorEntries(delegator).Push(u64Word(id))+1)
	e.setU64(eValIndex, m.d.validatorEntries(validator).Push(u64Word(id))+1)
}

// removeEntry deletes an entry from both lists and clears it.
func (m *machine) removeEntry(id uint64) {
	e := m.d.entry(id)
	del, val := e.addr(eDelegator), e.addr(eValidator)
	if moved, ok := m.d.delegatorEntries(del).Remove(e.u64(eDelegIndex) - 1); ok {
		m.d.entry(wordU64(moved)).setU64(eDelegIndex, e.u64(eDelegIndex))
	}
	if moved, ok := m.d.validatorEntries(val).Remove(e.u64(eValIndex) - 1); ok {
		m.d.entry(wordU64(moved)).setU64(eValIndex, e.u64(eValIndex))
	}
	for f := byte(eKind); f <= eValIndex; f++ {
		m.d.setWord(e.key(f), common.Hash{})
	}
}

// entries lists a delegator's entry ids.
func (m *machine) entries(delegator common.Address) []uint64 {
	l := m.d.delegatorEntries(delegator)
	ids := make([]uint64, l.Len())
	for i := range ids {
		ids[i] = wordU64(l.Get(uint64(i)))
	}
	return ids
}

// roomForEntry drops the delegator's finished redelegation entries (they
// hold nothing) and refuses a new entry past the cap.
func (m *machine) roomForEntry(delegator common.Address) error {
	for _, id := range m.entries(delegator) {
		e := m.d.entry(id)
		if e.u64(eKind) == KindRedelegation && e.u64(eCompletion) <= m.env.TimeMs {
			m.removeEntry(id)
		}
	}
	if n := m.d.delegatorEntries(delegator).Len(); n >= uint64(m.p.MaxEntries) {
		return revertf("%d unbonding and redelegation entries are pending, the most allowed; withdraw() or wait", n)
	}
	return nil
}

// redelegatedInto reports whether delegator has stake redelegated into
// validator that is still in its period: moving it again would let it
// escape a slash of the validator it first left.
func (m *machine) redelegatedInto(delegator, validator common.Address) bool {
	for _, id := range m.entries(delegator) {
		e := m.d.entry(id)
		if e.u64(eKind) == KindRedelegation && e.addr(eDest) == validator && e.u64(eCompletion) > m.env.TimeMs {
			return true
		}
	}
	return false
}

func (m *machine) withdraw(delegator common.Address) error {
	total := new(uint256.Int)
	for _, id := range m.entries(delegator) {
		e := m.d.entry(id)
		if e.u64(eCompletion) > m.env.TimeMs {
			continue
		}
		if e.u64(eKind) == KindUnbonding {
			total.Add(total, e.amount())
		}
		m.removeEntry(id)
	}
	if total.IsZero() {
		return revertError("nothing to withdraw: no unbonding has finished")
	}
	m.d.subG(gUnbonding, total)
	m.pay(delegator, total)
	m.log("Withdrawn", []common.Hash{addrWord(delegator)}, total.ToBig())
	return nil
}

func (m *machine) claimRewards(delegator, validator common.Address) error {
	v := m.d.validator(validator)
	if !v.exists() {
		return revertf("%s is not a validator", validator)
	}
	r := m.d.delegation(delegator, validator)
	m.settle(r)
	amount := r.due()
	r.set(dDue, new(uint256.Int))
	if delegator == validator {
		amount.Add(amount, v.commissionDue())
		v.set(vCommissionDue, new(uint256.Int))
	}
	if amount.IsZero() {
		return revertf("no rewards from %s to claim", validator)
	}
	m.dropIfEmpty(r)
	m.d.subG(gOutstanding, amount)
	m.pay(delegator, amount)
	m.log("RewardsClaimed", []common.Hash{addrWord(delegator), addrWord(validator)}, amount.ToBig())
	return nil
}

// pendingRewards is what claimRewards would pay delegator now.
func (m *machine) pendingRewards(delegator, validator common.Address) *uint256.Int {
	v := m.d.validator(validator)
	r := m.d.delegation(delegator, validator)
	earned := mulDiv(r.shares(), new(uint256.Int).Sub(v.acc(), r.debt()), accScale)
	earned.Add(earned, r.due())
	if delegator == validator {
		earned.Add(earned, v.commissionDue())
	}
	return earned
}

func (m *machine) unjail(op common.Address) error {
	v := m.d.validator(op)
	switch {
	case !v.exists():
		return revertf("%s is not a validator", op)
	case v.tombstoned():
		return revertf("validator %s is tombstoned for double-signing and can never return", op)
	case !v.jailed():
		return revertf("validator %s is not jailed", op)
	case m.env.TimeMs < v.jailedUntil():
		return revertf("validator %s is jailed until %d (unix ms); it is now %d", op, v.jailedUntil(), m.env.TimeMs)
	case m.selfStake(op).Lt(uint256.MustFromBig(m.p.MinSelfStake.Int())):
		return revertf("self-stake %s is below the minimum %s", inCRN(m.selfStake(op).ToBig()), inCRN(m.p.MinSelfStake.Int()))
	}
	v.setFlag(flagJailed, false)
	m.resetWindow(v)
	m.log("Unjailed", []common.Hash{addrWord(op)})
	return nil
}

// selfStake is what the operator's own delegation is worth.
func (m *machine) selfStake(op common.Address) *uint256.Int {
	v := m.d.validator(op)
	if v.shares().IsZero() {
		return new(uint256.Int)
	}
	return mulDiv(m.d.delegation(op, op).shares(), v.tokens(), v.shares())
}

// mulDiv is ⌊x·y/d⌋ over 512-bit intermediates. Amounts in Cairn stay far
// below 2^256, so the quotient always fits.
func mulDiv(x, y, d *uint256.Int) *uint256.Int {
	z, _ := new(uint256.Int).MulDivOverflow(x, y, d)
	return z
}

// mulDivUp is ⌈x·y/d⌉.
func mulDivUp(x, y, d *uint256.Int) *uint256.Int {
	z := mulDiv(x, y, d)
	if new(uint256.Int).MulMod(x, y, d).IsZero() {
		return z
	}
	return z.AddUint64(z, 1)
}
