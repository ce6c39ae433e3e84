package localapi

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"slices"

	"cairn/chain/staking"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
)

// stakingView opens the staking views over the head state. Every answer is
// read from that one state, so it never mixes two heads.
func (l *Local) stakingView() (*state.StateDB, staking.Reader, error) {
	st, err := l.chain.State()
	if err != nil {
		return nil, staking.Reader{}, fmt.Errorf("open head state: %w", err)
	}
	return st, l.chain.Staking().View(st), nil
}

// Validators lists every registered validator at the head: active ones
// first by power, then the others by tokens, ties by operator address.
func (l *Local) Validators(ctx context.Context) (*api.ValidatorList, error) {
	st, r, err := l.stakingView()
	if err != nil {
		return nil, err
	}
	infos := r.Validators()
	total := totalPower(r.ActiveSet())
	// The state answers a failed read with a zero value and keeps the
	// error: a damaged trie node must not pass for an empty record.
	if err := st.Error(); err != nil {
		return nil, fmt.Errorf("read validators: %w", err)
	}
	slices.SortFunc(infos, compareValidators)
	out := make([]api.Validator, len(infos))
	for i, v := range infos {
		out[i] = validatorView(v, total)
	}
	return &api.ValidatorList{Validators: out, TotalPower: total}, nil
}

// Validator returns one validator at the head, or a 404.
func (l *Local) Validator(ctx context.Context, operator common.Address) (*api.Validator, error) {
	st, r, err := l.stakingView()
	if err != nil {
		return nil, err
	}
	info, ok := r.Validator(operator)
	total := totalPower(r.ActiveSet())
	if err := st.Error(); err != nil {
		return nil, fmt.Errorf("read validator %s: %w", operator, err)
	}
	if !ok {
		return nil, api.NotFound("no validator has operator address %s", operator)
	}
	v := validatorView(info, total)
	return &v, nil
}

// Delegations lists a delegator's delegations, unbonding entries and
// pending rewards at the head.
func (l *Local) Delegations(ctx context.Context, delegator common.Address) (*api.Delegations, error) {
	st, r, err := l.stakingView()
	if err != nil {
		return nil, err
	}
	dels := r.Delegations(delegator)
	unbs := r.Unbondings(delegator)
	if err := st.Error(); err != nil {
		return nil, fmt.Errorf("read delegations of %s: %w", delegator, err)
	}
	out := &api.Delegations{
		Delegator: delegator, Delegations: make([]api.Delegation, len(dels)), Unbondings: make([]api.Unbonding, len(unbs)),
	}
	sum := new(big.Int)
	for i, d := range dels {
		out.Delegations[i] = api.Delegation{
			Validator: d.Validator, Amount: api.NewAmount(d.Amount), Shares: api.NewAmount(d.Shares), PendingRewards: api.NewAmount(d.PendingRewards),
		}
		sum.Add(sum, d.PendingRewards)
	}
	out.PendingRewards = api.NewAmount(sum)
	for i, u := range unbs {
		v := api.Unbonding{
			Validator: u.Validator, Amount: api.NewAmount(u.Amount), CompletionTime: u.CompletionTime, Height: u.Height,
		}
		switch u.Kind {
		case staking.KindUnbonding:
			v.Kind = api.UnbondingKindUnbonding
		case staking.KindRedelegation:
			dest := u.Destination
			v.Kind, v.Destination = api.UnbondingKindRedelegation, &dest
		default:
			return nil, fmt.Errorf("delegations of %s: entry %d has unknown kind %d", delegator, i, u.Kind)
		}
		out.Unbondings[i] = v
	}
	return out, nil
}

// totalPower sums the voting power of a validator set.
func totalPower(set []staking.Member) uint64 {
	var total uint64
	for _, m := range set {
		total += m.Power
	}
	return total
}

// compareValidators orders active validators first by power (highest
// first), then the others by tokens (most first), ties by operator address.
func compareValidators(a, b staking.ValidatorInfo) int {
	aActive, bActive := a.Status == staking.StatusActive, b.Status == staking.StatusActive
	switch {
	case aActive && !bActive:
		return -1
	case !aActive && bActive:
		return 1
	case aActive:
		if a.Power != b.Power {
			if a.Power > b.Power {
				return -1
			}
			return 1
		}
	default:
		if c := b.Tokens.Cmp(a.Tokens); c != 0 {
			return c
		}
	}
	return bytes.Compare(a.Operator[:], b.Operator[:])
}

// statusName spells a validator status of the staking contract.
func statusName(status uint8) string {
	switch status {
	case staking.StatusActive:
		return api.ValidatorActive
	case staking.StatusJailed:
		return api.ValidatorJailed
	case staking.StatusTombstoned:
		return api.ValidatorTombstoned
	}
	return api.ValidatorInactive
}

// validatorView converts a validator record; total is the power of the
// set it may be in.
func validatorView(v staking.ValidatorInfo, total uint64) api.Validator {
	out := api.Validator{
		Operator: v.Operator, ConsensusKey: common.CopyBytes(v.ConsensusKey[:]), Moniker: v.Moniker,
		CommissionBps: v.CommissionBps, Status: statusName(v.Status),
		Tokens: api.NewAmount(v.Tokens), SelfStake: api.NewAmount(v.SelfStake), Power: v.Power,
		JailedUntil: v.JailedUntil, MissedBlocks: v.MissedBlocks, WindowBlocks: v.WindowBlocks, Uptime: 1,
	}
	if total > 0 {
		out.PowerShare = float64(v.Power) / float64(total)
	}
	if v.WindowBlocks > 0 {
		missed := min(v.MissedBlocks, v.WindowBlocks)
		out.Uptime = float64(v.WindowBlocks-missed) / float64(v.WindowBlocks)
	}
	return out
}
