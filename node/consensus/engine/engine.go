package engine

import (
	"errors"
	"fmt"
	"slices"

	"cairn/chain"
	"cairn/node/consensus"

	"github.com/ethereum/go-ethereum/common"
)

// maxRoundsAhead bounds how far past its current round a node keeps
// messages, so a faulty validator cannot make it store votes for endless
// rounds. At 0.5 s more per round this is days of failed rounds.
const maxRoundsAhead = 1000

// Buffer limits for messages of the next height, which cannot all be
// verified until that height starts.
const (
	maxFuturePerSender = 8
	maxFutureUnknown   = 64
)

// candidate is a round in which more than 2/3 of the power precommitted a
// block: a decision once the block is known to be valid (line 49).
type candidate struct {
	round uint32
	hash  common.Hash
}

// Engine runs Tendermint for one validator (or a non-voting follower). It
// is not safe for concurrent use: one driver goroutine owns it.
type Engine struct {
	cfg      Config
	verifier Verifier

	height   uint64
	set      *chain.ValidatorSet
	prevBeta []byte
	round    uint32
	step     Step
	decided  bool

	lockedRound int32
	lockedValue common.Hash
	validRound  int32
	validValue  common.Hash

	rounds     map[uint32]*roundState
	proposers  map[uint32]common.Address
	validity   map[common.Hash]bool
	requested  map[common.Hash]bool
	candidates []candidate // rounds with >2/3 precommits for a block
	pols       []candidate // rounds with >2/3 prevotes for a block
	skipTo     uint32      // highest round above the current one with >1/3 of the power in it
	own        []Message   // this height's own signed messages, for resending

	future        []Message
	futureCommits map[uint64]*chain.Commit
	behindSent    map[Behind]bool

	rd Ready
}

// New starts an engine at the given height, round 0. Its first Ready may
// already hold a proposal and timers.
func New(cfg Config, start HeightParams) (*Engine, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, verifier: cfg.Verifier, futureCommits: map[uint64]*chain.Commit{}}
	if e.verifier == nil {
		e.verifier = Ed25519Verifier{}
	}
	if err := e.startHeight(start); err != nil {
		return nil, err
	}
	e.run()
	return e, nil
}

// startHeight resets the per-height state and starts round 0.
func (e *Engine) startHeight(p HeightParams) error {
	if p.Validators == nil || p.Validators.TotalPower() == 0 {
		return fmt.Errorf("start height %d: empty validator set", p.Height)
	}
	if p.Self != (common.Address{}) {
		e.cfg.Self = p.Self
	}
	if p.Validators.ByAddress(e.cfg.Self) != nil && (e.cfg.Signer == nil || e.cfg.Proposals == nil) {
		return fmt.Errorf("start height %d: this node is a validator but has no signer or proposal source", p.Height)
	}
	e.height, e.set, e.prevBeta = p.Height, p.Validators, p.PrevBeta
	e.decided = false
	e.lockedRound, e.lockedValue = -1, common.Hash{}
	e.validRound, e.validValue = -1, common.Hash{}
	e.rounds = map[uint32]*roundState{}
	e.proposers = map[uint32]common.Address{}
	e.validity = map[common.Hash]bool{}
	e.requested = map[common.Hash]bool{}
	e.candidates = nil
	e.pols = nil
	e.skipTo = 0
	e.own = nil
	e.behindSent = map[Behind]bool{}
	e.startRound(0)
	return nil
}

// Step takes a proposal, vote or commit certificate from the network. It
// returns an error for a message that is malformed, not signed by a member
// of the validator set, or signed by a proposer not chosen for its round;
// nothing changes then. Messages for finalized heights, duplicates and
// conflicting votes (which become evidence) are not errors.
func (e *Engine) Step(m Message) error {
	err := e.receive(m)
	e.run()
	return err
}

func (e *Engine) receive(m Message) error {
	n := 0
	for _, set := range []bool{m.Proposal != nil, m.Vote != nil, m.Commit != nil, m.POL != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("message must carry exactly one of proposal, vote, commit or POL")
	}
	switch {
	case m.Proposal != nil:
		return e.onProposal(m.Proposal)
	case m.Vote != nil:
		return e.onVote(m.Vote)
	case m.Commit != nil:
		return e.onCommit(m.Commit)
	default:
		return e.onPOL(m.POL)
	}
}

// Timeout takes a fired timer. Timers of rounds or heights the engine has
// left are ignored.
func (e *Engine) Timeout(ev TimeoutEvent) {
	if e.decided || ev.Height != e.height || ev.Round != e.round {
		return
	}
	switch ev.Step {
	case StepPropose: // line 57
		if e.step == StepPropose {
			e.vote(chain.Prevote, common.Hash{})
			e.step = StepPrevote
		}
	case StepPrevote: // line 61
		if e.step == StepPrevote {
			e.vote(chain.Precommit, common.Hash{})
			e.step = StepPrecommit
		}
	case StepPrecommit: // line 65
		e.startRound(e.round + 1)
	case StepResend:
		e.resend()
		e.behindSent = map[Behind]bool{}
		e.arm(StepResend)
	}
	e.run()
}

// ProposalValid gives the driver's verdict on a block of the current
// height: ok means fully validated (executed) and fit to be finalized. The
// first verdict on a hash is final for the height.
func (e *Engine) ProposalValid(height uint64, hash common.Hash, ok bool) {
	if height != e.height || e.decided {
		return
	}
	if _, known := e.validity[hash]; known {
		return
	}
	e.validity[hash] = ok
	e.requested[hash] = true
	if i := slices.IndexFunc(e.rd.Validate, func(r BlockRef) bool { return r.Height == height && r.Hash == hash }); i >= 0 {
		e.rd.Validate = slices.Delete(slices.Clone(e.rd.Validate), i, i+1)
	}
	e.run()
}

// NewHeight starts the height after the one just finalized, once the driver
// has applied its block: p carries the new height's validator set and the
// finalized block's beacon. Messages of the new height that arrived early
// come back in Ready.Requeue for the driver to log and Step.
func (e *Engine) NewHeight(p HeightParams) error {
	if !e.decided {
		return fmt.Errorf("new height %d: height %d is not finalized", p.Height, e.height)
	}
	if p.Height != e.height+1 {
		return fmt.Errorf("new height %d: want %d", p.Height, e.height+1)
	}
	if err := e.startHeight(p); err != nil {
		return err
	}
	e.rd.Requeue = append(e.rd.Requeue, e.future...)
	e.future = nil
	if c := e.futureCommits[e.height]; c != nil {
		e.rd.Requeue = append(e.rd.Requeue, Message{Commit: c})
	}
	for h := range e.futureCommits {
		if h <= e.height {
			delete(e.futureCommits, h)
		}
	}
	e.run()
	return nil
}

// HasReady reports whether Ready holds anything to do.
func (e *Engine) HasReady() bool { return !e.rd.Empty() }

// Ready returns what the driver must do now. It stays the same (plus new
// outputs) until Advance.
func (e *Engine) Ready() Ready { return e.rd }

// Advance tells the engine the last Ready was handled.
func (e *Engine) Advance() { e.rd = Ready{} }

// Status reports where the engine is.
func (e *Engine) Status() Status {
	return Status{
		Height: e.height, Round: e.round, Step: e.step, Proposer: e.proposerOf(e.round),
		Decided: e.decided, LockedRound: e.lockedRound, LockedValue: e.lockedValue,
		ValidRound: e.validRound, ValidValue: e.validValue,
	}
}

// Votes says, for each validator of the height in the set's order,
// whether its prevote and precommit of the current round have arrived.
func (e *Engine) Votes() []VoteArrival {
	if e.set == nil {
		return nil
	}
	rs := e.rounds[e.round]
	out := make([]VoteArrival, len(e.set.Validators))
	for i, v := range e.set.Validators {
		out[i].Validator = v.Address
		if rs != nil {
			out[i].Prevote = len(rs.prevotes.byVal[v.Address]) > 0
			out[i].Precommit = len(rs.precommits.byVal[v.Address]) > 0
		}
	}
	return out
}

// Validators is the validator set of the current height.
func (e *Engine) Validators() *chain.ValidatorSet { return e.set }

func (e *Engine) roundState(r uint32) *roundState {
	rs := e.rounds[r]
	if rs == nil {
		rs = newRoundState()
		e.rounds[r] = rs
	}
	return rs
}

// proposerOf is the proposer of round r of the current height.
func (e *Engine) proposerOf(r uint32) common.Address {
	if a, ok := e.proposers[r]; ok {
		return a
	}
	var a common.Address
	if v := consensus.ProposerFor(e.set, e.prevBeta, r); v != nil {
		a = v.Address
	}
	e.proposers[r] = a
	return a
}

// member reports whether this node votes at the current height.
func (e *Engine) member() *chain.Validator { return e.set.ByAddress(e.cfg.Self) }

// validityOf returns the driver's verdict on hash, asking for one if none
// was asked for yet.
func (e *Engine) validityOf(hash common.Hash) (known, ok bool) {
	if ok, known := e.validity[hash]; known {
		return true, ok
	}
	if !e.requested[hash] {
		e.requested[hash] = true
		e.rd.Validate = append(e.rd.Validate, BlockRef{Height: e.height, Hash: hash})
	}
	return false, false
}

func (e *Engine) arm(step Step) {
	e.rd.Timers = append(e.rd.Timers, Timer{Height: e.height, Round: e.round, Step: step, Duration: e.cfg.Timeout(step, e.round)})
}

func (e *Engine) fail(err error) { e.rd.Errors = append(e.rd.Errors, err) }
