package engine

import (
	"testing"

	"cairn/chain"
)

// A sole validator whose sign state already holds round 0 of its height
// (its WAL was lost after it signed there) can sign nothing in round 0: the
// round's timeouts must still move it to round 1, where it proposes, votes
// and decides.
func TestRefusedRoundMovesOn(t *testing.T) {
	for _, step := range []Step{StepPropose, StepPrevote, StepPrecommit} {
		t.Run(step.String(), func(t *testing.T) {
			fx := newFixture(t, 10)
			store := &MemStore{}
			store.Save([]SignState{{Height: 1, Round: 0, Step: step, SignBytes: []byte("signed before the crash"), Signature: []byte{1}}})
			guard, err := NewSignGuard(fx.keys[fx.addr(0)], store)
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig(fx.chainID, fx.addr(0), guard, &counterSource{})
			eng, err := New(cfg, HeightParams{Height: 1, Validators: fx.set, PrevBeta: fx.beta})
			if err != nil {
				t.Fatal(err)
			}
			var commits []*chain.Commit
			for i := 0; i < 20 && len(commits) == 0; i++ {
				rd := eng.Ready()
				eng.Advance()
				commits = append(commits, rd.Commits...)
				for _, m := range rd.Messages {
					if ownStep(m.Message) <= step && m.Message.Round() == 0 {
						t.Fatalf("signed %s at or before the %s of round 0 the sign state holds", m.Message, step)
					}
				}
				for _, tm := range rd.Timers {
					if tm.Step != StepResend {
						eng.Timeout(tm.Event())
					}
				}
			}
			if len(commits) != 1 || commits[0].Round != 1 || commits[0].Height != 1 {
				t.Fatalf("want a decision in round 1, got %v (status %+v)", commits, eng.Status())
			}
		})
	}
}

// ownStep is the signing step of a proposal or vote.
func ownStep(m Message) Step {
	switch {
	case m.Proposal != nil:
		return StepPropose
	case m.Vote != nil:
		return voteStep(m.Vote.Type)
	}
	return StepResend
}
