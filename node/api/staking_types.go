package api

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Validator statuses, as Validator.Status spells them.
const (
	ValidatorInactive   = "inactive"   // registered, not in the active set
	ValidatorActive     = "active"     // in the active set
	ValidatorJailed     = "jailed"     // jailed; may unjail once JailedUntil has passed
	ValidatorTombstoned = "tombstoned" // double-signed; never returns
)

// Unbonding kinds, as Unbonding.Kind spells them.
const (
	UnbondingKindUnbonding    = "unbonding"    // stake withdraw() pays after CompletionTime
	UnbondingKindRedelegation = "redelegation" // stake that moved, slashable for the source until CompletionTime
)

// ValidatorList is the body of GET /v1/validators: every registered
// validator, active ones first by power (highest first), then the others by
// bonded tokens (most first), ties by operator address.
type ValidatorList struct {
	Validators []Validator `json:"validators"`
	// TotalPower is the total voting power of the next block's validator set.
	TotalPower uint64 `json:"totalPower"`
}

// Validator is a registered validator as the staking contract keeps it,
// with its place in the next block's validator set and its recent signing.
type Validator struct {
	Operator      common.Address `json:"operator"`
	ConsensusKey  hexutil.Bytes  `json:"consensusKey"` // ed25519 public key, 32 bytes
	Moniker       string         `json:"moniker"`
	CommissionBps uint16         `json:"commissionBps"`
	Status        string         `json:"status"`    // ValidatorActive, ValidatorInactive, ValidatorJailed or ValidatorTombstoned
	Tokens        *Amount        `json:"tokens"`    // bonded stake, wei
	SelfStake     *Amount        `json:"selfStake"` // what the operator has delegated to itself, wei
	// Power is the validator's voting power in the next block's set; 0
	// outside it.
	Power uint64 `json:"power"`
	// PowerShare is Power over the set's total power, 0 to 1.
	PowerShare  float64 `json:"powerShare"`
	JailedUntil uint64  `json:"jailedUntil"` // unix ms, 0 if never jailed
	// MissedBlocks are the commits it missed in the signing window.
	MissedBlocks uint64 `json:"missedBlocks"`
	// WindowBlocks are the commits counted so far in the window (at most
	// the staking parameter signedBlocksWindow).
	WindowBlocks uint64 `json:"windowBlocks"`
	// Uptime is (WindowBlocks-MissedBlocks)/WindowBlocks, 1 when
	// WindowBlocks is 0.
	Uptime float64 `json:"uptime"`
}

// Delegation is one of a delegator's delegations.
type Delegation struct {
	Validator common.Address `json:"validator"`
	Amount    *Amount        `json:"amount"` // what the shares are worth, wei
	Shares    *Amount        `json:"shares"`
	// PendingRewards is what claimRewards(validator) would pay now, wei.
	PendingRewards *Amount `json:"pendingRewards"`
}

// Unbonding is one of a delegator's unbonding or redelegation entries.
type Unbonding struct {
	Kind        string          `json:"kind"` // UnbondingKindUnbonding or UnbondingKindRedelegation
	Validator   common.Address  `json:"validator"`
	Destination *common.Address `json:"destination,omitempty"` // redelegations only
	// Amount is in wei; for a redelegation, the shares received at the
	// destination.
	Amount         *Amount `json:"amount"`
	CompletionTime uint64  `json:"completionTime"` // unix ms
	Height         uint64  `json:"height"`         // the block that started it
}

// Delegations is the body of GET /v1/delegations/{address}: what a
// delegator has staked, what it is getting back and what it has earned.
// The lists are empty, never null, for an address with none.
type Delegations struct {
	Delegator   common.Address `json:"delegator"`
	Delegations []Delegation   `json:"delegations"`
	Unbondings  []Unbonding    `json:"unbondings"`
	// PendingRewards is the sum of the delegations' pending rewards, wei.
	PendingRewards *Amount `json:"pendingRewards"`
}
