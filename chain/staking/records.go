package staking

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// Validator fields.
const (
	vFlags         = iota // exists, jailed, tombstoned
	vKey                  // consensus key
	vCommission           // basis points
	vMoniker              // bytes
	vTokens               // bonded stake, wei
	vShares               // delegation shares issued
	vAcc                  // rewards per share, scaled by accScale
	vCommissionDue        // commission earned and not claimed, wei
	vJailedUntil          // unix ms
	vSignCount            // commits counted since the window was reset
	vMissed               // missed commits in the window
	vIndex                // position in the validator list + 1
	vActive               // 1 while in the active set
)

// Validator flags.
const (
	flagExists = 1 << iota
	flagJailed
	flagTombstoned
)

// Delegation fields.
const (
	dShares = iota
	dDebt   // the validator's accumulator when rewards were last settled
	dDue    // settled rewards not yet claimed, wei
	dIndex  // position in the delegator's validator list + 1
)

// Entry fields: an unbonding (stake on its way out) or a redelegation
// (stake that moved and stays slashable for the source's earlier faults).
const (
	eKind = iota
	eDelegator
	eValidator  // the validator the stake left
	eDest       // redelegations: where it went
	eAmount     // wei; for a redelegation, the shares received at eDest
	eCompletion // unix ms
	eHeight     // block in which the entry began
	eDelegIndex // position in the delegator's entry list + 1
	eValIndex   // position in the validator's entry list + 1
)

// Entry kinds, as Unbonding.Kind reports them.
const (
	KindUnbonding    = 1 // stake withdraw() pays after its completion time
	KindRedelegation = 2 // stake that moved, slashable for its source until its completion time
)

// Globals.
const (
	gNextEntry   = "nextEntry"
	gBonded      = "bonded"      // Σ validator tokens
	gUnbonding   = "unbonding"   // Σ unbonding entries
	gOutstanding = "outstanding" // rewards credited and not claimed
	gPool        = "pool"        // the last block's reward, for its commit's signers
	gMinted      = "minted"
	gSlashed     = "slashed"
)

// accScale is the fixed-point scale of the rewards-per-share accumulator.
var accScale = new(uint256.Int).Exp(uint256.NewInt(10), uint256.NewInt(27))

type validatorRef struct {
	d  db
	op common.Address
}

func (d db) validator(op common.Address) validatorRef { return validatorRef{d, op} }

func (v validatorRef) key(field byte) common.Hash { return slot(tagValidator, v.op[:], []byte{field}) }
func (v validatorRef) flags() uint64              { return v.d.u64(v.key(vFlags)) }
func (v validatorRef) exists() bool               { return v.flags()&flagExists != 0 }
func (v validatorRef) jailed() bool               { return v.flags()&flagJailed != 0 }
func (v validatorRef) tombstoned() bool           { return v.flags()&flagTombstoned != 0 }
func (v validatorRef) setFlag(f uint64, on bool) {
	fl := v.flags() &^ f
	if on {
		fl |= f
	}
	v.d.setU64(v.key(vFlags), fl)
}
func (v validatorRef) consensusKey() common.Hash      { return v.d.word(v.key(vKey)) }
func (v validatorRef) commission() uint64             { return v.d.u64(v.key(vCommission)) }
func (v validatorRef) moniker() string                { return string(v.d.bytes(v.key(vMoniker))) }
func (v validatorRef) tokens() *uint256.Int           { return v.d.u256(v.key(vTokens)) }
func (v validatorRef) shares() *uint256.Int           { return v.d.u256(v.key(vShares)) }
func (v validatorRef) acc() *uint256.Int              { return v.d.u256(v.key(vAcc)) }
func (v validatorRef) commissionDue() *uint256.Int    { return v.d.u256(v.key(vCommissionDue)) }
func (v validatorRef) jailedUntil() uint64            { return v.d.u64(v.key(vJailedUntil)) }
func (v validatorRef) signCount() uint64              { return v.d.u64(v.key(vSignCount)) }
func (v validatorRef) missed() uint64                 { return v.d.u64(v.key(vMissed)) }
func (v validatorRef) active() bool                   { return v.d.u64(v.key(vActive)) == 1 }
func (v validatorRef) set(field byte, x *uint256.Int) { v.d.setU256(v.key(field), x) }
func (v validatorRef) setU64(field byte, x uint64)    { v.d.setU64(v.key(field), x) }

type delegationRef struct {
	d         db
	delegator common.Address
	validator common.Address
}

func (d db) delegation(delegator, validator common.Address) delegationRef {
	return delegationRef{d, delegator, validator}
}

func (r delegationRef) key(field byte) common.Hash {
	return slot(tagDelegation, r.delegator[:], r.validator[:], []byte{field})
}
func (r delegationRef) shares() *uint256.Int           { return r.d.u256(r.key(dShares)) }
func (r delegationRef) debt() *uint256.Int             { return r.d.u256(r.key(dDebt)) }
func (r delegationRef) due() *uint256.Int              { return r.d.u256(r.key(dDue)) }
func (r delegationRef) set(field byte, x *uint256.Int) { r.d.setU256(r.key(field), x) }

type entryRef struct {
	d  db
	id uint64
}

func (d db) entry(id uint64) entryRef { return entryRef{d, id} }

func (e entryRef) key(field byte) common.Hash     { return slot(tagEntry, u64b(e.id), []byte{field}) }
func (e entryRef) u64(field byte) uint64          { return e.d.u64(e.key(field)) }
func (e entryRef) setU64(field byte, x uint64)    { e.d.setU64(e.key(field), x) }
func (e entryRef) addr(field byte) common.Address { return e.d.addr(e.key(field)) }
func (e entryRef) amount() *uint256.Int           { return e.d.u256(e.key(eAmount)) }

func (d db) global(name string) common.Hash   { return slot(tagGlobal, []byte(name)) }
func (d db) g(name string) *uint256.Int       { return d.u256(d.global(name)) }
func (d db) setG(name string, x *uint256.Int) { d.setU256(d.global(name), x) }

// addG adds x to a global (a negative change is subG).
func (d db) addG(name string, x *uint256.Int) { d.setG(name, new(uint256.Int).Add(d.g(name), x)) }
func (d db) subG(name string, x *uint256.Int) { d.setG(name, new(uint256.Int).Sub(d.g(name), x)) }

// The lists the contract keeps.
func (d db) validatorList() list                       { return d.list("validators") }
func (d db) activeList() list                          { return d.list("active") }
func (d db) delegatorValidators(a common.Address) list { return d.list("delegated", a[:]) }
func (d db) delegatorEntries(a common.Address) list    { return d.list("entries", a[:]) }
func (d db) validatorEntries(a common.Address) list    { return d.list("valEntries", a[:]) }
