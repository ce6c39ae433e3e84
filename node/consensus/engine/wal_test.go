package engine

import (
	"reflect"
	"testing"

	"cairn/chain"
)

// walNode drives a node as a driver would, logging to a WAL.
type walNode struct {
	*node
	wal []Record
}

func (f *fixture) walNode(self int) *walNode {
	n := &walNode{node: f.node(self, 1)}
	n.wal = []Record{{Start: &HeightParams{Height: 1, Validators: f.set, PrevBeta: f.beta}}}
	n.flush()
	return n
}

// flush handles Ready the way a driver does: own messages to the WAL.
func (n *walNode) flush() Ready {
	rd := n.take()
	for i := range rd.Persist {
		n.wal = append(n.wal, Record{Own: &rd.Persist[i]})
	}
	return rd
}

func (n *walNode) in(m Message) Ready {
	n.wal = append(n.wal, Record{Message: &m})
	_ = n.Step(m)
	return n.flush()
}

func (n *walNode) timeout(ev TimeoutEvent) Ready {
	n.wal = append(n.wal, Record{Timeout: &ev})
	n.Timeout(ev)
	return n.flush()
}

func (n *walNode) valid(h uint64, v [32]byte, ok bool) Ready {
	n.wal = append(n.wal, Record{Valid: &Validity{Height: h, Hash: v, OK: ok}})
	n.ProposalValid(h, v, ok)
	return n.flush()
}

// restart rebuilds the engine from the WAL and a guard re-loaded from the
// same store.
func (n *walNode) restart(t *testing.T) (*walNode, Ready) {
	t.Helper()
	guard, err := NewSignGuard(n.f.keys[n.cfg.Self], n.store)
	if err != nil {
		t.Fatal(err)
	}
	cfg := n.cfg
	cfg.Signer = guard
	src := &counterSource{n: 1000} // would build other blocks than before
	cfg.Proposals = src
	e, err := Restore(cfg, n.wal)
	if err != nil {
		t.Fatal(err)
	}
	m := &walNode{node: &node{Engine: e, f: n.f, self: n.self, guard: guard, store: n.store, source: src, cfg: cfg}, wal: n.wal}
	return m, m.take()
}

func TestRestoreContinuesTheRound(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(func(p func(uint32) int) bool { return p(0) != 0 && p(1) == 0 })
	v := blockHash("v")
	n := f.walNode(0)
	n.in(f.proposal(f.proposer(0), 1, 0, -1, v))
	n.valid(1, v, true)
	n.in(f.vote(1, chain.Prevote, 1, 0, v))
	n.in(f.vote(2, chain.Prevote, 1, 0, v)) // locks on v, precommits
	n.in(f.vote(1, chain.Precommit, 1, 0, nilHash))
	n.in(f.vote(2, chain.Precommit, 1, 0, nilHash))
	n.timeout(TimeoutEvent{Height: 1, Round: 0, Step: StepPrecommit}) // round 1: re-proposes v
	before := n.Status()

	m, rd := n.restart(t)
	if got := m.Status(); got != before {
		t.Fatalf("restored status %+v, want %+v", got, before)
	}
	if len(rd.Errors) != 0 || len(rd.Persist) != 0 {
		t.Fatalf("replay signed anew or failed: errors %v, persist %v", rd.Errors, rd.Persist)
	}
	if m.source.n != 1000 {
		t.Fatal("replay built a new block")
	}
	if _, ok := hasTimer(rd, StepPropose, 1); !ok {
		t.Fatalf("round timers not re-armed: %v", rd.Timers)
	}
	var resent bool
	for _, o := range rd.Messages {
		if p := o.Message.Proposal; p != nil && p.Round == 1 && p.BlockHash == v && p.POLRound == 0 {
			resent = true
		}
	}
	if !resent {
		t.Fatalf("the round's proposal is not re-sent: %v", rd.Messages)
	}
	// Both engines answer the next input the same way.
	next := f.vote(3, chain.Prevote, 1, 1, v)
	a, b := n.in(next), m.in(next)
	if !reflect.DeepEqual(a.Messages, b.Messages) || !reflect.DeepEqual(a.Commits, b.Commits) {
		t.Fatalf("restored engine diverges:\n%v\n%v", a.Messages, b.Messages)
	}
}

// A crash after the guard signed but before the WAL got the message: the
// restored engine gets the same signature again from the guard.
func TestRestoreAfterCrashBeforePersist(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	f.pickBeta(notSelf)
	n := f.walNode(0)
	ev := TimeoutEvent{Height: 1, Round: 0, Step: StepPropose}
	n.wal = append(n.wal, Record{Timeout: &ev})
	n.Timeout(ev) // signs a nil prevote; the crash loses Ready
	lost := n.take()
	m, rd := n.restart(t)
	if len(rd.Errors) != 0 {
		t.Fatalf("errors: %v", rd.Errors)
	}
	if len(rd.Persist) != 1 || !reflect.DeepEqual(rd.Persist[0], lost.Persist[0]) {
		t.Fatalf("want the lost prevote to persist again, got %v", rd.Persist)
	}
	if m.Status().Step != StepPrevote {
		t.Fatal("restored engine is not past its prevote")
	}
}

func TestRestoreRejectsBadWAL(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	cfg := DefaultConfig(f.chainID, f.addr(0), nil, nil)
	ev := TimeoutEvent{Height: 1}
	if _, err := Restore(cfg, []Record{{Timeout: &ev}}); err == nil {
		t.Error("WAL without a start accepted")
	}
	start := HeightParams{Height: 1, Validators: f.set}
	if _, err := Restore(cfg, []Record{{Start: &start, Timeout: &ev}}); err == nil {
		t.Error("record with two fields accepted")
	}
}
