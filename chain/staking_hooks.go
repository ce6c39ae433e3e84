package chain

import (
	"fmt"
	"math/big"

	"cairn/chain/staking"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
)

// The staking contract's part in every block: before the transactions, the
// signers of the parent's commit are paid and counted and proven
// double-signs are punished; after them, the block's reward is pooled and
// an epoch's last block picks the next validator set.

func (c *Chain) stakingEnv(h *Header) staking.Env {
	return staking.Env{ChainID: c.genesis.ChainID, Height: h.Height, TimeMs: h.Time}
}

// beginBlock runs the staking work that comes before b's transactions.
func (c *Chain) beginBlock(st *state.StateDB, parent *Block, h *Header, lastCommit *Commit, offences []staking.Offence) error {
	var signers []staking.Signer
	if parent.Height() > 0 {
		prev, err := c.ValidatorsAt(parent.Height())
		if err != nil {
			return err
		}
		signers = signersOf(prev, lastCommit)
	}
	c.staking.BeginBlock(st, c.stakingEnv(h), signers, offences)
	return nil
}

// signersOf marks the members of set whose precommit is in commit.
func signersOf(set *ValidatorSet, commit *Commit) []staking.Signer {
	signed := make(map[common.Address]bool, len(commit.Signatures))
	for _, s := range commit.Signatures {
		signed[s.Validator] = true
	}
	out := make([]staking.Signer, len(set.Validators))
	for i, v := range set.Validators {
		out[i] = staking.Signer{Operator: v.Address, Power: v.Power, Signed: signed[v.Address]}
	}
	return out
}

// endBlock runs the staking work that comes after b's transactions and
// returns the validator set the block chose, or nil if the set stays.
func (c *Chain) endBlock(st *state.StateDB, h *Header, txs []*types.Transaction, receipts []*types.Receipt) *ValidatorSet {
	if !c.staking.EndBlock(st, c.stakingEnv(h), blockTips(h.BaseFee, txs, receipts)) {
		return nil
	}
	return c.activeSet(st)
}

// blockTips is what the block's transactions paid above the base fee: the
// EVM credited it to the coinbase, the staking contract.
func blockTips(baseFee *big.Int, txs []*types.Transaction, receipts []*types.Receipt) *uint256.Int {
	sum := new(big.Int)
	for i, tx := range txs {
		tip, err := tx.EffectiveGasTip(baseFee)
		if err != nil || tip.Sign() <= 0 {
			continue // a transaction that cannot pay the base fee never ran
		}
		sum.Add(sum, tip.Mul(tip, new(big.Int).SetUint64(receipts[i].GasUsed)))
	}
	return uint256.MustFromBig(sum)
}

// checkLastCommit checks the commit a block carries for its parent: none
// for the block after genesis, else more than 2/3 of the parent's set.
// It decides who is paid and who missed a block, so every node checks it.
func (c *Chain) checkLastCommit(parent *Block, commit *Commit) error {
	if parent.Height() == 0 {
		if commit != nil {
			return invalid("block 1 carries a last commit; genesis has none")
		}
		return nil
	}
	if commit == nil {
		return invalid("no commit for the parent block %d", parent.Height())
	}
	set, err := c.ValidatorsAt(parent.Height())
	if err != nil {
		return err
	}
	if err := commit.Verify(c.chainID, set, parent.Height(), parent.Hash()); err != nil {
		return invalid("last commit: %v", err)
	}
	return nil
}

// offences checks a block's evidence at height and returns the offences it
// proves. Each piece must be two conflicting votes of one validator, signed
// with the key it had in the set of that height, neither too old nor from
// the future.
func (c *Chain) offences(height uint64, evidence []Evidence) ([]staking.Offence, error) {
	out := make([]staking.Offence, 0, len(evidence))
	for i := range evidence {
		o, err := c.checkEvidence(height, &evidence[i])
		if err != nil {
			return nil, invalid("evidence %d: %v", i, err)
		}
		out = append(out, o)
	}
	return out, nil
}

func (c *Chain) checkEvidence(height uint64, ev *Evidence) (staking.Offence, error) {
	a, b := &ev.VoteA, &ev.VoteB
	switch {
	case a.Validator != b.Validator || a.Height != b.Height || a.Round != b.Round || a.Type != b.Type:
		return staking.Offence{}, fmt.Errorf("the votes are not for the same validator, height, round and step")
	case a.BlockHash == b.BlockHash:
		return staking.Offence{}, fmt.Errorf("the votes do not conflict")
	case a.Height >= height:
		return staking.Offence{}, fmt.Errorf("vote at height %d is not before block %d", a.Height, height)
	case !c.staking.EvidenceFresh(height, a.Height):
		return staking.Offence{}, fmt.Errorf("vote at height %d is older than %d blocks", a.Height, c.genesis.Params.Staking.MaxEvidenceAgeBlocks)
	}
	set, err := c.ValidatorsAt(a.Height)
	if err != nil {
		return staking.Offence{}, err
	}
	v := set.ByAddress(a.Validator)
	if v == nil {
		return staking.Offence{}, fmt.Errorf("%s was not a validator at height %d", a.Validator, a.Height)
	}
	for _, vote := range []*Vote{a, b} {
		if err := vote.Verify(c.chainID, v.PubKey); err != nil {
			return staking.Offence{}, err
		}
	}
	id := rlpHash([]any{a.Validator, a.Height, a.Round, uint8(a.Type)})
	return staking.Offence{Validator: a.Validator, Height: a.Height, ID: id}, nil
}

// validEvidence keeps the evidence a proposer can still include at height,
// with the offences it proves.
func (c *Chain) validEvidence(height uint64, evidence []Evidence) ([]Evidence, []staking.Offence) {
	var kept []Evidence
	var offences []staking.Offence
	for i := range evidence {
		if o, err := c.checkEvidence(height, &evidence[i]); err == nil {
			kept, offences = append(kept, evidence[i]), append(offences, o)
		}
	}
	return kept, offences
}
