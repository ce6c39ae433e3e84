package engine

import (
	"errors"
	"fmt"
	"slices"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// Record is one entry of a validator's consensus WAL; exactly one field is
// set. The driver appends Start when it calls New or NewHeight, Message,
// Timeout or Valid before it gives that input to the engine, and Own for
// each message of Ready.Persist. When it calls NewHeight it may replace the
// WAL with the new Start followed by a Message record for each message of
// Ready.Requeue (before it Steps them): the WAL of one height is enough.
type Record struct {
	Start   *HeightParams
	Message *Message
	Timeout *TimeoutEvent
	Valid   *Validity
	Own     *Message
}

// Validity is a ProposalValid input.
type Validity struct {
	Height uint64
	Hash   common.Hash
	OK     bool
}

// Restore rebuilds an engine after a restart from its WAL: it starts the
// first height recorded, replays the inputs given since, and calls
// NewHeight at each later Start. The engine is
// deterministic, so it asks to sign the same messages again; those found
// among the WAL's own messages are answered from there, and anything else
// goes to cfg.Signer (whose guard refuses what would conflict). Proposals
// it made are taken from the WAL rather than built again.
//
// The returned engine's Ready holds the timers of the round it is in, its
// messages of this round and the last to send again, anything not yet
// validated, and the decision if the height was finalized (the driver skips
// it if its block is already applied).
func Restore(cfg Config, wal []Record) (*Engine, error) {
	for i, r := range wal {
		if n := r.fields(); n != 1 {
			return nil, fmt.Errorf("restore: WAL record %d has %d fields set, want 1", i, n)
		}
	}
	if len(wal) == 0 || wal[0].Start == nil {
		return nil, errors.New("restore: the WAL does not begin with the start of a height")
	}
	recs := wal
	logged := &replaySigner{sigs: map[string][]byte{}, next: cfg.Signer}
	proposed := &replaySource{hashes: map[proposalKey]common.Hash{}, next: cfg.Proposals}
	for _, r := range recs {
		switch m := r.Own; {
		case m == nil:
		case m.Vote != nil:
			logged.sigs[string(m.Vote.SignBytes(cfg.ChainID))] = m.Vote.Signature
		case m.Proposal != nil:
			logged.sigs[string(m.Proposal.SignBytes(cfg.ChainID))] = m.Proposal.Signature
			if m.Proposal.POLRound < 0 {
				proposed.hashes[proposalKey{m.Proposal.Height, m.Proposal.Round}] = m.Proposal.BlockHash
			}
		}
	}
	replay := cfg
	if cfg.Signer != nil {
		replay.Signer = logged
	}
	if cfg.Proposals != nil {
		replay.Proposals = proposed
	}
	e, err := New(replay, *recs[0].Start)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	for _, r := range recs[1:] {
		switch {
		case r.Message != nil:
			_ = e.Step(*r.Message) // it failed the same way the first time
		case r.Timeout != nil:
			e.Timeout(*r.Timeout)
		case r.Valid != nil:
			e.ProposalValid(r.Valid.Height, r.Valid.Hash, r.Valid.OK)
		case r.Start != nil:
			if err := e.NewHeight(*r.Start); err != nil {
				// The replay did not finalize the height before (it can only
				// differ from the first run after a crash between signing and
				// logging): start the recorded height afresh.
				if e, err = New(replay, *r.Start); err != nil {
					return nil, fmt.Errorf("restore: %w", err)
				}
			}
		}
	}
	e.cfg.Signer, e.cfg.Proposals = cfg.Signer, cfg.Proposals

	// Keep of the replay's output what the driver still has to do.
	rd := &e.rd
	rd.Persist = slices.DeleteFunc(rd.Persist, func(m Message) bool {
		return logged.sigs[string(signBytes(m, cfg))] != nil
	})
	rd.Messages = slices.DeleteFunc(rd.Messages, func(o Outbound) bool {
		return !o.Broadcast() || o.Message.Height() != e.height || o.Message.Round()+1 < e.round
	})
	rd.Timers = slices.DeleteFunc(rd.Timers, func(t Timer) bool { return t.Height != e.height || t.Round != e.round })
	rd.Validate = slices.DeleteFunc(rd.Validate, func(r BlockRef) bool { return r.Height != e.height })
	rd.Commits = slices.DeleteFunc(rd.Commits, func(c *chain.Commit) bool { return c.Height != e.height })
	rd.Behind = nil
	rd.Requeue = nil // the WAL holds them after their Start
	return e, nil
}

func (r *Record) fields() int {
	n := 0
	for _, set := range []bool{r.Start != nil, r.Message != nil, r.Timeout != nil, r.Valid != nil, r.Own != nil} {
		if set {
			n++
		}
	}
	return n
}

func signBytes(m Message, cfg Config) []byte {
	switch {
	case m.Vote != nil:
		return m.Vote.SignBytes(cfg.ChainID)
	case m.Proposal != nil:
		return m.Proposal.SignBytes(cfg.ChainID)
	}
	return nil
}

// replaySigner answers sign requests with signatures from the WAL.
type replaySigner struct {
	sigs map[string][]byte
	next Signer
}

func (s *replaySigner) Sign(req SignRequest) ([]byte, error) {
	if sig := s.sigs[string(req.SignBytes)]; sig != nil {
		return sig, nil
	}
	return s.next.Sign(req)
}

type proposalKey struct {
	height uint64
	round  uint32
}

// replaySource answers with the blocks the WAL says were proposed.
type replaySource struct {
	hashes map[proposalKey]common.Hash
	next   ProposalSource
}

func (s *replaySource) Propose(height uint64, round uint32) (common.Hash, error) {
	if h, ok := s.hashes[proposalKey{height, round}]; ok {
		return h, nil
	}
	return s.next.Propose(height, round)
}
