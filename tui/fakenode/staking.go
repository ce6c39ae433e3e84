package fakenode

import (
	"context"
	"crypto/ed25519"
	"math/big"

	"cairn/chain"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// The fake's staking: by default its one devnet validator, active with all
// the power, and no delegations; SetStaking replaces it (FixtureStaking is a
// busier one).

// stakingFixture is what the fake's staking calls answer.
type stakingFixture struct {
	vals api.ValidatorList
	dels map[common.Address]*api.Delegations
}

func (n *Node) fakeValidator() api.Validator {
	pub := chain.DevnetValidatorKey().Public().(ed25519.PublicKey)
	return api.Validator{
		Operator: *n.status.Validator, ConsensusKey: []byte(pub), Moniker: "devnet-0", Status: api.ValidatorActive,
		Tokens: api.NewAmount(chain.CRN(1_000_000)), SelfStake: api.NewAmount(chain.CRN(1_000_000)),
		Power: 1_000_000, PowerShare: 1, WindowBlocks: 12, Uptime: 1,
	}
}

// SetStaking makes the fake's staking answer vals and, per delegator, dels
// (anyone else has nothing delegated).
func (n *Node) SetStaking(vals api.ValidatorList, dels map[common.Address]*api.Delegations) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.staking = &stakingFixture{vals, dels}
}

func (n *Node) validators() api.ValidatorList {
	if n.staking != nil {
		return n.staking.vals
	}
	return api.ValidatorList{Validators: []api.Validator{n.fakeValidator()}, TotalPower: 1_000_000}
}

// Validators implements api.Service.
func (n *Node) Validators(context.Context) (*api.ValidatorList, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.validators()
	l.Validators = append([]api.Validator(nil), l.Validators...)
	return &l, nil
}

// Validator implements api.Service.
func (n *Node) Validator(_ context.Context, op common.Address) (*api.Validator, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, v := range n.validators().Validators {
		if v.Operator == op {
			return &v, nil
		}
	}
	return nil, &api.Error{Status: 404, Code: api.CodeNotFound, Message: "validator " + op.Hex() + " not found"}
}

// Delegations implements api.Service.
func (n *Node) Delegations(_ context.Context, a common.Address) (*api.Delegations, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.staking != nil {
		if d := n.staking.dels[a]; d != nil {
			c := *d
			return &c, nil
		}
	}
	return &api.Delegations{Delegator: a, Delegations: []api.Delegation{}, Unbondings: []api.Unbonding{},
		PendingRewards: api.NewAmount(new(big.Int))}, nil
}

// Fixture validators' operators (besides the devnet validator's).
var (
	FixtureNorthStar = common.HexToAddress("0x00000000000000000000000000000000000a11ce")
	FixtureSlowLane  = common.HexToAddress("0x0000000000000000000000000000000000000b0b")
	FixtureTwice     = common.HexToAddress("0x000000000000000000000000000000000000c0de")
)

// FixtureStaking is a busier staking state for the Staking screen's
// tests, at the fake's clock (T0 + 12 s, block 12): the devnet validator
// (operated by dev account 0, which has delegated to itself), north-star
// (active, one missed block), slow-lane (jailed, 4m05s of jail left) and
// twice (tombstoned). Dev account 1 delegates to north-star, has 100 CRN
// ready to withdraw and 400 CRN unbonding; dev account 0 is redelegating
// 250 CRN.
func FixtureStaking() (api.ValidatorList, map[common.Address]*api.Delegations) {
	now := uint64(T0 + 12_000)
	crn := func(n int64) *api.Amount { return api.NewAmount(chain.CRN(n)) }
	milli := func(n int64) *api.Amount { return api.NewAmount(new(big.Int).Mul(big.NewInt(n), big.NewInt(1e15))) }
	key := func(b byte) []byte { k := make([]byte, 32); k[0] = b; return k }
	op := chain.DevnetAccounts[0]
	vals := api.ValidatorList{TotalPower: 1_050_000, Validators: []api.Validator{
		{Operator: op, ConsensusKey: key(1), Moniker: "devnet-0", CommissionBps: 1000, Status: api.ValidatorActive,
			Tokens: crn(1_000_000), SelfStake: crn(1_000_000), Power: 1_000_000, PowerShare: 1_000_000.0 / 1_050_000,
			WindowBlocks: 12, Uptime: 1},
		{Operator: FixtureNorthStar, ConsensusKey: key(2), Moniker: "north-star", CommissionBps: 500, Status: api.ValidatorActive,
			Tokens: crn(50_000), SelfStake: crn(49_000), Power: 50_000, PowerShare: 50_000.0 / 1_050_000,
			MissedBlocks: 1, WindowBlocks: 12, Uptime: 11.0 / 12},
		{Operator: FixtureSlowLane, ConsensusKey: key(3), Moniker: "slow-lane", CommissionBps: 750, Status: api.ValidatorJailed,
			Tokens: crn(20_000), SelfStake: crn(20_000), JailedUntil: now + 245_000, MissedBlocks: 9, WindowBlocks: 12, Uptime: 3.0 / 12},
		{Operator: FixtureTwice, ConsensusKey: key(4), Moniker: "twice", CommissionBps: 1250, Status: api.ValidatorTombstoned,
			Tokens: crn(9_500), SelfStake: crn(9_500), JailedUntil: 1<<63 - 1, WindowBlocks: 12, Uptime: 1},
	}}
	northStar := FixtureNorthStar
	dels := map[common.Address]*api.Delegations{
		op: {Delegator: op, PendingRewards: milli(12_345),
			Delegations: []api.Delegation{{Validator: op, Amount: crn(1_000_000), Shares: crn(1_000_000), PendingRewards: milli(12_345)}},
			Unbondings: []api.Unbonding{{Kind: api.UnbondingKindRedelegation, Validator: op, Destination: &northStar,
				Amount: crn(250), CompletionTime: now + 2*3600_000 + 5*60_000, Height: 10}}},
		chain.DevnetAccounts[1]: {Delegator: chain.DevnetAccounts[1], PendingRewards: milli(500),
			Delegations: []api.Delegation{{Validator: FixtureNorthStar, Amount: crn(1_000), Shares: crn(1_000), PendingRewards: milli(500)}},
			Unbondings: []api.Unbonding{
				{Kind: api.UnbondingKindUnbonding, Validator: FixtureNorthStar, Amount: crn(400), CompletionTime: now + 7*24*3600_000 - 3600_000, Height: 11},
				{Kind: api.UnbondingKindUnbonding, Validator: FixtureNorthStar, Amount: crn(100), CompletionTime: now - 1_000, Height: 2},
			}},
	}
	return vals, dels
}
