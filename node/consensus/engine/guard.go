package engine

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
)

// SignState is the last message a SignGuard signed: its place in the
// (height, round, step) order, its bytes and its signature.
type SignState struct {
	Height    uint64
	Round     uint32
	Step      Step
	SignBytes []byte
	Signature []byte
}

// Store keeps a SignGuard's last-signed state. Save must be durable (on disk
// and synced) when it returns: the signature is released only after it.
type Store interface {
	// Load returns the stored state; ok is false when nothing was signed yet.
	Load() (state SignState, ok bool, err error)
	Save(state SignState) error
}

// MemStore is a Store in memory, for tests and simulations. It is not safe
// for concurrent use.
type MemStore struct {
	state SignState
	ok    bool
	// FailSave, if set, is returned by Save (to test a full disk).
	FailSave error
}

// Load returns the saved state.
func (s *MemStore) Load() (SignState, bool, error) { return s.state, s.ok, nil }

// Save keeps a copy of state.
func (s *MemStore) Save(state SignState) error {
	if s.FailSave != nil {
		return s.FailSave
	}
	state.SignBytes = bytes.Clone(state.SignBytes)
	state.Signature = bytes.Clone(state.Signature)
	s.state, s.ok = state, true
	return nil
}

// Errors of a SignGuard refusing to sign.
var (
	// ErrConflict: the request is for the height, round and step last
	// signed, with different bytes.
	ErrConflict = errors.New("conflicts with the message already signed at this height, round and step")
	// ErrRegression: the request is for an earlier height, round or step
	// than the last one signed.
	ErrRegression = errors.New("is before the last signed height, round and step")
)

// SignGuard is the Signer that never signs twice. It remembers the last
// signed (height, round, step) and its bytes, refuses anything earlier or
// conflicting, and returns the stored signature for an identical request,
// so a validator restarted mid-round re-sends what it signed instead of
// signing something new. It is not safe for concurrent use.
type SignGuard struct {
	key   crypto.Signer
	store Store
	last  SignState
	has   bool
}

// NewSignGuard loads the last-signed state from store and signs with key
// (an ed25519.PrivateKey in a node).
func NewSignGuard(key crypto.Signer, store Store) (*SignGuard, error) {
	if key == nil || store == nil {
		return nil, errors.New("new sign guard: key and store are required")
	}
	st, ok, err := store.Load()
	if err != nil {
		return nil, fmt.Errorf("load last signed state: %w", err)
	}
	if ok && (st.Step < StepPropose || st.Step > StepPrecommit || len(st.Signature) == 0 || len(st.SignBytes) == 0) {
		return nil, fmt.Errorf("load last signed state: malformed (step %d, %d signature bytes)", st.Step, len(st.Signature))
	}
	return &SignGuard{key: key, store: store, last: st, has: ok}, nil
}

// Last returns the last signed state, if anything was signed.
func (g *SignGuard) Last() (SignState, bool) { return g.last, g.has }

// Sign signs req.SignBytes unless that could make two conflicting
// signatures; the new state is saved before the signature is returned.
func (g *SignGuard) Sign(req SignRequest) ([]byte, error) {
	if req.Step < StepPropose || req.Step > StepPrecommit {
		return nil, fmt.Errorf("sign %d/%d: cannot sign at step %s", req.Height, req.Round, req.Step)
	}
	if g.has {
		switch cmpHRS(req.Height, req.Round, req.Step, g.last) {
		case -1:
			return nil, fmt.Errorf("sign %s %d/%d: %w (%s %d/%d)", req.Step, req.Height, req.Round, ErrRegression, g.last.Step, g.last.Height, g.last.Round)
		case 0:
			if !bytes.Equal(req.SignBytes, g.last.SignBytes) {
				return nil, fmt.Errorf("sign %s %d/%d: %w", req.Step, req.Height, req.Round, ErrConflict)
			}
			return bytes.Clone(g.last.Signature), nil
		}
	}
	sig, err := g.key.Sign(nil, req.SignBytes, crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("sign %s %d/%d: %w", req.Step, req.Height, req.Round, err)
	}
	st := SignState{Height: req.Height, Round: req.Round, Step: req.Step, SignBytes: bytes.Clone(req.SignBytes), Signature: sig}
	if err := g.store.Save(st); err != nil {
		return nil, fmt.Errorf("sign %s %d/%d: save last signed state: %w", req.Step, req.Height, req.Round, err)
	}
	g.last, g.has = st, true
	return bytes.Clone(sig), nil
}

// cmpHRS orders a (height, round, step) against the last signed state.
func cmpHRS(h uint64, r uint32, s Step, last SignState) int {
	switch {
	case h != last.Height:
		return cmp3(h < last.Height)
	case r != last.Round:
		return cmp3(r < last.Round)
	case s != last.Step:
		return cmp3(s < last.Step)
	}
	return 0
}

func cmp3(less bool) int {
	if less {
		return -1
	}
	return 1
}
