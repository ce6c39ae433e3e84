package engine

import (
	"bytes"
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
	if vs.vote(v.Validator, v.BlockHash) != nil || len(vs.byVal[v.Validator]) >= maxVotesPerValidator {
		return nil // a duplicate, or a validator past its quota of conflicting votes
	}
	if !e.verifier.Verify(val.PubKey, v.SignBytes(e.cfg.ChainID), v.Signature) {
		return fmt.Errorf("%s %d/%d by %s: bad signature", v.Type, v.Height, v.Round, v.Validator)
	}
	e.countVote(rs, v, val.Power)
	return nil
}

// countVote counts a checked vote, reporting evidence for the first
// conflicting one of its validator.
func (e *Engine) countVote(rs *roundState, v *chain.Vote, power uint64) {
	if prior := rs.votes(v.Type).byVal[v.Validator]; len(prior) == 1 {
		e.rd.Evidence = append(e.rd.Evidence, chain.Evidence{VoteA: *prior[0], VoteB: *v})
	}
	e.addVote(rs, v, power)
}

// addVote counts a checked vote.
func (e *Engine) addVote(rs *roundState, v *chain.Vote, power uint64) {
	before, after := rs.votes(v.Type).add(v, power)
	if v.BlockHash != (common.Hash{}) && e.set.HasQuorum(after) && !e.set.HasQuorum(before) {
		c := candidate{round: v.Round, hash: v.BlockHash}
		if v.Type == chain.Precommit {
			e.candidates = append(e.candidates, c)
		} else {
			e.pols = append(e.pols, c)
		}
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
	if p.POLRound >= 0 && len(p.POLVotes) > 0 {
		if err := e.countCertificate(chain.Prevote, uint32(p.POLRound), p.BlockHash, p.POLVotes); err != nil {
			return fmt.Errorf("proposal %d/%d: POL: %w", p.Height, p.Round, err)
		}
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
	if err := e.countCertificate(chain.Precommit, c.Round, c.BlockHash, c.Signatures); err != nil {
		return fmt.Errorf("commit %d: %w", c.Height, err)
	}
	return nil
}

// onPOL takes the prevotes behind another validator's valid value.
func (e *Engine) onPOL(p *POL) error {
	if p.Height != e.height || e.decided {
		return nil
	}
	if p.BlockHash == (common.Hash{}) {
		return fmt.Errorf("POL %d/%d: empty block hash", p.Height, p.Round)
	}
	if err := e.countCertificate(chain.Prevote, p.Round, p.BlockHash, p.Votes); err != nil {
		return fmt.Errorf("POL %d/%d: %w", p.Height, p.Round, err)
	}
	return nil
}

// countCertificate checks that sigs are votes of type t for hash in round r
// of the current height from more than 2/3 of the power, and counts them,
// even past their validators' quota of conflicting votes: only one block
// per round can have a genuine certificate, and a faulty validator must not
// make a node deaf to its genuine vote by flooding it with others first.
func (e *Engine) countCertificate(t chain.VoteType, r uint32, hash common.Hash, sigs []chain.CommitSig) error {
	if uint64(r) > uint64(e.round)+maxRoundsAhead {
		return fmt.Errorf("round %d too far ahead of %d", r, e.round)
	}
	rs := e.roundState(r)
	vs := rs.votes(t)
	votes := make([]*chain.Vote, len(sigs))
	vals := make([]*chain.Validator, len(sigs))
	var power uint64
	seen := make(map[common.Address]bool, len(sigs))
	for i, s := range sigs {
		val := e.set.ByAddress(s.Validator)
		if val == nil || seen[s.Validator] {
			return fmt.Errorf("signer %s is not a validator or signed twice", s.Validator)
		}
		seen[s.Validator] = true
		v := &chain.Vote{Type: t, Height: e.height, Round: r, BlockHash: hash, Validator: s.Validator, Signature: s.Signature}
		known := vs.vote(s.Validator, hash)
		if (known == nil || !bytes.Equal(known.Signature, s.Signature)) && !e.verifier.Verify(val.PubKey, v.SignBytes(e.cfg.ChainID), v.Signature) {
			return fmt.Errorf("%s of %s: bad signature", t, s.Validator)
		}
		votes[i], vals[i] = v, val
		power += val.Power
	}
	if !e.set.HasQuorum(power) {
		return fmt.Errorf("%d of %d voting power signed, need more than 2/3", power, e.set.TotalPower())
	}
	for i, v := range votes {
		if vs.vote(v.Validator, hash) == nil {
			e.countVote(rs, v, vals[i].Power)
		}
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
