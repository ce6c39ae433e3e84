package engine

import (
	"bytes"
	"slices"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// maxProposalsPerRound bounds what an equivocating proposer can make a node
// keep for one round.
const maxProposalsPerRound = 4

// voteSet holds one round's votes of one type: the first vote of each
// validator counts; a later different one is evidence and does not.
type voteSet struct {
	votes      map[common.Address]*chain.Vote
	conflicted map[common.Address]bool
	power      map[common.Hash]uint64 // by block hash; the zero hash is nil
	total      uint64                 // power of every validator that voted
}

func newVoteSet() *voteSet {
	return &voteSet{votes: map[common.Address]*chain.Vote{}, power: map[common.Hash]uint64{}}
}

// add counts v, whose signer has the given power, and reports the hash's
// power before and after.
func (s *voteSet) add(v *chain.Vote, power uint64) (before, after uint64) {
	s.votes[v.Validator] = v
	before = s.power[v.BlockHash]
	after = before + power
	s.power[v.BlockHash] = after
	s.total += power
	return before, after
}

// signatures are the votes for hash, ordered by validator address so every
// node builds the same certificate from the same votes.
func (s *voteSet) signatures(hash common.Hash) []chain.CommitSig {
	var sigs []chain.CommitSig
	for _, v := range s.votes {
		if v.BlockHash == hash {
			sigs = append(sigs, chain.CommitSig{Validator: v.Validator, Signature: v.Signature})
		}
	}
	slices.SortFunc(sigs, func(a, b chain.CommitSig) int { return bytes.Compare(a.Validator[:], b.Validator[:]) })
	return sigs
}

// roundState is everything a node has seen of one round of its height.
type roundState struct {
	proposals  []*Proposal // from the round's proposer, first one first
	prevotes   *voteSet
	precommits *voteSet
	senders    map[common.Address]bool // anyone who sent anything for the round
	senderPow  uint64

	prevoteTimer   bool // line 34 fired
	precommitTimer bool // line 47 fired
	polDone        bool // line 36 fired
}

func newRoundState() *roundState {
	return &roundState{prevotes: newVoteSet(), precommits: newVoteSet(), senders: map[common.Address]bool{}}
}

func (r *roundState) votes(t chain.VoteType) *voteSet {
	if t == chain.Prevote {
		return r.prevotes
	}
	return r.precommits
}

// proposal returns the round's proposal of hash, if any.
func (r *roundState) proposal(hash common.Hash) *Proposal {
	for _, p := range r.proposals {
		if p.BlockHash == hash {
			return p
		}
	}
	return nil
}

// addSender counts a validator that sent something for the round and
// reports whether it was new.
func (r *roundState) addSender(addr common.Address, power uint64) bool {
	if r.senders[addr] {
		return false
	}
	r.senders[addr] = true
	r.senderPow += power
	return true
}
