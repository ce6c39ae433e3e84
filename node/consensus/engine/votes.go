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

// maxVotesPerValidator bounds how many conflicting votes of one type and
// round a node keeps from one (necessarily Byzantine) validator.
const maxVotesPerValidator = 4

// voteSet holds one round's votes of one type. As in the paper, a block's
// count is the power of the distinct validators that sent a vote for it, so
// a validator that equivocates counts for each block it voted for (it has
// less than 1/3 of the power with the other faulty ones, so this cannot make
// two blocks reach a quorum), and a commit certificate that includes it is
// still accepted by a node that saw its other vote first.
type voteSet struct {
	byVal map[common.Address][]*chain.Vote // each validator's distinct votes, first first
	power map[common.Hash]uint64           // by block hash; the zero hash is nil
	total uint64                           // power of the distinct validators that voted
}

func newVoteSet() *voteSet {
	return &voteSet{byVal: map[common.Address][]*chain.Vote{}, power: map[common.Hash]uint64{}}
}

// vote returns addr's vote for hash, if any.
func (s *voteSet) vote(addr common.Address, hash common.Hash) *chain.Vote {
	for _, v := range s.byVal[addr] {
		if v.BlockHash == hash {
			return v
		}
	}
	return nil
}

// add counts v, whose signer has the given power, and reports the hash's
// power before and after.
func (s *voteSet) add(v *chain.Vote, power uint64) (before, after uint64) {
	if len(s.byVal[v.Validator]) == 0 {
		s.total += power
	}
	s.byVal[v.Validator] = append(s.byVal[v.Validator], v)
	before = s.power[v.BlockHash]
	after = before + power
	s.power[v.BlockHash] = after
	return before, after
}

// signatures are the votes for hash, ordered by validator address so every
// node builds the same certificate from the same votes.
func (s *voteSet) signatures(hash common.Hash) []chain.CommitSig {
	var sigs []chain.CommitSig
	for addr := range s.byVal {
		if v := s.vote(addr, hash); v != nil {
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
