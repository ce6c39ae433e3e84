package staking

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/holiman/uint256"
)

// Staking is the staking contract of one chain: its rules and chain ID.
// It holds no state of its own; every method works on the state it is
// given.
type Staking struct {
	chainID uint64
	params  Params
}

// New returns the staking contract for a chain. p must be valid.
func New(chainID uint64, p Params) *Staking { return &Staking{chainID: chainID, params: p} }

// Params are the contract's rules.
func (s *Staking) Params() Params { return s.params }

func (s *Staking) machine(st vm.StateDB, env Env) *machine {
	env.ChainID = s.chainID
	return &machine{d: db{st}, p: &s.params, env: env}
}

// GenesisValidator is a validator that exists from genesis, self-bonded
// with Stake.
type GenesisValidator struct {
	Operator      common.Address
	Key           common.Hash
	Stake         *big.Int
	CommissionBps uint64
	Moniker       string
}

// InitGenesis writes the genesis validators into st, mints their stake
// into the contract's balance and makes them the first active set.
func (s *Staking) InitGenesis(st vm.StateDB, env Env, vals []GenesisValidator) error {
	// A nonce keeps the account from being "empty" and deleted by the
	// EIP-161 rules while it has no balance. The code is a marker that never
	// runs (the native contract answers every call first): Solidity checks
	// that a contract has code before calling a function that returns
	// nothing, so a contract calling IStaking(…).delegate() needs it.
	st.SetNonce(Address, 1, tracing.NonceChangeGenesis)
	st.SetCode(Address, MarkerCode, tracing.CodeChangeGenesis)
	m := s.machine(st, env)
	for _, g := range vals {
		if err := checkCommission(g.CommissionBps); err != nil {
			return fmt.Errorf("genesis validator %s: %w", g.Operator, err)
		}
		if err := checkMoniker(g.Moniker); err != nil {
			return fmt.Errorf("genesis validator %s: %w", g.Operator, err)
		}
		if m.d.validator(g.Operator).exists() {
			return fmt.Errorf("genesis validator %s appears twice", g.Operator)
		}
		m.register(g.Operator, g.Key, g.CommissionBps, g.Moniker)
		stake := stakeOf(g.Stake)
		st.AddBalance(Address, stake, tracing.BalanceIncreaseGenesisBalance)
		if _, err := m.addShares(g.Operator, g.Operator, stake); err != nil {
			return fmt.Errorf("genesis validator %s: %w", g.Operator, err)
		}
	}
	if m.pickSetAbove(new(uint256.Int)); len(m.d.activeSet()) == 0 {
		return fmt.Errorf("genesis validators give no voting power (each needs at least 1 CRN)")
	}
	return nil
}

// BeginBlock runs before a block's transactions: it pays the previous
// block's reward to the signers of its commit (prev is the set that
// validated that block, each marked with whether it signed), counts their
// signing, and punishes proven double-signs.
func (s *Staking) BeginBlock(st vm.StateDB, env Env, prev []Signer, offences []Offence) {
	m := s.machine(st, env)
	m.distribute(prev)
	for _, o := range offences {
		m.punish(o)
	}
	m.countSigning(prev)
}

// EndBlock runs after a block's transactions: it mints the block reward and
// pools it with the priority fees the block paid to the contract (tips) for
// the signers of this block's commit, and at the end of an epoch picks the
// next active set. It reports whether the set changed.
func (s *Staking) EndBlock(st vm.StateDB, env Env, tips *uint256.Int) bool {
	m := s.machine(st, env)
	reward := uint256.MustFromBig(s.params.BlockReward.Int())
	st.AddBalance(Address, reward, tracing.BalanceIncreaseRewardMineBlock)
	m.d.addG(gMinted, reward)
	pool := new(uint256.Int).Add(reward, tips)
	m.d.setG(gPool, pool)
	m.d.addG(gOutstanding, pool)
	if env.Height%s.params.EpochBlocks != 0 {
		return false
	}
	return m.pickSet()
}

// EvidenceFresh reports whether a double-sign at offence may still be
// punished in a block at height.
func (s *Staking) EvidenceFresh(height, offence uint64) bool {
	return offence+s.params.MaxEvidenceAgeBlocks >= height
}
