package engine

import (
	"errors"
	"fmt"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// onVote checks and counts a prevote or precommit.
func (e *Engine) onVote(v *chain.Vote) error {
	if v.Type != chain.Prevote && v.Type != chain.Precommit {
		return fmt.Errorf("vote %d/%d: unknown type %d", v.Height, v.Round, v.Type)
	}
	if e.elsewhere(Message{Vote: v}, v.Validator, v.SignBytes(e.cfg.ChainID), v.Signature) {
		return nil
	}
	val := e.set.ByAddress(v.Validator)
	if val == nil {
		return fmt.Errorf("%s %d/%d: %s is not a validator", v.Type, v.Height, v.Round, v.Validator)
	}
	if uint64(v.Round) > uint64(e.round)+maxRoundsAhead {
		return fmt.Errorf("%s %d/%d: round too far ahead of %d", v.Type, v.Height, v.Round, e.round)
	}
	rs := e.roundState(v.Round)
	vs := rs.votes(v.Type)
	if old := vs.votes[v.Validator]; old != nil {
		if old.BlockHash == v.BlockHash || vs.conflicted[v.Validator] {
			return nil // a duplicate, or evidence already taken
		}
		if !e.verifier.Verify(val.PubKey, v.SignBytes(e.cfg.ChainID), v.Signature) {
			return fmt.Errorf("%s %d/%d by %s: bad signature", v.Type, v.Height, v.Round, v.Validator)
		}
		if vs.conflicted == nil {
			vs.conflicted = map[common.Address]bool{}
		}
		vs.conflicted[v.Validator] = true
		e.rd.Evidence = append(e.rd.Evidence, chain.Evidence{VoteA: *old, VoteB: *v})
		return nil
	}
	if !e.verifier.Verify(val.PubKey, v.SignBytes(e.cfg.ChainID), v.Signature) {
		return fmt.Errorf("%s %d/%d by %s: bad signature", v.Type, v.Height, v.Round, v.Validator)
	}
	e.addVote(rs, v, val.Power)
	return nil
}

// addVote counts a checked vote.
func (e *Engine) addVote(rs *roundState, v *chain.Vote, power uint64) {
	before, after := rs.votes(v.Type).add(v, power)
	if v.Type == chain.Precommit && v.BlockHash != (common.Hash{}) && e.set.HasQuorum(after) && !e.set.HasQuorum(before) {
		e.candidates = append(e.candidates, candidate{round: v.Round, hash: v.BlockHash})
	}
	e.addSender(rs, v.Round, v.Validator, power)
}

// addSender notes that a validator sent something for round r, for the
// round-skip rule (line 55).
func (e *Engine) addSender(rs *roundState, r uint32, addr common.Address, power uint64) {
	if rs.addSender(addr, power) && r > e.round && r > e.skipTo && rs.senderPow*3 > e.set.TotalPower() {
		e.skipTo = r
	}
}

// onProposal checks and keeps a proposal.
func (e *Engine) onProposal(p *Proposal) error {
	if e.elsewhere(Message{Proposal: p}, p.Proposer, p.SignBytes(e.cfg.ChainID), p.Signature) {
		return nil
	}
	if p.BlockHash == (common.Hash{}) {
		return fmt.Errorf("proposal %d/%d: empty block hash", p.Height, p.Round)
	}
	if p.POLRound < -1 || int64(p.POLRound) >= int64(p.Round) {
		return fmt.Errorf("proposal %d/%d: POL round %d is not before the round", p.Height, p.Round, p.POLRound)
	}
	if uint64(p.Round) > uint64(e.round)+maxRoundsAhead {
		return fmt.Errorf("proposal %d/%d: round too far ahead of %d", p.Height, p.Round, e.round)
	}
	if want := e.proposerOf(p.Round); p.Proposer != want {
		return fmt.Errorf("proposal %d/%d: %s is not the proposer (%s is)", p.Height, p.Round, p.Proposer, want)
	}
	val := e.set.ByAddress(p.Proposer)
	rs := e.roundState(p.Round)
	if rs.proposal(p.BlockHash) != nil || len(rs.proposals) >= maxProposalsPerRound {
		return nil
	}
	if !e.verifier.Verify(val.PubKey, p.SignBytes(e.cfg.ChainID), p.Signature) {
		return fmt.Errorf("proposal %d/%d by %s: bad signature", p.Height, p.Round, p.Proposer)
	}
	rs.proposals = append(rs.proposals, p)
	e.addSender(rs, p.Round, p.Proposer, val.Power)
	if p.Round >= e.round {
		e.validityOf(p.BlockHash) // start validating before the rules need it
	}
	return nil
}

// onCommit takes a certificate sent to catch this node up: its signatures
// count as precommits of the current height.
func (e *Engine) onCommit(c *chain.Commit) error {
	if c.BlockHash == (common.Hash{}) || len(c.Signatures) == 0 {
		return fmt.Errorf("commit %d: empty", c.Height)
	}
	switch {
	case c.Height < e.height || (c.Height == e.height && e.decided):
		return nil
	case c.Height > e.height:
		if c.Height-e.height <= uint64(e.cfg.FutureCommits) {
			e.futureCommits[c.Height] = c
		}
		return nil
	}
	var errs []error
	for i := range c.Signatures {
		if err := e.onVote(c.Vote(i)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("commit %d: %w", c.Height, errors.Join(errs...))
	}
	return nil
}

// elsewhere handles a message that is not for the current height: one for
// a finalized height marks its sender as behind, one for the next height
// is kept until that height starts. It reports whether the message was
// such a one.
func (e *Engine) elsewhere(m Message, from common.Address, signBytes, sig []byte) bool {
	h := m.Height()
	switch {
	case h < e.height || (h == e.height && e.decided):
		e.noteBehind(from, h, signBytes, sig)
		return true
	case h > e.height:
		if h == e.height+1 {
			e.buffer(m, from, signBytes, sig)
		}
		return true
	}
	return false
}

// noteBehind reports a validator that is still working on a finalized
// height, once per height until the next resend.
func (e *Engine) noteBehind(from common.Address, h uint64, signBytes, sig []byte) {
	b := Behind{Validator: from, Height: h}
	if from == e.cfg.Self || e.behindSent[b] {
		return
	}
	val := e.set.ByAddress(from)
	if val == nil || !e.verifier.Verify(val.PubKey, signBytes, sig) {
		return // a forged message must not make the driver send blocks
	}
	e.behindSent[b] = true
	e.rd.Behind = append(e.rd.Behind, b)
}

// buffer keeps a message of the next height. A sender in the current set
// must have signed it with its current key; each sender's share of the
// buffer is bounded, and its oldest message makes way for a new one.
func (e *Engine) buffer(m Message, from common.Address, signBytes, sig []byte) {
	limit := maxFuturePerSender
	if val := e.set.ByAddress(from); val != nil {
		if !e.verifier.Verify(val.PubKey, signBytes, sig) {
			return
		}
	} else {
		from, limit = common.Address{}, maxFutureUnknown
	}
	count, oldest := 0, -1
	for i, b := range e.future {
		if e.bufferKey(b) == from {
			if oldest < 0 {
				oldest = i
			}
			count++
		}
	}
	if count >= limit {
		e.future = append(e.future[:oldest], e.future[oldest+1:]...)
	}
	e.future = append(e.future, m)
}

// bufferKey is whose share of the buffer a message uses: its sender, or the
// zero address for senders outside the current set.
func (e *Engine) bufferKey(m Message) common.Address {
	var from common.Address
	switch {
	case m.Vote != nil:
		from = m.Vote.Validator
	case m.Proposal != nil:
		from = m.Proposal.Proposer
	}
	if e.set.ByAddress(from) == nil {
		return common.Address{}
	}
	return from
}
