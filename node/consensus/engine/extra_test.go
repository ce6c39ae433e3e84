package engine

import (
	"fmt"
	"testing"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

func (f *fixture) sigs(t chain.VoteType, h uint64, r uint32, hash common.Hash, who ...int) []chain.CommitSig {
	var out []chain.CommitSig
	for _, i := range who {
		v := f.vote(i, t, h, r, hash).Vote
		out = append(out, chain.CommitSig{Validator: v.Validator, Signature: v.Signature})
	}
	return out
}

// A POL of an earlier round than the current one, later than the valid
// round, makes its block the valid value, which this node then proposes.
func TestPOLOfEarlierRoundSetsValidValue(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(func(p func(uint32) int) bool { return p(0) != 0 && p(1) != 0 && p(2) == 0 })
	v := blockHash("v")
	n := f.node(0, 1)
	nextRound(n, 0)
	n.take()
	pol := &POL{Height: 1, Round: 0, BlockHash: v, Votes: f.sigs(chain.Prevote, 1, 0, v, 1, 2, 3)}
	n.step(Message{POL: pol})
	if st := n.Status(); st.ValidRound != -1 {
		t.Fatalf("valid value set before the block was validated: %+v", st)
	}
	n.ProposalValid(1, v, true)
	if st := n.Status(); st.ValidRound != 0 || st.ValidValue != v || st.LockedRound != -1 {
		t.Fatalf("want valid value v of round 0 and no lock, got %+v", st)
	}
	nextRound(n, 1) // round 2: this node proposes
	var prop *Proposal
	for _, o := range n.take().Messages {
		if o.Message.Proposal != nil {
			prop = o.Message.Proposal
		}
	}
	if prop == nil || prop.BlockHash != v || prop.POLRound != 0 || len(prop.POLVotes) != 3 {
		t.Fatalf("want v re-proposed with its POL, got %+v", prop)
	}

	short := &POL{Height: 1, Round: 0, BlockHash: v, Votes: f.sigs(chain.Prevote, 1, 0, v, 1, 2)}
	if err := f.node(0, 1).Step(Message{POL: short}); err == nil {
		t.Fatal("a POL without a quorum accepted")
	}
}

// The resend timer also sends the POL of the valid value.
func TestResendCarriesPOL(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v := blockHash("v")
	n := f.node(0, 1)
	lockOn(t, n, 0, v)
	n.Timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepResend})
	var pol *POL
	for _, o := range n.take().Messages {
		if o.Message.POL != nil {
			pol = o.Message.POL
		}
	}
	if pol == nil || pol.Round != 0 || pol.BlockHash != v || len(pol.Votes) != 3 {
		t.Fatalf("resend without the POL: %+v", pol)
	}
	if err := f.node(1, 1).Step(Message{POL: pol}); err != nil {
		t.Fatalf("another node refused the POL: %v", err)
	}
}

// A validator that floods a node with conflicting votes cannot make it deaf
// to a certificate that holds its genuine one.
func TestCertificateCountsPastVoteQuota(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v := blockHash("v")
	n := f.node(0, 1)
	for k := 0; k < maxVotesPerValidator+3; k++ {
		n.step(f.vote(3, chain.Precommit, 1, 0, blockHash(fmt.Sprint("junk", k))))
	}
	n.step(f.vote(3, chain.Precommit, 1, 0, v)) // dropped: over quota
	n.step(f.vote(1, chain.Precommit, 1, 0, v))
	n.step(f.vote(2, chain.Precommit, 1, 0, v))
	n.ProposalValid(1, v, true)
	if rd := n.take(); len(rd.Commits) != 0 || len(rd.Evidence) != 1 {
		t.Fatalf("want no decision and one evidence yet, got %d commits, %d evidence", len(rd.Commits), len(rd.Evidence))
	}
	c := &chain.Commit{Height: 1, Round: 0, BlockHash: v, Signatures: f.sigs(chain.Precommit, 1, 0, v, 1, 2, 3)}
	n.step(Message{Commit: c})
	rd := n.take()
	if len(rd.Commits) != 1 || rd.Commits[0].BlockHash != v {
		t.Fatalf("certificate did not finalize: %+v", rd.Commits)
	}
	if err := rd.Commits[0].Verify(f.chainID, f.set, 1, v); err != nil {
		t.Fatal(err)
	}
}

// A commit for a later height waits in the engine and comes back when that
// height starts.
func TestFutureCommitRequeued(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	v1, v2 := blockHash("v1"), blockHash("v2")
	n := f.node(0, 1)
	c2 := &chain.Commit{Height: 2, Round: 0, BlockHash: v2, Signatures: f.sigs(chain.Precommit, 2, 0, v2, 1, 2, 3)}
	n.step(Message{Commit: c2})
	c1 := &chain.Commit{Height: 1, Round: 0, BlockHash: v1, Signatures: f.sigs(chain.Precommit, 1, 0, v1, 1, 2, 3)}
	n.step(Message{Commit: c1})
	n.ProposalValid(1, v1, true)
	n.take()
	if err := n.NewHeight(HeightParams{Height: 2, Validators: f.set, PrevBeta: v1[:]}); err != nil {
		t.Fatal(err)
	}
	rd := n.take()
	if len(rd.Requeue) != 1 || rd.Requeue[0].Commit != c2 {
		t.Fatalf("future commit not requeued: %v", rd.Requeue)
	}
	n.step(rd.Requeue[0])
	n.ProposalValid(2, v2, true)
	if rd := n.take(); len(rd.Commits) != 1 || rd.Commits[0].Height != 2 {
		t.Fatalf("height 2 not finalized from the early commit: %+v", rd.Commits)
	}
}

func TestVotesShowWhoseVotesArrived(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	n := f.node(-1, 1)
	if got := n.Votes(); len(got) != 4 || got[1].Prevote || got[1].Precommit {
		t.Fatalf("before any vote: %+v", got)
	}
	n.step(f.vote(1, chain.Prevote, 1, 0, common.Hash{}))
	n.step(f.vote(2, chain.Precommit, 1, 0, common.Hash{}))
	for i, a := range n.Votes() {
		if a.Validator != f.addr(i) || a.Prevote != (i == 1) || a.Precommit != (i == 2) {
			t.Fatalf("validator %d after 1's prevote and 2's precommit: %+v", i, a)
		}
	}
}
