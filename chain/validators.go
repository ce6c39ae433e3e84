package chain

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sort"

	"cairn/chain/staking"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Validator is a member of the active set: an operator address (which
// receives fees), an ed25519 consensus key (votes and VRF) and voting power.
type Validator struct {
	Address common.Address
	PubKey  ed25519.PublicKey
	Power   uint64
	Name    string
}

// ConsensusAddress derives a stable address for a consensus public key,
// used for validators whose genesis entry names no operator address.
func ConsensusAddress(pub ed25519.PublicKey) common.Address {
	return common.BytesToAddress(crypto.Keccak256(pub)[12:])
}

// ValidatorSet is the active validators ordered by address, so every node
// iterates them the same way.
type ValidatorSet struct {
	Validators []*Validator
	total      uint64
}

// NewValidatorSet sorts the validators and totals their power.
func NewValidatorSet(vals []*Validator) *ValidatorSet {
	sorted := append([]*Validator(nil), vals...)
	sort.Slice(sorted, func(i, j int) bool {
		return bytes.Compare(sorted[i].Address[:], sorted[j].Address[:]) < 0
	})
	s := &ValidatorSet{Validators: sorted}
	for _, v := range sorted {
		s.total += v.Power
	}
	return s
}

// TotalPower is the sum of all validators' power.
func (s *ValidatorSet) TotalPower() uint64 { return s.total }

// HasQuorum reports whether power is more than 2/3 of the total.
func (s *ValidatorSet) HasQuorum(power uint64) bool {
	return power*3 > s.total*2
}

// ByAddress returns the validator with that address, or nil.
func (s *ValidatorSet) ByAddress(addr common.Address) *Validator {
	i := sort.Search(len(s.Validators), func(i int) bool {
		return bytes.Compare(s.Validators[i].Address[:], addr[:]) >= 0
	})
	if i < len(s.Validators) && s.Validators[i].Address == addr {
		return s.Validators[i]
	}
	return nil
}

type validatorRLP struct {
	Address common.Address
	PubKey  []byte
	Power   uint64
}

// Hash commits to the set's addresses, keys and powers (names are cosmetic).
func (s *ValidatorSet) Hash() common.Hash {
	enc := make([]validatorRLP, len(s.Validators))
	for i, v := range s.Validators {
		enc[i] = validatorRLP{v.Address, v.PubKey, v.Power}
	}
	return rlpHash(enc)
}

// Pick returns the validator whose cumulative power interval contains
// r mod total: a stake-weighted choice driven by the random number r.
func (s *ValidatorSet) Pick(r uint64) *Validator {
	if s.total == 0 {
		return nil
	}
	target := r % s.total
	for _, v := range s.Validators {
		if target < v.Power {
			return v
		}
		target -= v.Power
	}
	return s.Validators[len(s.Validators)-1]
}

// storedValidator is a validator as the store keeps it, name included.
type storedValidator struct {
	Address common.Address
	PubKey  []byte
	Power   uint64
	Name    string
}

func (s *ValidatorSet) encode() ([]byte, error) { return rlp.EncodeToBytes(s.stored()) }

func (s *ValidatorSet) stored() []storedValidator {
	enc := make([]storedValidator, len(s.Validators))
	for i, v := range s.Validators {
		enc[i] = storedValidator{v.Address, v.PubKey, v.Power, v.Name}
	}
	return enc
}

func decodeValidatorSet(data []byte) (*ValidatorSet, error) {
	var dec []storedValidator
	if err := rlp.DecodeBytes(data, &dec); err != nil {
		return nil, err
	}
	return setFromStored(dec)
}

// setFromStored checks and builds a set from its stored form.
func setFromStored(dec []storedValidator) (*ValidatorSet, error) {
	vals := make([]*Validator, len(dec))
	for i, v := range dec {
		if len(v.PubKey) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("validator %s: key is %d bytes", v.Address, len(v.PubKey))
		}
		vals[i] = &Validator{Address: v.Address, PubKey: ed25519.PublicKey(v.PubKey), Power: v.Power, Name: v.Name}
	}
	if len(vals) == 0 {
		return nil, errors.New("empty validator set")
	}
	return NewValidatorSet(vals), nil
}

// activeSet reads the validator set a state holds for the block after it.
func (c *Chain) activeSet(st vm.StateDB) *ValidatorSet { return activeSetOf(c.staking, st) }

func activeSetOf(s *staking.Staking, st vm.StateDB) *ValidatorSet {
	view := s.View(st)
	members := view.ActiveSet()
	vals := make([]*Validator, len(members))
	for i, m := range members {
		info, _ := view.Validator(m.Operator)
		vals[i] = &Validator{Address: m.Operator, PubKey: ed25519.PublicKey(common.CopyBytes(m.Key[:])), Power: m.Power, Name: info.Moniker}
	}
	return NewValidatorSet(vals)
}
