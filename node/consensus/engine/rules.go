package engine

import (
	"fmt"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// The rules of Algorithm 1 of Buchman, Kwon and Milosevic (2018); line
// numbers refer to the paper. "2f+1" is more than 2/3 of the voting power
// and "f+1" more than 1/3.

// run applies the "upon" rules until none fires. Every rule changes the
// step, the round or a once-per-round flag, so this ends.
func (e *Engine) run() {
	for !e.decided && e.applyRule() {
	}
}

// applyRule fires the first rule whose condition holds.
func (e *Engine) applyRule() bool {
	// Line 49: more than 2/3 precommits for a valid block in any round
	// decide it. The block's validity comes from the driver, so the
	// proposal message itself is not needed.
	for _, c := range e.candidates {
		if known, ok := e.validityOf(c.hash); known && ok {
			e.decide(c.round, c.hash)
			return true
		}
	}
	// Not in the paper: more than 2/3 prevotes for a valid block in an
	// earlier round than this one but later than the valid round make it
	// the valid value. Line 36 does this only for the current round; a
	// validator that missed a round's prevotes then never learns the value
	// some other validator locked on, and with stake-weighted proposers a
	// small locked validator may wait many rounds to propose it itself.
	// Safety rests on locks, which this leaves alone: a re-proposal is
	// accepted only with a real POL that is not older than the lock.
	for _, c := range e.pols {
		if int64(c.round) > int64(e.validRound) && c.round < e.round {
			if known, ok := e.validityOf(c.hash); known && ok {
				e.validValue, e.validRound = c.hash, int32(c.round)
				return true
			}
		}
	}
	// Line 55: more than 1/3 of the power is in a later round.
	if e.skipTo > e.round {
		e.startRound(e.skipTo)
		return true
	}
	rs := e.roundState(e.round)
	// Lines 22 and 28.
	if e.step == StepPropose && e.proposalRule(rs) {
		return true
	}
	// Line 34.
	if e.step == StepPrevote && !rs.prevoteTimer && e.set.HasQuorum(rs.prevotes.total) {
		rs.prevoteTimer = true
		e.arm(StepPrevote)
		return true
	}
	// Line 36.
	if e.step >= StepPrevote && !rs.polDone {
		for _, p := range rs.proposals {
			if !e.set.HasQuorum(rs.prevotes.power[p.BlockHash]) {
				continue
			}
			if known, ok := e.validityOf(p.BlockHash); !known || !ok {
				continue
			}
			rs.polDone = true
			if e.step == StepPrevote {
				e.lockedValue, e.lockedRound = p.BlockHash, int32(e.round)
				e.vote(chain.Precommit, p.BlockHash)
				e.step = StepPrecommit
			}
			e.validValue, e.validRound = p.BlockHash, int32(e.round)
			return true
		}
	}
	// Line 44.
	if e.step == StepPrevote && e.set.HasQuorum(rs.prevotes.power[common.Hash{}]) {
		e.vote(chain.Precommit, common.Hash{})
		e.step = StepPrecommit
		return true
	}
	// Line 47.
	if !rs.precommitTimer && e.set.HasQuorum(rs.precommits.total) {
		rs.precommitTimer = true
		e.arm(StepPrecommit)
		return true
	}
	return false
}

// proposalRule is lines 22 and 28: prevote on the round's first proposal,
// once its validity is known and, for a re-proposal, once the node holds
// the more than 2/3 prevotes of its POL round.
func (e *Engine) proposalRule(rs *roundState) bool {
	if len(rs.proposals) == 0 {
		return false
	}
	p := rs.proposals[0]
	vr := p.POLRound
	if vr >= 0 {
		pol := e.rounds[uint32(vr)]
		if pol == nil || !e.set.HasQuorum(pol.prevotes.power[p.BlockHash]) {
			return false
		}
	}
	known, ok := e.validityOf(p.BlockHash)
	if !known {
		return false
	}
	// For vr = -1, lockedRound <= vr is lockedRound = -1 (line 23).
	if ok && (e.lockedRound <= vr || e.lockedValue == p.BlockHash) {
		e.vote(chain.Prevote, p.BlockHash)
	} else {
		e.vote(chain.Prevote, common.Hash{})
	}
	e.step = StepPrevote
	return true
}

// startRound is StartRound of line 11. The propose timer is armed for the
// proposer too (the paper arms it only for others), so a proposer whose
// block cannot be built or signed still moves on.
func (e *Engine) startRound(r uint32) {
	e.round, e.step = r, StepPropose
	e.arm(StepPropose)
	e.arm(StepResend)
	me := e.member()
	if me == nil || e.proposerOf(r) != e.cfg.Self {
		return
	}
	hash, pol := e.validValue, e.validRound
	if pol < 0 {
		h, err := e.cfg.Proposals.Propose(e.height, r)
		if err == nil && h == (common.Hash{}) {
			err = fmt.Errorf("empty block hash")
		}
		if err != nil {
			e.fail(fmt.Errorf("build proposal for %d/%d: %w", e.height, r, err))
			return
		}
		hash = h
		e.validity[h] = true
	}
	p := &Proposal{Height: e.height, Round: r, POLRound: pol, BlockHash: hash, Proposer: e.cfg.Self}
	sig, ok := e.sign(StepPropose, p.SignBytes(e.cfg.ChainID))
	if !ok {
		return
	}
	p.Signature = sig
	if pol >= 0 {
		p.POLVotes = e.rounds[uint32(pol)].prevotes.signatures(hash)
	}
	e.emit(Message{Proposal: p})
	rs := e.roundState(r)
	rs.proposals = append([]*Proposal{p}, rs.proposals...)
	e.addSender(rs, r, e.cfg.Self, me.Power)
}

// vote signs, sends and counts this node's vote for the current round.
func (e *Engine) vote(t chain.VoteType, hash common.Hash) {
	me := e.member()
	if me == nil {
		return
	}
	v := &chain.Vote{Type: t, Height: e.height, Round: e.round, BlockHash: hash, Validator: e.cfg.Self}
	sig, ok := e.sign(voteStep(t), v.SignBytes(e.cfg.ChainID))
	if !ok {
		e.armRefused(t)
		return
	}
	v.Signature = sig
	e.emit(Message{Vote: v})
	rs := e.roundState(e.round)
	if rs.votes(t).vote(e.cfg.Self, hash) == nil {
		e.addVote(rs, v, me.Power)
	}
}

// armRefused arms the timeout of the step a refused vote would have waited
// in. The others see a lost vote; this node must still leave the step, or a
// validator whose own vote the quorum needs (a sole validator whose sign
// state is ahead of round 0, say) would wait for a quorum that cannot come.
// Arming a timeout early is always safe: timeouts only decide when a round
// gives up, never what is signed.
func (e *Engine) armRefused(t chain.VoteType) {
	rs := e.roundState(e.round)
	switch {
	case t == chain.Prevote && !rs.prevoteTimer:
		rs.prevoteTimer = true
		e.arm(StepPrevote)
	case t == chain.Precommit && !rs.precommitTimer:
		rs.precommitTimer = true
		e.arm(StepPrecommit)
	}
}

// sign asks the signer; a refusal is reported and the message not sent,
// which to the other validators looks like a lost message.
func (e *Engine) sign(step Step, signBytes []byte) ([]byte, bool) {
	sig, err := e.cfg.Signer.Sign(SignRequest{Height: e.height, Round: e.round, Step: step, SignBytes: signBytes})
	if err != nil {
		e.fail(fmt.Errorf("sign %s %d/%d: %w", step, e.height, e.round, err))
		return nil, false
	}
	return sig, true
}

// emit persists and broadcasts an own signed message.
func (e *Engine) emit(m Message) {
	e.rd.Persist = append(e.rd.Persist, m)
	e.rd.Messages = append(e.rd.Messages, Outbound{Message: m})
	e.own = append(e.own, m)
}

// resend broadcasts again this node's messages of the current and previous
// round, and the POL of its valid value.
func (e *Engine) resend() {
	for _, m := range e.own {
		if m.Round()+1 >= e.round {
			e.rd.Messages = append(e.rd.Messages, Outbound{Message: m})
		}
	}
	if e.validRound >= 0 {
		pol := &POL{Height: e.height, Round: uint32(e.validRound), BlockHash: e.validValue,
			Votes: e.rounds[uint32(e.validRound)].prevotes.signatures(e.validValue)}
		e.rd.Messages = append(e.rd.Messages, Outbound{Message: Message{POL: pol}})
	}
}

// decide finalizes hash with the precommits of round r (line 49).
//
// Not in the paper: a member that decides in its current round before it
// precommitted still signs a precommit for the decided block. The next
// block's proposer adds such late precommits to the last commit it
// includes, and that commit is what pays validators and counts them as
// live; without it, a validator a little slower than the fastest 2/3 would
// look down while it is not. It cannot conflict: this node signed no
// precommit in round r, and the block is valid and decided.
func (e *Engine) decide(r uint32, hash common.Hash) {
	if r == e.round && len(e.rounds[r].precommits.byVal[e.cfg.Self]) == 0 {
		e.vote(chain.Precommit, hash)
	}
	c := &chain.Commit{Height: e.height, Round: r, BlockHash: hash, Signatures: e.rounds[r].precommits.signatures(hash)}
	e.decided = true
	e.rd.Commits = append(e.rd.Commits, c)
}
