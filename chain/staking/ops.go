package staking

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/holiman/uint256"
)

// inCRN writes an amount of wei for a revert reason: in CRN, with the wei
// after it when it is not whole.
func inCRN(wei *big.Int) string {
	whole, frac := new(big.Int).QuoRem(wei, PowerUnit.ToBig(), new(big.Int))
	if frac.Sign() == 0 {
		return whole.String() + " CRN"
	}
	f := strings.TrimRight(fmt.Sprintf("%018s", frac.String()), "0")
	return fmt.Sprintf("%s.%s CRN (%s wei)", whole, f, wei)
}

// revertError is a refused call; its text is the revert reason the caller
// sees. The state it touched is rolled back by the EVM.
type revertError string

func (e revertError) Error() string { return string(e) }

func revertf(format string, args ...any) error { return revertError(fmt.Sprintf(format, args...)) }

// Env is what staking knows of the block it runs in.
type Env struct {
	ChainID uint64
	Height  uint64
	TimeMs  uint64
}

// machine applies staking operations to one state under one set of rules.
type machine struct {
	d   db
	p   *Params
	env Env
	// emit records an event; nil drops them (block-level work has no
	// transaction to carry logs).
	emit func(ev string, topics []common.Hash, args ...any)
}

// MaxMoniker is the longest moniker a validator may have, in bytes.
const MaxMoniker = 70

// KeyProof is the message a consensus key signs to let operator register
// it on the chain with this ID: createValidator carries the signature, so
// nobody can register a key they do not hold.
func KeyProof(chainID uint64, operator common.Address) []byte {
	msg := []byte("cairn/validator-key")
	msg = binary.BigEndian.AppendUint64(msg, chainID)
	return append(msg, operator[:]...)
}

func checkMoniker(m string) error {
	if len(m) > MaxMoniker || !utf8.ValidString(m) {
		return revertf("moniker must be valid UTF-8 of at most %d bytes", MaxMoniker)
	}
	return nil
}

func checkCommission(bps uint64) error {
	if bps > maxBps {
		return revertf("commission %d bps is above 100%% (%d)", bps, maxBps)
	}
	return nil
}

func (m *machine) createValidator(op common.Address, key common.Hash, sig []byte, commission uint64, moniker string, stake *uint256.Int) error {
	v := m.d.validator(op)
	switch {
	case v.exists():
		return revertf("%s is already a validator", op)
	case m.d.addr(slot(tagConsKey, key[:])) != (common.Address{}):
		return revertf("consensus key %x is already registered", key)
	case len(sig) != ed25519.SignatureSize || !ed25519.Verify(ed25519.PublicKey(key[:]), KeyProof(m.env.ChainID, op), sig):
		return revertError("key signature does not prove the consensus key is the sender's")
	case stake.Lt(uint256.MustFromBig(m.p.MinSelfStake.Int())) || stake.IsZero():
		return revertf("self-stake %s is below the minimum %s", inCRN(stake.ToBig()), inCRN(m.p.MinSelfStake.Int()))
	}
	if err := checkCommission(commission); err != nil {
		return err
	}
	if err := checkMoniker(moniker); err != nil {
		return err
	}
	m.register(op, key, commission, moniker)
	if err := m.delegate(op, op, stake); err != nil {
		return err
	}
	m.log("ValidatorCreated", []common.Hash{addrWord(op)}, key, uint16(commission), moniker)
	return nil
}

// register writes a new validator record with no stake.
func (m *machine) register(op common.Address, key common.Hash, commission uint64, moniker string) {
	v := m.d.validator(op)
	v.setU64(vFlags, flagExists)
	m.d.setWord(v.key(vKey), key)
	v.setU64(vCommission, commission)
	m.d.setBytes(v.key(vMoniker), []byte(moniker))
	m.d.setAddr(slot(tagConsKey, key[:]), op)
	v.setU64(vIndex, m.d.validatorList().Push(addrWord(op))+1)
}

func (m *machine) editValidator(op common.Address, commission uint64, moniker string) error {
	v := m.d.validator(op)
	if !v.exists() {
		return revertf("%s is not a validator", op)
	}
	if err := checkCommission(commission); err != nil {
		return err
	}
	if err := checkMoniker(moniker); err != nil {
		return err
	}
	v.setU64(vCommission, commission)
	m.d.setBytes(v.key(vMoniker), []byte(moniker))
	m.log("ValidatorEdited", []common.Hash{addrWord(op)}, uint16(commission), moniker)
	return nil
}

// settle moves the rewards a delegation earned since its last settlement
// into its due balance. Every change of its shares settles first, so the
// accumulator difference times the shares is exactly what it earned.
func (m *machine) settle(r delegationRef) {
	acc := m.d.validator(r.validator).acc()
	earned := new(uint256.Int).Sub(acc, r.debt())
	if !earned.IsZero() {
		earned = mulDiv(r.shares(), earned, accScale)
		r.set(dDue, earned.Add(earned, r.due()))
	}
	r.set(dDebt, acc)
}

// addShares bonds amount more to validator for delegator, without moving
// any balance (the caller did), and returns the shares issued.
func (m *machine) addShares(delegator, validator common.Address, amount *uint256.Int) (*uint256.Int, error) {
	v := m.d.validator(validator)
	switch {
	case !v.exists():
		return nil, revertf("%s is not a validator", validator)
	case v.tombstoned():
		return nil, revertf("validator %s is tombstoned and takes no delegations", validator)
	case amount.IsZero():
		return nil, revertError("amount must be positive")
	}
	tokens, shares := v.tokens(), v.shares()
	var issued *uint256.Int
	switch {
	case shares.IsZero():
		issued = amount.Clone()
	case tokens.IsZero():
		return nil, revertf("validator %s has no bonded stake left", validator)
	default:
		issued = mulDiv(amount, shares, tokens)
	}
	if issued.IsZero() {
		return nil, revertError("amount is too small to buy a share")
	}
	r := m.d.delegation(delegator, validator)
	m.settle(r)
	if r.shares().IsZero() && r.due().IsZero() {
		m.d.setU64(r.key(dIndex), m.d.delegatorValidators(delegator).Push(addrWord(validator))+1)
	}
	r.set(dShares, new(uint256.Int).Add(r.shares(), issued))
	v.set(vShares, shares.Add(shares, issued))
	v.set(vTokens, tokens.Add(tokens, amount))
	m.d.addG(gBonded, amount)
	return issued, nil
}

func (m *machine) delegate(delegator, validator common.Address, amount *uint256.Int) error {
	issued, err := m.addShares(delegator, validator, amount)
	if err != nil {
		return err
	}
	m.log("Delegated", []common.Hash{addrWord(delegator), addrWord(validator)}, amount.ToBig(), issued.ToBig())
	return nil
}

// removeStake takes amount of bonded stake out of delegator's delegation
// to validator, burning the shares it was worth (rounded up, so what stays
// is never worth more than before).
func (m *machine) removeStake(delegator, validator common.Address, amount *uint256.Int) error {
	v := m.d.validator(validator)
	r := m.d.delegation(delegator, validator)
	if amount.IsZero() {
		return revertError("amount must be positive")
	}
	held := r.shares()
	if !v.exists() || held.IsZero() {
		return revertf("%s has no delegation to %s", delegator, validator)
	}
	tokens, shares := v.tokens(), v.shares()
	worth := mulDiv(held, tokens, shares)
	if amount.Gt(worth) {
		return revertf("amount %s exceeds the delegation's %s", inCRN(amount.ToBig()), inCRN(worth.ToBig()))
	}
	burn := mulDivUp(amount, shares, tokens)
	if burn.Gt(held) {
		burn = held
	}
	m.settle(r)
	m.takeShares(v, r, burn, amount)
	return nil
}

// takeShares removes n of a settled delegation's shares, worth worth of
// stake, from its validator; the stake leaves the bonded total.
func (m *machine) takeShares(v validatorRef, r delegationRef, n, worth *uint256.Int) {
	r.set(dShares, new(uint256.Int).Sub(r.shares(), n))
	v.set(vShares, new(uint256.Int).Sub(v.shares(), n))
	v.set(vTokens, new(uint256.Int).Sub(v.tokens(), worth))
	m.d.subG(gBonded, worth)
	m.dropIfEmpty(r)
}

// dropIfEmpty removes a delegation with no shares and nothing due from its
// delegator's list.
func (m *machine) dropIfEmpty(r delegationRef) {
	if !r.shares().IsZero() || !r.due().IsZero() {
		return
	}
	idx := m.d.u64(r.key(dIndex))
	if idx == 0 {
		return
	}
	m.d.setU64(r.key(dIndex), 0)
	if moved, ok := m.d.delegatorValidators(r.delegator).Remove(idx - 1); ok {
		m.d.setU64(m.d.delegation(r.delegator, common.BytesToAddress(moved[12:])).key(dIndex), idx)
	}
}

func (m *machine) undelegate(delegator, validator common.Address, amount *uint256.Int) error {
	if err := m.roomForEntry(delegator); err != nil {
		return err
	}
	if err := m.removeStake(delegator, validator, amount); err != nil {
		return err
	}
	m.d.addG(gUnbonding, amount)
	done := m.env.TimeMs + m.p.UnbondingMs
	m.addEntry(KindUnbonding, delegator, validator, common.Address{}, amount, done)
	m.log("Undelegated", []common.Hash{addrWord(delegator), addrWord(validator)}, amount.ToBig(), done)
	return nil
}

func (m *machine) redelegate(delegator, from, to common.Address, amount *uint256.Int) error {
	if from == to {
		return revertError("redelegation to the same validator")
	}
	if err := m.roomForEntry(delegator); err != nil {
		return err
	}
	if m.redelegatedInto(delegator, from) {
		return revertf("stake redelegated into %s is still in its unbonding period and cannot move again", from)
	}
	if err := m.removeStake(delegator, from, amount); err != nil {
		return err
	}
	issued, err := m.addShares(delegator, to, amount)
	if err != nil {
		return err
	}
	done := m.env.TimeMs + m.p.UnbondingMs
	m.addEntry(KindRedelegation, delegator, from, to, issued, done)
	m.log("Redelegated", []common.Hash{addrWord(delegator), addrWord(from), addrWord(to)}, amount.ToBig())
	return nil
}

func (m *machine) log(ev string, topics []common.Hash, args ...any) {
	if m.emit != nil {
		m.emit(ev, topics, args...)
	}
}

func (m *machine) pay(to common.Address, amount *uint256.Int) {
	m.d.st.SubBalance(Address, amount, tracing.BalanceChangeTransfer)
	m.d.st.AddBalance(to, amount, tracing.BalanceChangeTransfer)
}
