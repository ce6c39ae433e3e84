package engine

import (
	"fmt"
	"math/big"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// Step is a phase of a Tendermint round. Signing is ordered by (height,
// round, step), which is what the never-sign-twice guard compares.
type Step uint8

// The steps of a round, in order, and the resend timer.
const (
	StepPropose   Step = 1
	StepPrevote   Step = 2
	StepPrecommit Step = 3
	// StepResend names only a timer: when it fires the engine re-sends its
	// own messages of the current and previous round. Nothing is signed at
	// this step.
	StepResend Step = 4
)

func (s Step) String() string {
	switch s {
	case StepPropose:
		return "propose"
	case StepPrevote:
		return "prevote"
	case StepPrecommit:
		return "precommit"
	case StepResend:
		return "resend"
	}
	return fmt.Sprintf("step(%d)", uint8(s))
}

// voteStep is the signing step of a vote type.
func voteStep(t chain.VoteType) Step {
	if t == chain.Prevote {
		return StepPrevote
	}
	return StepPrecommit
}

// Proposal is a proposer's signed offer of a block for (Height, Round).
// POLRound is -1 for a new block, or the round whose more than 2/3 prevotes
// for BlockHash justify proposing it again (Tendermint's valid round); those
// prevotes travel with it in POLVotes, so a validator that missed them can
// still prevote for it. POLVotes are signed by their validators, not by the
// proposer, and are not part of SignBytes.
type Proposal struct {
	Height    uint64
	Round     uint32
	POLRound  int32
	BlockHash common.Hash
	Proposer  common.Address
	Signature []byte
	POLVotes  []chain.CommitSig
}

// proposalSignDoc is what a proposer signs. POLRound is shifted by one so
// that -1 encodes as 0 (RLP has no negative integers).
type proposalSignDoc struct {
	Domain    string
	ChainID   uint64
	Height    uint64
	Round     uint32
	POLRound  uint64
	BlockHash common.Hash
}

// SignBytes is the canonical encoding a proposer signs: the chain ID and a
// domain tag keep it from being replayed on another chain or read as a vote.
func (p *Proposal) SignBytes(chainID *big.Int) []byte {
	b, err := rlp.EncodeToBytes(&proposalSignDoc{
		Domain: "cairn/proposal", ChainID: chainID.Uint64(), Height: p.Height,
		Round: p.Round, POLRound: uint64(int64(p.POLRound) + 1), BlockHash: p.BlockHash,
	})
	if err != nil {
		// A struct of strings, integers and a hash always encodes.
		panic("encode proposal sign doc: " + err.Error())
	}
	return b
}

// POL (proof of lock) is more than 2/3 of the voting power's prevotes for
// BlockHash in Round: what makes a block a valid value.
type POL struct {
	Height    uint64
	Round     uint32
	BlockHash common.Hash
	Votes     []chain.CommitSig
}

// Message is one consensus message on the wire; exactly one field is set.
// Commit carries a finalized height's certificate to a validator that is
// behind; POL spreads the prevotes behind a validator's valid value.
// Messages returned by the engine are shared with its state and must not be
// modified.
type Message struct {
	Proposal *Proposal
	Vote     *chain.Vote
	Commit   *chain.Commit
	POL      *POL
}

// Height is the height the message is about (0 for an empty message).
func (m Message) Height() uint64 {
	switch {
	case m.Proposal != nil:
		return m.Proposal.Height
	case m.Vote != nil:
		return m.Vote.Height
	case m.Commit != nil:
		return m.Commit.Height
	case m.POL != nil:
		return m.POL.Height
	}
	return 0
}

// Round is the round the message is about.
func (m Message) Round() uint32 {
	switch {
	case m.Proposal != nil:
		return m.Proposal.Round
	case m.Vote != nil:
		return m.Vote.Round
	case m.Commit != nil:
		return m.Commit.Round
	case m.POL != nil:
		return m.POL.Round
	}
	return 0
}

func (m Message) String() string {
	switch {
	case m.Proposal != nil:
		p := m.Proposal
		return fmt.Sprintf("proposal %d/%d pol=%d %x by %x", p.Height, p.Round, p.POLRound, p.BlockHash[:4], p.Proposer[:4])
	case m.Vote != nil:
		v := m.Vote
		return fmt.Sprintf("%s %d/%d %x by %x", v.Type, v.Height, v.Round, v.BlockHash[:4], v.Validator[:4])
	case m.Commit != nil:
		c := m.Commit
		return fmt.Sprintf("commit %d/%d %x (%d sigs)", c.Height, c.Round, c.BlockHash[:4], len(c.Signatures))
	case m.POL != nil:
		p := m.POL
		return fmt.Sprintf("POL %d/%d %x (%d sigs)", p.Height, p.Round, p.BlockHash[:4], len(p.Votes))
	}
	return "empty message"
}

// Outbound is a message to send: to every peer when To is the zero address,
// otherwise to that validator only.
type Outbound struct {
	To      common.Address
	Message Message
}

// Broadcast reports whether the message goes to every peer.
func (o Outbound) Broadcast() bool { return o.To == (common.Address{}) }

// Timer asks the driver to call Timeout with {Height, Round, Step} after
// Duration. Timers are never cancelled: the engine ignores one that fires
// after its round has passed.
type Timer struct {
	Height   uint64
	Round    uint32
	Step     Step
	Duration time.Duration
}

// Event is the TimeoutEvent the timer fires.
func (t Timer) Event() TimeoutEvent {
	return TimeoutEvent{Height: t.Height, Round: t.Round, Step: t.Step}
}

// TimeoutEvent is a fired timer, the input for Engine.Timeout.
type TimeoutEvent struct {
	Height uint64
	Round  uint32
	Step   Step
}

// BlockRef names a block the engine needs judged: the driver fully
// validates it and answers with Engine.ProposalValid.
type BlockRef struct {
	Height uint64
	Hash   common.Hash
}

// Behind reports a validator that sent a message for Height, which this
// node has already finalized. The driver sends it the finalized blocks and
// their commits from Height on, as Message{Commit: ...} plus block bodies.
type Behind struct {
	Validator common.Address
	Height    uint64
}

// HeightParams starts a height: the validator set that votes on it and the
// VRF beacon (beta) of the previous block, which picks the proposers.
type HeightParams struct {
	Height     uint64
	Validators *chain.ValidatorSet
	PrevBeta   []byte
	// Self, if not zero, becomes this node's validator address from this
	// height on: a node whose consensus key is registered while it runs
	// learns its address then.
	Self common.Address
}

// Ready is what the engine asks the driver to do; see the package comment
// for the order. Call Engine.Advance after handling it.
type Ready struct {
	// Persist holds this validator's own messages signed since the last
	// Ready. They go to the WAL before any message leaves, so a restarted
	// engine re-uses them instead of asking to sign again.
	Persist []Message
	// Messages are to be sent, in order.
	Messages []Outbound
	// Timers are to be armed.
	Timers []Timer
	// Validate lists blocks to validate fully and report with ProposalValid.
	Validate []BlockRef
	// Commits are finalized blocks with the certificate of more than 2/3 of
	// the voting power's precommits, in height order.
	Commits []*chain.Commit
	// Behind lists validators to send the commits they missed.
	Behind []Behind
	// Evidence holds pairs of conflicting votes seen from one validator.
	Evidence []chain.Evidence
	// Requeue holds messages of the height just started that arrived while
	// the engine was still in the height before. The driver writes them to
	// the WAL right after the height's Start record and gives them to Step,
	// so the WAL of a height stands alone.
	Requeue []Message
	// Errors are problems inside the engine worth a log line: a refused
	// signature, a proposal that could not be built.
	Errors []error
}

// Empty reports whether there is nothing to do.
func (r *Ready) Empty() bool {
	return len(r.Persist) == 0 && len(r.Messages) == 0 && len(r.Timers) == 0 &&
		len(r.Validate) == 0 && len(r.Commits) == 0 && len(r.Behind) == 0 &&
		len(r.Evidence) == 0 && len(r.Errors) == 0 && len(r.Requeue) == 0
}

// Status is the engine's position, for status pages and logs.
type Status struct {
	Height      uint64
	Round       uint32
	Step        Step
	Proposer    common.Address // of the current round
	Decided     bool           // the height is finalized; waiting for NewHeight
	LockedRound int32
	LockedValue common.Hash
	ValidRound  int32
	ValidValue  common.Hash
}

// VoteArrival is one validator's part in the current round.
type VoteArrival struct {
	Validator common.Address
	Prevote   bool
	Precommit bool
}
