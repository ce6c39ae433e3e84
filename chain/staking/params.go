package staking

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"cairn/chain/bigint"
)

// Params are the staking rules of a chain. They live in genesis
// (params.staking), so every node applies the same ones.
type Params struct {
	// EpochBlocks is the length of an epoch: the block whose height is a
	// multiple of it picks the validator set of the next epoch.
	EpochBlocks uint64 `json:"epochBlocks"`
	// MaxValidators caps the active set: the top by bonded stake.
	MaxValidators uint32 `json:"maxValidators"`
	// MinSelfStake is what an operator must keep delegated to its own
	// validator to be in the set, wei.
	MinSelfStake *bigint.Int `json:"minSelfStake"`
	// UnbondingMs is how long undelegated stake stays slashable and locked
	// before withdraw() pays it out, in block-time milliseconds.
	UnbondingMs uint64 `json:"unbondingMs"`
	// MaxEntries caps a delegator's unfinished unbonding and redelegation
	// entries, which bounds the work of withdraw() and of a slash.
	MaxEntries uint32 `json:"maxEntries"`
	// BlockReward is minted with every block and shared, with the block's
	// priority fees, by the validators who signed its commit, wei.
	BlockReward *bigint.Int `json:"blockReward"`
	// SlashDoubleSignBps is the share of bonded stake a double-signer loses,
	// in basis points; it is also jailed and tombstoned.
	SlashDoubleSignBps uint32 `json:"slashDoubleSignBps"`
	// SlashDowntimeBps is the share of bonded stake lost for downtime.
	SlashDowntimeBps uint32 `json:"slashDowntimeBps"`
	// SignedBlocksWindow is the number of recent commits over which a
	// validator's signing is counted.
	SignedBlocksWindow uint64 `json:"signedBlocksWindow"`
	// MinSignedPerWindow is how many of the window's commits a validator
	// must sign; with fewer it is jailed for downtime.
	MinSignedPerWindow uint64 `json:"minSignedPerWindow"`
	// DowntimeJailMs is how long a validator jailed for downtime waits
	// before unjail() is accepted.
	DowntimeJailMs uint64 `json:"downtimeJailMs"`
	// MaxEvidenceAgeBlocks is how old a double-sign may be and still be
	// punished; older evidence makes a block invalid.
	MaxEvidenceAgeBlocks uint64 `json:"maxEvidenceAgeBlocks"`
}

// DefaultParams are the staking rules `cairn init` and the devnet use.
func DefaultParams() Params {
	crn := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	return Params{
		EpochBlocks:          100,
		MaxValidators:        100,
		MinSelfStake:         bigint.New(new(big.Int).Mul(big.NewInt(1000), crn)),
		UnbondingMs:          7 * 24 * 3600 * 1000,
		MaxEntries:           16,
		BlockReward:          bigint.New(crn),
		SlashDoubleSignBps:   500,
		SlashDowntimeBps:     10,
		SignedBlocksWindow:   1000,
		MinSignedPerWindow:   500,
		DowntimeJailMs:       10 * 60 * 1000,
		MaxEvidenceAgeBlocks: 10_000,
	}
}

// Validate says what is wrong with p, naming each field as genesis spells
// it under params.staking.
func (p *Params) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if p.EpochBlocks == 0 {
		bad("epochBlocks must be positive")
	}
	if p.MaxValidators == 0 {
		bad("maxValidators must be positive")
	}
	if p.MinSelfStake == nil || p.MinSelfStake.Sign() < 0 {
		bad("minSelfStake must be set and not negative")
	}
	if p.MaxEntries == 0 {
		bad("maxEntries must be positive")
	}
	if p.BlockReward == nil || p.BlockReward.Sign() < 0 {
		bad("blockReward must be set and not negative")
	}
	if p.SlashDoubleSignBps > maxBps || p.SlashDowntimeBps > maxBps {
		bad("slashDoubleSignBps and slashDowntimeBps are basis points, at most %d", maxBps)
	}
	if p.SignedBlocksWindow == 0 || p.SignedBlocksWindow > maxWindow {
		bad("signedBlocksWindow must be between 1 and %d", maxWindow)
	}
	if p.MinSignedPerWindow > p.SignedBlocksWindow {
		bad("minSignedPerWindow %d is more than signedBlocksWindow %d", p.MinSignedPerWindow, p.SignedBlocksWindow)
	}
	if p.MaxEvidenceAgeBlocks == 0 {
		bad("maxEvidenceAgeBlocks must be positive")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

const (
	maxBps = 10_000
	// maxWindow bounds the signing bitmap a validator carries (and so what
	// a jailing clears) to 64 storage words.
	maxWindow = 64 * 256
)
