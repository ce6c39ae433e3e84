package staking

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/holiman/uint256"
)

// Signer is one member of the validator set that validated the previous
// block, and whether its precommit is in that block's commit.
type Signer struct {
	Operator common.Address
	Power    uint64
	Signed   bool
}

// Offence is a proven double-sign: the validator signed two conflicting
// votes at Height. The chain checks the votes before passing it on.
type Offence struct {
	Validator common.Address
	Height    uint64
	ID        common.Hash // the same evidence has the same ID
}

// distribute pays the pool of the previous block to the members that
// signed its commit, by voting power: each one's commission first, the rest
// into its rewards-per-share accumulator, so no delegator is visited.
func (m *machine) distribute(set []Signer) {
	pool := m.d.g(gPool)
	m.d.setG(gPool, new(uint256.Int))
	var signed uint64
	for _, s := range set {
		if s.Signed {
			signed += s.Power
		}
	}
	if pool.IsZero() || signed == 0 {
		return // what was not paid stays in the outstanding total
	}
	total := uint256.NewInt(signed)
	for _, s := range set {
		if !s.Signed || s.Power == 0 {
			continue
		}
		v := m.d.validator(s.Operator)
		share := mulDiv(pool, uint256.NewInt(s.Power), total)
		commission := mulDiv(share, uint256.NewInt(v.commission()), uint256.NewInt(maxBps))
		rest := new(uint256.Int).Sub(share, commission)
		if shares := v.shares(); shares.IsZero() {
			commission.Add(commission, rest)
		} else {
			acc := v.acc()
			v.set(vAcc, acc.Add(acc, mulDiv(rest, accScale, shares)))
		}
		v.set(vCommissionDue, commission.Add(commission, v.commissionDue()))
	}
}

// countSigning records, for every member of the previous block's set that
// is not already jailed, whether it signed, and jails (and slashes) those
// that signed too few of the last SignedBlocksWindow commits.
func (m *machine) countSigning(set []Signer) {
	w := m.p.SignedBlocksWindow
	for _, s := range set {
		v := m.d.validator(s.Operator)
		if !v.exists() || v.jailed() {
			continue
		}
		n := v.signCount()
		bit := n % w
		word := slot(tagBitmap, s.Operator[:], u64b(bit/256))
		bm := m.d.word(word)
		byteAt, mask := 31-(bit%256)/8, byte(1)<<(bit%8)
		was, now := bm[byteAt]&mask != 0, !s.Signed
		missed := v.missed()
		switch {
		case was && !now:
			missed--
		case !was && now:
			missed++
		}
		bm[byteAt] ^= mask * b2u8(was != now)
		m.d.setWord(word, bm)
		v.setU64(vMissed, missed)
		v.setU64(vSignCount, n+1)
		if n+1 >= w && w-missed < m.p.MinSignedPerWindow {
			m.jail(v, m.env.TimeMs+m.p.DowntimeJailMs)
			m.slash(v, m.p.SlashDowntimeBps, 0, false)
		}
	}
}

func (m *machine) jail(v validatorRef, until uint64) {
	v.setFlag(flagJailed, true)
	v.setU64(vJailedUntil, until)
	m.resetWindow(v)
}

// resetWindow forgets a validator's signing record: it starts over when it
// is unjailed or joins the set.
func (m *machine) resetWindow(v validatorRef) {
	for i := uint64(0); i*256 < m.p.SignedBlocksWindow; i++ {
		m.d.setWord(slot(tagBitmap, v.op[:], u64b(i)), common.Hash{})
	}
	v.setU64(vSignCount, 0)
	v.setU64(vMissed, 0)
}

// slash burns bps of the validator's bonded stake; its delegators lose it
// through the price of their shares. With entries set, unbonding and
// redelegation entries that began after the offence height lose the same
// share: stake cannot run from a fault by leaving after it.
func (m *machine) slash(v validatorRef, bps uint32, offence uint64, entries bool) {
	rate := uint256.NewInt(uint64(bps))
	tokens := v.tokens()
	cut := mulDiv(tokens, rate, uint256.NewInt(maxBps))
	v.set(vTokens, tokens.Sub(tokens, cut))
	m.d.subG(gBonded, cut)
	burned := cut.Clone()
	if entries {
		burned.Add(burned, m.slashEntries(v.op, rate, offence))
	}
	m.d.st.SubBalance(Address, burned, tracing.BalanceDecreaseSelfdestructBurn)
	m.d.addG(gSlashed, burned)
}

func (m *machine) slashEntries(op common.Address, rate *uint256.Int, offence uint64) *uint256.Int {
	burned := new(uint256.Int)
	l := m.d.validatorEntries(op)
	for i := uint64(0); i < l.Len(); i++ {
		e := m.d.entry(wordU64(l.Get(i)))
		if e.u64(eHeight) <= offence || e.u64(eCompletion) <= m.env.TimeMs {
			continue
		}
		amount := e.amount()
		cut := mulDiv(amount, rate, uint256.NewInt(maxBps))
		if e.u64(eKind) == KindUnbonding {
			m.d.setU256(e.key(eAmount), amount.Sub(amount, cut))
			m.d.subG(gUnbonding, cut)
			burned.Add(burned, cut)
			continue
		}
		// A redelegation: burn that share of the shares it bought at
		// the destination, as far as the delegator still holds them.
		burned.Add(burned, m.burnShares(e.addr(eDelegator), e.addr(eDest), cut))
	}
	return burned
}

// burnShares destroys up to n of delegator's shares at validator and
// returns the stake they were worth, which leaves the bonded total.
func (m *machine) burnShares(delegator, validator common.Address, n *uint256.Int) *uint256.Int {
	v := m.d.validator(validator)
	r := m.d.delegation(delegator, validator)
	m.settle(r)
	held, shares, tokens := r.shares(), v.shares(), v.tokens()
	if n.Gt(held) {
		n = held
	}
	if n.IsZero() || shares.IsZero() {
		return new(uint256.Int)
	}
	worth := mulDiv(n, tokens, shares)
	m.takeShares(v, r, n, worth)
	return worth
}

// punish slashes, jails and tombstones a double-signer, once per validator:
// a tombstoned validator is not punished again, so the same evidence, or
// other evidence of the same fault, never counts twice.
func (m *machine) punish(o Offence) {
	seen := slot(tagEvidence, o.ID[:])
	if m.d.u64(seen) != 0 {
		return
	}
	m.d.setU64(seen, 1)
	v := m.d.validator(o.Validator)
	if !v.exists() || v.tombstoned() {
		return
	}
	m.slash(v, m.p.SlashDoubleSignBps, o.Height, true)
	m.jail(v, ^uint64(0))
	v.setFlag(flagTombstoned, true)
}

func b2u8(b bool) byte {
	if b {
		return 1
	}
	return 0
}
