package engine

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"math"
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

// Floor is a SignState that signs nothing: every height up to and including
// height is refused. A node whose record of what it signed was lost starts
// from one, set above any height it could have signed at.
func Floor(height uint64) SignState {
	return SignState{Height: height, Round: math.MaxUint32, Step: StepPrecommit}
}

// IsFloor reports whether s is a Floor rather than a signed message.
func (s SignState) IsFloor() bool {
	return s.Round == math.MaxUint32 && s.Step == StepPrecommit && len(s.SignBytes) == 0 && len(s.Signature) == 0
}

// Store keeps a SignGuard's last signed messages, oldest first. Save must be
// durable (on disk and synced) when it returns: the signature is released
// only after it.
type Store interface {
	// Load returns the stored messages; none when nothing was signed yet.
	Load() ([]SignState, error)
	Save(signed []SignState) error
}

// MemStore is a Store in memory, for tests and simulations. It is not safe
// for concurrent use.
type MemStore struct {
	signed []SignState
	// FailSave, if set, is returned by Save (to test a full disk).
	FailSave error
}

// Load returns the saved messages.
func (s *MemStore) Load() ([]SignState, error) { return cloneStates(s.signed), nil }

// Save keeps a copy of signed.
func (s *MemStore) Save(signed []SignState) error {
	if s.FailSave != nil {
		return s.FailSave
	}
	s.signed = cloneStates(signed)
	return nil
}

func cloneStates(in []SignState) []SignState {
	out := make([]SignState, len(in))
	for i, st := range in {
		st.SignBytes = bytes.Clone(st.SignBytes)
		st.Signature = bytes.Clone(st.Signature)
		out[i] = st
	}
	return out
}

// signHistory is how many recent signatures a SignGuard remembers. One
// engine input can make a validator sign several messages (a proposal, then
// its prevote and precommit, as its own messages complete quorums); if the
// node crashes before they reach its WAL, the restarted engine asks for
// them again in the same order and gets the same signatures.
const signHistory = 8

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
// signed (height, round, step) and its bytes (and those of a few signatures
// before it), refuses anything earlier or conflicting, and returns the
// stored signature for an identical request, so a validator restarted
// mid-round re-sends what it signed instead of signing something new. It is
// not safe for concurrent use.
type SignGuard struct {
	key     crypto.Signer
	store   Store
	history []SignState // oldest first; the last is the last signed
}

// NewSignGuard loads the last-signed state from store and signs with key
// (an ed25519.PrivateKey in a node).
func NewSignGuard(key crypto.Signer, store Store) (*SignGuard, error) {
	if key == nil || store == nil {
		return nil, errors.New("new sign guard: key and store are required")
	}
	history, err := store.Load()
	if err != nil {
		return nil, fmt.Errorf("load last signed state: %w", err)
	}
	for i, st := range history {
		signed := len(st.Signature) > 0 && len(st.SignBytes) > 0
		if st.Step < StepPropose || st.Step > StepPrecommit || !(signed || st.IsFloor()) ||
			(i > 0 && cmpHRS(st.Height, st.Round, st.Step, history[i-1]) <= 0) {
			return nil, fmt.Errorf("load last signed state: entry %d is malformed or out of order (%s %d/%d)", i, st.Step, st.Height, st.Round)
		}
	}
	return &SignGuard{key: key, store: store, history: history}, nil
}

// Last returns the last signed state, if anything was signed.
func (g *SignGuard) Last() (SignState, bool) {
	if len(g.history) == 0 {
		return SignState{}, false
	}
	return g.history[len(g.history)-1], true
}

// Sign signs req.SignBytes unless that could make two conflicting
// signatures; the new state is saved before the signature is returned.
func (g *SignGuard) Sign(req SignRequest) ([]byte, error) {
	if req.Step < StepPropose || req.Step > StepPrecommit {
		return nil, fmt.Errorf("sign %d/%d: cannot sign at step %s", req.Height, req.Round, req.Step)
	}
	if last, ok := g.Last(); ok {
		for _, st := range g.history {
			if !st.IsFloor() && cmpHRS(req.Height, req.Round, req.Step, st) == 0 && bytes.Equal(req.SignBytes, st.SignBytes) {
				return bytes.Clone(st.Signature), nil
			}
		}
		switch cmpHRS(req.Height, req.Round, req.Step, last) {
		case -1:
			return nil, fmt.Errorf("sign %s %d/%d: %w (%s %d/%d)", req.Step, req.Height, req.Round, ErrRegression, last.Step, last.Height, last.Round)
		case 0:
			return nil, fmt.Errorf("sign %s %d/%d: %w", req.Step, req.Height, req.Round, ErrConflict)
		}
	}
	sig, err := g.key.Sign(nil, req.SignBytes, crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("sign %s %d/%d: %w", req.Step, req.Height, req.Round, err)
	}
	st := SignState{Height: req.Height, Round: req.Round, Step: req.Step, SignBytes: bytes.Clone(req.SignBytes), Signature: sig}
	history := append(g.history[max(0, len(g.history)-signHistory+1):len(g.history):len(g.history)], st)
	if err := g.store.Save(history); err != nil {
		return nil, fmt.Errorf("sign %s %d/%d: save last signed state: %w", req.Step, req.Height, req.Round, err)
	}
	g.history = history
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
