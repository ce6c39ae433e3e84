package staking

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
)

// Validator status, as views report it.
const (
	StatusInactive   uint8 = 0 // registered, not in the active set
	StatusActive     uint8 = 1
	StatusJailed     uint8 = 2
	StatusTombstoned uint8 = 3
)

// ValidatorInfo is a validator as the validators() and validator() views
// return it; field names match IStaking.ValidatorInfo.
type ValidatorInfo struct {
	Operator      common.Address
	ConsensusKey  [32]byte
	CommissionBps uint16
	Moniker       string
	Tokens        *big.Int
	SelfStake     *big.Int
	Status        uint8
	Power         uint64 // in the active set; 0 outside it
	JailedUntil   uint64
	MissedBlocks  uint64
	WindowBlocks  uint64 // commits counted in the current window
}

// DelegationInfo is one delegation of a delegator.
type DelegationInfo struct {
	Validator      common.Address
	Amount         *big.Int
	Shares         *big.Int
	PendingRewards *big.Int
}

// Unbonding is an unbonding or redelegation entry of a delegator.
type Unbonding struct {
	Kind           uint8
	Validator      common.Address
	Destination    common.Address
	Amount         *big.Int
	CompletionTime uint64
	Height         uint64
}

// Totals are the staking contract's sums, which with the balances of all
// accounts account for every wei: its balance is Bonded + Unbonding +
// Outstanding.
type Totals struct {
	Bonded      *big.Int // stake behind validators
	Unbonding   *big.Int // stake waiting for withdraw()
	Outstanding *big.Int // rewards and commission paid in, not yet claimed
	Minted      *big.Int // block rewards created since genesis
	Slashed     *big.Int // stake burned by slashing
}

// Reader answers the staking views from one state.
type Reader struct{ m machine }

// View returns the staking views over st, which it only reads.
func (s *Staking) View(st vm.StateDB) Reader {
	return Reader{machine{d: db{st}, p: &s.params, env: Env{ChainID: s.chainID}}}
}

// Validator returns one validator's record, or false if there is none.
func (r Reader) Validator(op common.Address) (ValidatorInfo, bool) {
	m := &r.m
	v := m.d.validator(op)
	if !v.exists() {
		return ValidatorInfo{}, false
	}
	info := ValidatorInfo{
		Operator: op, ConsensusKey: v.consensusKey(), CommissionBps: uint16(v.commission()),
		Moniker: v.moniker(), Tokens: v.tokens().ToBig(), SelfStake: m.selfStake(op).ToBig(),
		JailedUntil: v.jailedUntil(), MissedBlocks: v.missed(),
		WindowBlocks: min(v.signCount(), m.p.SignedBlocksWindow),
	}
	switch {
	case v.tombstoned():
		info.Status = StatusTombstoned
	case v.jailed():
		info.Status = StatusJailed
	case v.active():
		info.Status = StatusActive
	}
	if v.active() {
		for _, a := range m.d.activeSet() {
			if a.Operator == op {
				info.Power = a.Power
			}
		}
	}
	return info, true
}

// Validators returns every registered validator, in registration order
// (moved by removals, which never happen today).
func (r Reader) Validators() []ValidatorInfo {
	l := r.m.d.validatorList()
	out := make([]ValidatorInfo, 0, l.Len())
	for i := uint64(0); i < l.Len(); i++ {
		if info, ok := r.Validator(l.Addr(i)); ok {
			out = append(out, info)
		}
	}
	return out
}

// Delegation is what delegator's delegation to validator is worth, and its
// shares.
func (r Reader) Delegation(delegator, validator common.Address) (amount, shares *big.Int) {
	m := &r.m
	v := m.d.validator(validator)
	s := m.d.delegation(delegator, validator).shares()
	if v.shares().IsZero() {
		return new(big.Int), s.ToBig()
	}
	return mulDiv(s, v.tokens(), v.shares()).ToBig(), s.ToBig()
}

// Delegations lists delegator's delegations, with what each has earned.
func (r Reader) Delegations(delegator common.Address) []DelegationInfo {
	l := r.m.d.delegatorValidators(delegator)
	out := make([]DelegationInfo, l.Len())
	for i := range out {
		val := l.Addr(uint64(i))
		amount, shares := r.Delegation(delegator, val)
		out[i] = DelegationInfo{Validator: val, Amount: amount, Shares: shares, PendingRewards: r.PendingRewards(delegator, val)}
	}
	return out
}

// PendingRewards is what claimRewards(validator) would pay delegator now.
func (r Reader) PendingRewards(delegator, validator common.Address) *big.Int {
	return r.m.pendingRewards(delegator, validator).ToBig()
}

// Unbondings lists delegator's unbonding and redelegation entries.
func (r Reader) Unbondings(delegator common.Address) []Unbonding {
	ids := r.m.entries(delegator)
	out := make([]Unbonding, len(ids))
	for i, id := range ids {
		e := r.m.d.entry(id)
		out[i] = Unbonding{
			Kind: uint8(e.u64(eKind)), Validator: e.addr(eValidator), Destination: e.addr(eDest),
			Amount: e.amount().ToBig(), CompletionTime: e.u64(eCompletion), Height: e.u64(eHeight),
		}
	}
	return out
}

// ActiveSet is the validator set that validates the next block.
func (r Reader) ActiveSet() []Member { return r.m.d.activeSet() }

// Totals returns the contract's sums.
func (r Reader) Totals() Totals {
	d := r.m.d
	return Totals{
		Bonded: d.g(gBonded).ToBig(), Unbonding: d.g(gUnbonding).ToBig(), Outstanding: d.g(gOutstanding).ToBig(),
		Minted: d.g(gMinted).ToBig(), Slashed: d.g(gSlashed).ToBig(),
	}
}

// OperatorOf returns the operator that registered a consensus key.
func (r Reader) OperatorOf(key common.Hash) (common.Address, bool) {
	op := r.m.d.addr(slot(tagConsKey, key[:]))
	return op, op != (common.Address{})
}
