package engine

import (
	"errors"
	"testing"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

var nilHash common.Hash

// notSelf picks a beacon where validator 0 proposes none of rounds 0..2.
func notSelf(p func(uint32) int) bool { return p(0) != 0 && p(1) != 0 && p(2) != 0 }

// lockOn drives n (validator 0 of four equal ones) to lock on hash in
// round r: the round's proposal and prevotes from validators 1 and 2.
func lockOn(t *testing.T, n *node, r uint32, hash common.Hash) {
	t.Helper()
	f := n.f
	n.step(f.proposal(f.proposer(r), 1, r, -1, hash))
	n.ProposalValid(1, hash, true)
	n.step(f.vote(1, chain.Prevote, 1, r, hash))
	n.step(f.vote(2, chain.Prevote, 1, r, hash))
	if st := n.Status(); st.LockedRound != int32(r) || st.LockedValue != hash || st.Step != StepPrecommit {
		t.Fatalf("not locked on %x at %d: %+v", hash[:4], r, st)
	}
	n.take()
}

// nextRound ends round r by its precommit timeout.
func nextRound(n *node, r uint32) {
	n.Timeout(TimeoutEvent{Height: 1, Round: r, Step: StepPrecommit})
}

func TestStartArmsProposeTimer(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	rd := n.take()
	tm, ok := hasTimer(rd, StepPropose, 0)
	if !ok || tm.Duration != 3*time.Second || tm.Height != 1 {
		t.Fatalf("propose timer: %+v %v", tm, rd.Timers)
	}
	if len(rd.Messages) != 0 {
		t.Fatalf("a non-proposer sent %v", rd.Messages)
	}
}

// Line 22: prevote a valid proposal when not locked, nil when invalid.
func TestLine22PrevoteProposal(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v := blockHash("v")
	n := f.node(0, 1)
	n.take()
	n.step(f.proposal(f.proposer(0), 1, 0, -1, v))
	rd := n.take()
	if len(rd.Validate) != 1 || rd.Validate[0] != (BlockRef{Height: 1, Hash: v}) {
		t.Fatalf("want a request to validate v, got %v", rd.Validate)
	}
	n.noVote(rd)
	n.ProposalValid(1, v, true)
	n.onlyVote(n.take(), chain.Prevote, v)
	if n.Status().Step != StepPrevote {
		t.Fatalf("step %s after prevote", n.Status().Step)
	}

	bad := f.node(0, 1)
	bad.take()
	bad.step(f.proposal(f.proposer(0), 1, 0, -1, v))
	bad.ProposalValid(1, v, false)
	bad.onlyVote(bad.take(), chain.Prevote, nilHash)
}

// Line 22 with a lock: a new value gets a nil prevote, the locked one a
// prevote.
func TestLine22LockedPrevotesOnlyLockedValue(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	w, v := blockHash("w"), blockHash("v")
	for _, tc := range []struct {
		offer common.Hash
		want  common.Hash
	}{{v, nilHash}, {w, w}} {
		n := f.node(0, 1)
		lockOn(t, n, 0, w)
		nextRound(n, 0)
		n.take()
		n.step(f.proposal(f.proposer(1), 1, 1, -1, tc.offer))
		n.ProposalValid(1, v, true)
		n.onlyVote(n.take(), chain.Prevote, tc.want)
	}
}

// Line 28: a re-proposal with a POL round at or after the lock is
// prevoted once the POL prevotes are in; one older than the lock is not.
func TestLine28POLUnlocks(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	w, v := blockHash("w"), blockHash("v")

	n := f.node(0, 1)
	lockOn(t, n, 0, w) // locked round 0
	nextRound(n, 0)
	n.step(f.vote(1, chain.Prevote, 1, 1, v))
	n.step(f.vote(2, chain.Prevote, 1, 1, v))
	n.Timeout(TimeoutEvent{Height: 1, Round: 1, Step: StepPropose})
	nextRound(n, 1) // round 2
	n.take()
	n.step(f.proposal(f.proposer(2), 1, 2, 1, v))
	n.ProposalValid(1, v, true)
	rd := n.take()
	n.noVote(rd) // only two of the three POL prevotes are in
	n.step(f.vote(3, chain.Prevote, 1, 1, v))
	n.onlyVote(n.take(), chain.Prevote, v)

	// Locked in round 1 on w; v re-proposed with POL round 0.
	m := f.node(0, 1)
	m.step(f.vote(1, chain.Prevote, 1, 0, v))
	m.step(f.vote(2, chain.Prevote, 1, 0, v))
	m.step(f.vote(3, chain.Prevote, 1, 0, v))
	nextRound(m, 0)
	lockOn(t, m, 1, w)
	nextRound(m, 1)
	m.take()
	m.step(f.proposal(f.proposer(2), 1, 2, 0, v))
	m.ProposalValid(1, v, true)
	m.onlyVote(m.take(), chain.Prevote, nilHash)
}

// Line 34 and 61: more than 2/3 of mixed prevotes arm the prevote timer,
// which precommits nil.
func TestLine34PrevoteTimer(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose}) // line 57
	n.onlyVote(n.take(), chain.Prevote, nilHash)
	n.step(f.vote(1, chain.Prevote, 1, 0, blockHash("a")))
	if _, ok := hasTimer(n.take(), StepPrevote, 0); ok {
		t.Fatal("prevote timer armed on 2 of 4 prevotes")
	}
	n.step(f.vote(2, chain.Prevote, 1, 0, blockHash("b")))
	rd := n.take()
	if tm, ok := hasTimer(rd, StepPrevote, 0); !ok || tm.Duration != time.Second {
		t.Fatalf("no 1 s prevote timer after 3 of 4 prevotes: %v", rd.Timers)
	}
	n.noVote(rd)
	n.step(f.vote(3, chain.Prevote, 1, 0, blockHash("c")))
	if _, ok := hasTimer(n.take(), StepPrevote, 0); ok {
		t.Fatal("prevote timer armed twice in a round")
	}
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPrevote})
	n.onlyVote(n.take(), chain.Precommit, nilHash)
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPrevote})
	n.noVote(n.take())
}

// Line 36: a proposal with more than 2/3 prevotes locks and precommits it;
// after the node has precommitted, it only becomes the valid value.
func TestLine36LockAndValidValue(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v := blockHash("v")
	n := f.node(0, 1)
	n.step(f.proposal(f.proposer(0), 1, 0, -1, v))
	n.ProposalValid(1, v, true)
	n.step(f.vote(1, chain.Prevote, 1, 0, v))
	n.take()
	n.step(f.vote(2, chain.Prevote, 1, 0, v))
	n.onlyVote(n.take(), chain.Precommit, v)
	st := n.Status()
	if st.LockedRound != 0 || st.LockedValue != v || st.ValidRound != 0 || st.ValidValue != v {
		t.Fatalf("lock and valid value: %+v", st)
	}

	// Precommitted nil already (prevote timeout); the quorum arrives late.
	m := f.node(0, 1)
	m.step(f.proposal(f.proposer(0), 1, 0, -1, v))
	m.ProposalValid(1, v, false) // this node thought v invalid: prevote nil
	m.step(f.vote(1, chain.Prevote, 1, 0, v))
	m.step(f.vote(2, chain.Prevote, 1, 0, v))
	m.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPrevote})
	m.take()
	m.step(f.vote(3, chain.Prevote, 1, 0, v))
	m.noVote(m.take())
	if st := m.Status(); st.ValidRound != -1 || st.LockedRound != -1 {
		t.Fatalf("an invalid block became valid or locked: %+v", st)
	}

	// Same, but valid: the late quorum sets the valid value, not the lock.
	k := f.node(0, 1)
	k.step(f.proposal(f.proposer(0), 1, 0, -1, v))
	k.step(f.vote(1, chain.Prevote, 1, 0, v))
	k.step(f.vote(2, chain.Prevote, 1, 0, v))
	k.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	k.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPrevote})
	k.take()
	k.step(f.vote(3, chain.Prevote, 1, 0, v))
	k.ProposalValid(1, v, true)
	k.noVote(k.take())
	if st := k.Status(); st.ValidRound != 0 || st.ValidValue != v || st.LockedRound != -1 {
		t.Fatalf("late quorum: want valid value only, got %+v", st)
	}
}

// Line 44: more than 2/3 nil prevotes precommit nil at once.
func TestLine44NilQuorum(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	n.step(f.vote(1, chain.Prevote, 1, 0, nilHash))
	n.take()
	n.step(f.vote(2, chain.Prevote, 1, 0, nilHash))
	n.onlyVote(n.take(), chain.Precommit, nilHash)
}

// Lines 47 and 65: more than 2/3 of mixed precommits arm the precommit
// timer; it starts the next round, whose timeouts are longer.
func TestLine47PrecommitTimerNextRound(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	n.take()
	n.step(f.vote(1, chain.Precommit, 1, 0, nilHash))
	n.step(f.vote(2, chain.Precommit, 1, 0, blockHash("x")))
	if _, ok := hasTimer(n.take(), StepPrecommit, 0); ok {
		t.Fatal("precommit timer on 2 of 4")
	}
	n.step(f.vote(3, chain.Precommit, 1, 0, nilHash))
	rd := n.take()
	if tm, ok := hasTimer(rd, StepPrecommit, 0); !ok || tm.Duration != time.Second {
		t.Fatalf("no precommit timer: %v", rd.Timers)
	}
	nextRound(n, 0)
	rd = n.take()
	if st := n.Status(); st.Round != 1 || st.Step != StepPropose {
		t.Fatalf("after precommit timeout: %+v", st)
	}
	if tm, ok := hasTimer(rd, StepPropose, 1); !ok || tm.Duration != 3500*time.Millisecond {
		t.Fatalf("round 1 propose timer: %v", rd.Timers)
	}
	nextRound(n, 0) // stale
	if n.Status().Round != 1 {
		t.Fatal("a stale precommit timeout moved the round")
	}
}

// Line 49: more than 2/3 precommits of any round finalize a valid block,
// with a certificate that verifies; the proposal is not needed.
func TestLine49Decide(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v := blockHash("v")
	n := f.node(0, 1)
	n.take()
	for i := 1; i <= 3; i++ {
		n.step(f.vote(i, chain.Precommit, 1, 2, v))
	}
	rd := n.take()
	if len(rd.Commits) != 0 {
		t.Fatal("decided before the block was validated")
	}
	if len(rd.Validate) != 1 || rd.Validate[0].Hash != v {
		t.Fatalf("want validation of v, got %v", rd.Validate)
	}
	n.ProposalValid(1, v, true)
	rd = n.take()
	if len(rd.Commits) != 1 {
		t.Fatalf("no decision: %+v", rd)
	}
	// The node had not precommitted in round 2: it signs the decided block
	// late, and its precommit joins the three it decided on.
	c := rd.Commits[0]
	if c.Height != 1 || c.Round != 2 || c.BlockHash != v || len(c.Signatures) != 4 {
		t.Fatalf("commit %+v", c)
	}
	var own *chain.Vote
	for _, m := range rd.Messages {
		if m.Message.Vote != nil && m.Message.Vote.Validator == f.addr(0) {
			own = m.Message.Vote
		}
	}
	if own == nil || own.Type != chain.Precommit || own.Round != 2 || own.BlockHash != v {
		t.Fatalf("no late precommit for the decided block sent: %+v", own)
	}
	if err := c.Verify(f.chainID, f.set, 1, v); err != nil {
		t.Fatalf("certificate: %v", err)
	}
	if !n.Status().Decided {
		t.Fatal("status not decided")
	}
	n.step(f.vote(1, chain.Prevote, 1, 3, v))
	if rd := n.take(); len(rd.Messages) != 0 || len(rd.Commits) != 0 {
		t.Fatalf("acted after deciding: %+v", rd)
	}

	// An invalid block is never finalized, whatever the votes.
	m := f.node(0, 1)
	for i := 1; i <= 3; i++ {
		m.step(f.vote(i, chain.Precommit, 1, 0, v))
	}
	m.ProposalValid(1, v, false)
	if rd := m.take(); len(rd.Commits) != 0 {
		t.Fatal("finalized an invalid block")
	}
}

// Quorums count power, not heads.
func TestQuorumsArePowerWeighted(t *testing.T) {
	f := newFixture(t, 1, 1, 1, 7)
	big := -1
	for i, v := range f.set.Validators {
		if v.Power == 7 {
			big = i
		}
	}
	small := []int{}
	for i := range f.set.Validators {
		if i != big {
			small = append(small, i)
		}
	}
	f.pickBeta(func(p func(uint32) int) bool { return p(0) != small[0] })
	v := blockHash("v")
	n := f.node(small[0], 1)
	n.ProposalValid(1, v, true)
	n.step(f.vote(small[1], chain.Precommit, 1, 0, v))
	n.step(f.vote(small[2], chain.Precommit, 1, 0, v))
	if rd := n.take(); len(rd.Commits) != 0 {
		t.Fatal("2 of 10 power finalized")
	}
	n.step(f.vote(big, chain.Precommit, 1, 0, v))
	if rd := n.take(); len(rd.Commits) != 1 {
		t.Fatal("9 of 10 power did not finalize")
	}
}

// Line 55: messages of a later round from more than 1/3 of the power move
// the node to it; from less they do not.
func TestLine55RoundSkip(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	n.step(f.vote(1, chain.Prevote, 1, 5, blockHash("x")))
	if n.Status().Round != 0 {
		t.Fatal("skipped on 1/4 of the power")
	}
	n.take()
	n.step(f.vote(2, chain.Precommit, 1, 5, nilHash))
	rd := n.take()
	if st := n.Status(); st.Round != 5 || st.Step != StepPropose {
		t.Fatalf("no skip to round 5: %+v", st)
	}
	if tm, ok := hasTimer(rd, StepPropose, 5); !ok || tm.Duration != 5500*time.Millisecond {
		t.Fatalf("round 5 propose timer: %v", rd.Timers)
	}
}

// Line 57: the propose timeout prevotes nil; a stale one does nothing.
func TestLine57ProposeTimeout(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	n.take()
	n.Timeout(TimeoutEvent{Height: 1, Round: 1, Step: StepPropose})
	n.Timeout(TimeoutEvent{Height: 2, Round: 0, Step: StepPropose})
	n.noVote(n.take())
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	n.onlyVote(n.take(), chain.Prevote, nilHash)
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	n.noVote(n.take())
}

// The proposer of a round without a valid value proposes a new block and
// prevotes it; with one, it proposes that again with its POL round and the
// prevotes that justify it.
func TestProposerNewAndValidValue(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(func(p func(uint32) int) bool { return p(0) == 0 })
	n := f.node(0, 1)
	rd := n.take()
	if len(rd.Messages) != 2 || rd.Messages[0].Message.Proposal == nil || rd.Messages[1].Message.Vote == nil {
		t.Fatalf("want proposal and own prevote, got %v", rd.Messages)
	}
	p := rd.Messages[0].Message.Proposal
	if p.POLRound != -1 || p.Round != 0 || n.source.n != 1 || rd.Messages[1].Message.Vote.BlockHash != p.BlockHash {
		t.Fatalf("proposal %+v after %d builds", p, n.source.n)
	}
	if err := n.Step(f.proposal(0, 1, 0, -1, blockHash("other"))); err != nil {
		t.Fatalf("second proposal of a round: %v", err)
	}

	g := newFixture(t, 10, 10, 10, 10)
	g.pickBeta(func(p func(uint32) int) bool { return p(0) != 0 && p(1) == 0 })
	v := blockHash("v")
	m := g.node(0, 1)
	m.step(g.proposal(g.proposer(0), 1, 0, -1, v))
	m.ProposalValid(1, v, true)
	m.step(g.vote(1, chain.Prevote, 1, 0, v))
	m.step(g.vote(3, chain.Prevote, 1, 0, v))
	m.take()
	nextRound(m, 0)
	rd = m.take()
	var prop *Proposal
	for _, o := range rd.Messages {
		if o.Message.Proposal != nil {
			prop = o.Message.Proposal
		}
	}
	if prop == nil || prop.Round != 1 || prop.POLRound != 0 || prop.BlockHash != v || m.source.n != 0 {
		t.Fatalf("re-proposal %+v (built %d)", prop, m.source.n)
	}
	pol := map[common.Address]bool{}
	for _, s := range prop.POLVotes {
		pol[s.Validator] = true
	}
	if len(pol) != 3 || !pol[g.addr(0)] || !pol[g.addr(1)] || !pol[g.addr(3)] {
		t.Fatalf("POL prevotes not carried: %v", pol)
	}

	// A validator that missed the POL prevotes takes them from the proposal.
	k := g.node(2, 1)
	k.step(g.vote(1, chain.Prevote, 1, 0, blockHash("junk"))) // validator 1 seen voting otherwise first
	nextRound(k, 0)
	k.take()
	k.step(Message{Proposal: prop})
	k.ProposalValid(1, v, true)
	k.onlyVote(k.take(), chain.Prevote, v)

	// A POL that is not a quorum is refused with the proposal.
	bad := *prop
	bad.POLVotes = bad.POLVotes[:2]
	if err := g.node(2, 1).Step(Message{Proposal: &bad}); err == nil {
		t.Fatal("proposal with a short POL accepted")
	}
}

func TestConflictingVotesBecomeEvidence(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	a, b := blockHash("a"), blockHash("b")
	n := f.node(0, 1)
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	n.step(f.vote(1, chain.Prevote, 1, 0, a))
	n.take()
	n.step(f.vote(1, chain.Prevote, 1, 0, b))
	rd := n.take()
	if len(rd.Evidence) != 1 {
		t.Fatalf("want 1 evidence, got %v", rd.Evidence)
	}
	ev := rd.Evidence[0]
	if ev.VoteA.BlockHash != a || ev.VoteB.BlockHash != b || ev.VoteA.Validator != f.addr(1) {
		t.Fatalf("evidence %+v", ev)
	}
	for _, v := range []chain.Vote{ev.VoteA, ev.VoteB} {
		if err := v.Verify(f.chainID, f.set.Validators[1].PubKey); err != nil {
			t.Fatalf("evidence vote: %v", err)
		}
	}
	if _, ok := hasTimer(rd, StepPrevote, 0); ok {
		t.Fatal("the conflicting vote was counted")
	}
	n.step(f.vote(1, chain.Prevote, 1, 0, nilHash))
	if rd := n.take(); len(rd.Evidence) != 0 {
		t.Fatal("evidence repeated")
	}
	// A bad signature on a conflicting vote is an error, not evidence.
	forged := f.vote(1, chain.Precommit, 1, 0, a)
	n.step(forged)
	bad := f.vote(1, chain.Precommit, 1, 0, b)
	bad.Vote.Signature[0] ^= 1
	if err := n.Step(bad); err == nil {
		t.Fatal("badly signed conflicting vote accepted")
	}
	if rd := n.take(); len(rd.Evidence) != 0 {
		t.Fatal("evidence from a forged vote")
	}
}

func TestStepRejectsBadMessages(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	p := f.proposer(0)
	other := (p + 1) % 4
	badSig := f.vote(1, chain.Prevote, 1, 0, nilHash)
	badSig.Vote.Signature = append([]byte{}, badSig.Vote.Signature...)
	badSig.Vote.Signature[3] ^= 1
	stranger := f.vote(1, chain.Prevote, 1, 0, nilHash)
	stranger.Vote.Validator = common.HexToAddress("0x1234")
	wrongType := f.vote(1, chain.Prevote, 1, 0, nilHash)
	wrongType.Vote.Type = 9
	both := f.vote(1, chain.Prevote, 1, 0, nilHash)
	both.Proposal = f.proposal(p, 1, 0, -1, blockHash("v")).Proposal
	for name, m := range map[string]Message{
		"empty":            {},
		"two kinds":        both,
		"bad signature":    badSig,
		"not a validator":  stranger,
		"unknown type":     wrongType,
		"wrong proposer":   f.proposal(other, 1, 0, -1, blockHash("v")),
		"POL not before":   f.proposal(f.proposer(1), 1, 1, 1, blockHash("v")),
		"empty block":      f.proposal(p, 1, 0, -1, nilHash),
		"far future round": f.vote(1, chain.Prevote, 1, maxRoundsAhead+1, nilHash),
		"empty commit":     {Commit: &chain.Commit{Height: 1, BlockHash: blockHash("v")}},
	} {
		if err := n.Step(m); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if st := n.Status(); st.Round != 0 || st.Step != StepPropose {
		t.Fatalf("bad messages changed the state: %+v", st)
	}
}

func TestCatchUpCommitAndBehind(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v := blockHash("v")
	c := &chain.Commit{Height: 1, Round: 3, BlockHash: v}
	for i := 1; i <= 3; i++ {
		c.Signatures = append(c.Signatures, chain.CommitSig{Validator: f.addr(i), Signature: f.vote(i, chain.Precommit, 1, 3, v).Vote.Signature})
	}
	n := f.node(0, 1)
	n.step(Message{Commit: c})
	n.ProposalValid(1, v, true)
	rd := n.take()
	if len(rd.Commits) != 1 || rd.Commits[0].BlockHash != v {
		t.Fatalf("catch-up commit did not finalize: %+v", rd)
	}
	// Now a validator still at height 1 is behind, once per height.
	n.step(f.vote(2, chain.Prevote, 1, 0, nilHash))
	n.step(f.vote(2, chain.Precommit, 1, 0, nilHash))
	if rd := n.take(); len(rd.Behind) != 1 || rd.Behind[0] != (Behind{Validator: f.addr(2), Height: 1}) {
		t.Fatalf("behind: %v", rd.Behind)
	}
	forged := f.vote(3, chain.Prevote, 1, 0, nilHash)
	forged.Vote.Signature = make([]byte, 64)
	n.step(forged)
	if rd := n.take(); len(rd.Behind) != 0 {
		t.Fatal("a forged old vote made the node send blocks")
	}
}

func TestNewHeight(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v := blockHash("v")
	n := f.node(0, 1)
	if err := n.NewHeight(HeightParams{Height: 2, Validators: f.set, PrevBeta: v[:]}); err == nil {
		t.Fatal("new height before a decision")
	}
	// Height 2 messages arrive early: f+1 of them in round 3.
	n.step(f.vote(1, chain.Prevote, 2, 3, nilHash))
	n.step(f.vote(2, chain.Prevote, 2, 3, nilHash))
	for i := 1; i <= 3; i++ {
		n.step(f.vote(i, chain.Precommit, 1, 0, v))
	}
	n.ProposalValid(1, v, true)
	if err := n.NewHeight(HeightParams{Height: 3, Validators: f.set, PrevBeta: v[:]}); err == nil {
		t.Fatal("skipped a height")
	}
	if err := n.NewHeight(HeightParams{Height: 2, Validators: f.set, PrevBeta: v[:]}); err != nil {
		t.Fatal(err)
	}
	rd := n.take()
	if len(rd.Requeue) != 2 {
		t.Fatalf("want the 2 early messages back, got %v", rd.Requeue)
	}
	for _, m := range rd.Requeue {
		n.step(m)
	}
	if st := n.Status(); st.Height != 2 || st.Round != 3 || st.Decided || st.LockedRound != -1 {
		t.Fatalf("early messages of height 2 not counted: %+v", st)
	}
}

func TestResendOwnMessages(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	rd := n.take()
	if tm, ok := hasTimer(rd, StepResend, 0); !ok || tm.Duration != 2*time.Second {
		t.Fatalf("resend timer %v", rd.Timers)
	}
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	n.take()
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepResend})
	rd = n.take()
	if len(rd.Persist) != 0 {
		t.Fatal("a resend signed something")
	}
	n.onlyVoteResent(t, rd, chain.Prevote)
	if _, ok := hasTimer(rd, StepResend, 0); !ok {
		t.Fatal("resend timer not re-armed")
	}
	// Two rounds later the round-0 prevote is no longer re-sent.
	nextRound(n, 0)
	nextRound(n, 1)
	n.take()
	n.Timeout(TimeoutEvent{Height: 1, Round: 2, Step: StepResend})
	if rd := n.take(); len(rd.Messages) != 0 {
		t.Fatalf("re-sent old rounds: %v", rd.Messages)
	}
}

func (n *node) onlyVoteResent(t *testing.T, rd Ready, typ chain.VoteType) {
	t.Helper()
	vs := n.votesOut(rd)
	if len(vs) != 1 || vs[0].Type != typ {
		t.Fatalf("want own %s re-sent, got %v", typ, vs)
	}
}

// A refused signature is reported and nothing is sent.
func TestRefusedSignatureSendsNothing(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.node(0, 1)
	// The guard has signed at height 5 before: everything at 1 is refused.
	if _, err := n.guard.Sign(SignRequest{Height: 5, Round: 0, Step: StepPrevote, SignBytes: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	n.take()
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	rd := n.take()
	n.noVote(rd)
	if len(rd.Errors) != 1 || !errors.Is(rd.Errors[0], ErrRegression) {
		t.Fatalf("errors %v", rd.Errors)
	}
	if n.Status().Step != StepPrevote {
		t.Fatal("state did not move on")
	}
}

// A node outside the set follows without voting.
func TestObserverFollows(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	v := blockHash("v")
	n := f.node(-1, 1)
	n.step(f.proposal(f.proposer(0), 1, 0, -1, v))
	n.ProposalValid(1, v, true)
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPropose})
	for i := 0; i < 3; i++ {
		n.step(f.vote(i, chain.Prevote, 1, 0, v))
		n.step(f.vote(i, chain.Precommit, 1, 0, v))
	}
	rd := n.take()
	if len(rd.Persist) != 0 || len(n.votesOut(rd)) != 0 {
		t.Fatal("an observer voted")
	}
	for _, o := range rd.Messages {
		if o.Message.Proposal != nil || o.Message.Vote != nil {
			t.Fatalf("observer sent %s", o.Message)
		}
	}
	if len(rd.Commits) != 1 {
		t.Fatal("observer did not follow the decision")
	}
}

func TestConfigTimeouts(t *testing.T) {
	c := DefaultConfig(nil, common.Address{}, nil, nil)
	for _, tc := range []struct {
		step  Step
		round uint32
		want  time.Duration
	}{
		{StepPropose, 0, 3 * time.Second}, {StepPropose, 4, 5 * time.Second},
		{StepPrevote, 0, time.Second}, {StepPrevote, 1, 1500 * time.Millisecond},
		{StepPrecommit, 2, 2 * time.Second}, {StepResend, 9, 2 * time.Second},
	} {
		if got := c.Timeout(tc.step, tc.round); got != tc.want {
			t.Errorf("%s round %d: %v, want %v", tc.step, tc.round, got, tc.want)
		}
	}
	if _, err := New(c, HeightParams{Height: 1}); err == nil {
		t.Error("config without chain ID accepted")
	}
}
