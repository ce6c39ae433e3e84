package fakenode

import (
	"context"
	"crypto/ed25519"
	"math/big"

	"cairn/chain"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// The fake's staking: its one devnet validator, active with all the power,
// and no delegations.

func (n *Node) fakeValidator() api.Validator {
	pub := chain.DevnetValidatorKey().Public().(ed25519.PublicKey)
	return api.Validator{
		Operator: *n.status.Validator, ConsensusKey: []byte(pub), Moniker: "devnet-0", Status: api.ValidatorActive,
		Tokens: chain.NewBigInt(chain.CRN(1_000_000)), SelfStake: chain.NewBigInt(chain.CRN(1_000_000)),
		Power: 1_000_000, PowerShare: 1, WindowBlocks: 12, Uptime: 1,
	}
}

// Validators implements api.Service.
func (n *Node) Validators(context.Context) (*api.ValidatorList, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return &api.ValidatorList{Validators: []api.Validator{n.fakeValidator()}, TotalPower: 1_000_000}, nil
}

// Validator implements api.Service.
func (n *Node) Validator(_ context.Context, op common.Address) (*api.Validator, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if v := n.fakeValidator(); v.Operator == op {
		return &v, nil
	}
	return nil, &api.Error{Status: 404, Code: api.CodeNotFound, Message: "validator " + op.Hex() + " not found"}
}

// Delegations implements api.Service: nobody has delegated on the fake.
func (n *Node) Delegations(_ context.Context, a common.Address) (*api.Delegations, error) {
	return &api.Delegations{Delegator: a, Delegations: []api.Delegation{}, Unbondings: []api.Unbonding{},
		PendingRewards: chain.NewBigInt(new(big.Int))}, nil
}
