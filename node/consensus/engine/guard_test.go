package engine

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

func TestSignGuard(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	store := &MemStore{}
	g, err := NewSignGuard(key, store)
	if err != nil {
		t.Fatal(err)
	}
	req := func(h uint64, r uint32, s Step, b string) SignRequest {
		return SignRequest{Height: h, Round: r, Step: s, SignBytes: []byte(b)}
	}
	sig, err := g.Sign(req(5, 1, StepPrevote, "a"))
	if err != nil || !ed25519.Verify(key.Public().(ed25519.PublicKey), []byte("a"), sig) {
		t.Fatalf("first signature: %v", err)
	}
	if sts, _ := store.Load(); len(sts) != 1 || sts[0].Height != 5 || sts[0].Round != 1 || sts[0].Step != StepPrevote || string(sts[0].SignBytes) != "a" || !bytes.Equal(sts[0].Signature, sig) {
		t.Fatalf("stored state %+v", sts)
	}
	again, err := g.Sign(req(5, 1, StepPrevote, "a"))
	if err != nil || !bytes.Equal(again, sig) {
		t.Fatalf("identical request: %v", err)
	}
	for name, tc := range map[string]struct {
		r    SignRequest
		want error
	}{
		"conflict":         {req(5, 1, StepPrevote, "b"), ErrConflict},
		"earlier step":     {req(5, 1, StepPropose, "a"), ErrRegression},
		"earlier round":    {req(5, 0, StepPrecommit, "a"), ErrRegression},
		"earlier height":   {req(4, 9, StepPrecommit, "a"), ErrRegression},
		"not signing step": {req(6, 0, StepResend, "a"), nil},
	} {
		_, err := g.Sign(tc.r)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
	if _, err := g.Sign(req(5, 1, StepPrecommit, "c")); err != nil {
		t.Fatalf("later step: %v", err)
	}

	// A restarted guard remembers.
	g2, err := NewSignGuard(key, store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g2.Sign(req(5, 1, StepPrecommit, "d")); !errors.Is(err, ErrConflict) {
		t.Fatalf("after restart, conflict: %v", err)
	}
	if _, err := g2.Sign(req(5, 1, StepPrevote, "z")); !errors.Is(err, ErrRegression) {
		t.Fatalf("after restart, regression: %v", err)
	}
	if _, err := g2.Sign(req(6, 0, StepPropose, "e")); err != nil {
		t.Fatalf("after restart, next height: %v", err)
	}

	// A signature is not released if its state cannot be saved.
	store.FailSave = errors.New("disk full")
	if sig, err := g2.Sign(req(7, 0, StepPropose, "f")); err == nil || sig != nil {
		t.Fatal("signed without saving")
	}
	if last, _ := g2.Last(); last.Height != 6 {
		t.Fatalf("state moved on a failed save: %+v", last)
	}
}

func TestSignGuardRejectsMalformedState(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	for name, sts := range map[string][]SignState{
		"bad step":     {{Height: 3, Step: 9, SignBytes: []byte("a"), Signature: []byte("s")}},
		"no signature": {{Height: 3, Step: StepPrevote, SignBytes: []byte("a")}},
		"out of order": {
			{Height: 3, Step: StepPrecommit, SignBytes: []byte("a"), Signature: []byte("s")},
			{Height: 3, Step: StepPrevote, SignBytes: []byte("b"), Signature: []byte("s")},
		},
	} {
		store := &MemStore{}
		_ = store.Save(sts)
		if _, err := NewSignGuard(key, store); err == nil {
			t.Errorf("%s: malformed stored state accepted", name)
		}
	}
	if _, err := NewSignGuard(nil, &MemStore{}); err == nil {
		t.Fatal("guard without key")
	}
}

// Several messages signed in one step are all given back after a restart;
// older ones than the remembered history are refused.
func TestSignGuardHistory(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	store := &MemStore{}
	g, _ := NewSignGuard(key, store)
	prop, _ := g.Sign(SignRequest{Height: 2, Round: 0, Step: StepPropose, SignBytes: []byte("p")})
	pv, _ := g.Sign(SignRequest{Height: 2, Round: 0, Step: StepPrevote, SignBytes: []byte("v")})
	g, _ = NewSignGuard(key, store)
	if sig, err := g.Sign(SignRequest{Height: 2, Round: 0, Step: StepPropose, SignBytes: []byte("p")}); err != nil || !bytes.Equal(sig, prop) {
		t.Fatalf("earlier identical request after restart: %v", err)
	}
	if _, err := g.Sign(SignRequest{Height: 2, Round: 0, Step: StepPropose, SignBytes: []byte("q")}); !errors.Is(err, ErrRegression) {
		t.Fatalf("earlier conflicting request: %v", err)
	}
	for r := uint32(1); r <= signHistory; r++ {
		if _, err := g.Sign(SignRequest{Height: 2, Round: r, Step: StepPrevote, SignBytes: []byte{byte(r)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := g.Sign(SignRequest{Height: 2, Round: 0, Step: StepPrevote, SignBytes: []byte("v")}); !errors.Is(err, ErrRegression) {
		t.Fatalf("a signature older than the history: %v", err)
	}
	if sts, _ := store.Load(); len(sts) != signHistory {
		t.Fatalf("history of %d, want %d", len(sts), signHistory)
	}
	_ = pv
}

func TestSignGuardFloorRefusesItsHeights(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	store := &MemStore{}
	store.Save([]SignState{Floor(9)})
	g, err := NewSignGuard(key, store)
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []SignRequest{
		{Height: 9, Round: 0, Step: StepPropose, SignBytes: []byte("a")},
		{Height: 9, Round: 1 << 30, Step: StepPrecommit, SignBytes: []byte("a")},
		{Height: 3, Round: 0, Step: StepPrevote, SignBytes: []byte("a")},
	} {
		if _, err := g.Sign(req); !errors.Is(err, ErrRegression) {
			t.Fatalf("signed %+v under a floor at 9: %v", req, err)
		}
	}
	if _, err := g.Sign(SignRequest{Height: 10, Round: 0, Step: StepPropose, SignBytes: []byte("a")}); err != nil {
		t.Fatalf("height 10 is above the floor: %v", err)
	}
	if sts, _ := store.Load(); len(sts) != 2 || !sts[0].IsFloor() || sts[1].Height != 10 {
		t.Fatalf("saved %+v", sts)
	}
}
