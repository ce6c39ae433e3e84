package node

import (
	"encoding/json"
	"errors"
	"fmt"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/consensus/wal"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// maxConsensusMsg bounds one consensus message on the wire: a proposal
// carries its block's body, which the block gas limit keeps well below it.
const maxConsensusMsg = 8 << 20

// wireMsg is the envelope of everything on transport.TopicConsensus: one
// of a proposal, a vote, a commit certificate or a proof of lock, and with
// a proposal or a commit the block it names, so a receiver can validate or apply it.
type wireMsg struct {
	Proposal *engine.Proposal `json:"proposal,omitempty"`
	Vote     *chain.Vote      `json:"vote,omitempty"`
	Commit   *chain.Commit    `json:"commit,omitempty"`
	POL      *engine.POL      `json:"pol,omitempty"`
	Block    hexutil.Bytes    `json:"block,omitempty"`
}

// encodeWire encodes a message with an optional block body.
func encodeWire(m engine.Message, b *chain.Block) ([]byte, error) {
	w := wireMsg{Proposal: m.Proposal, Vote: m.Vote, Commit: m.Commit, POL: m.POL}
	if b != nil {
		raw, err := b.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("encode block %d: %w", b.Height(), err)
		}
		w.Block = raw
	}
	data, err := json.Marshal(&w)
	if err != nil {
		return nil, fmt.Errorf("encode consensus message: %w", err)
	}
	return data, nil
}

// decodeWire decodes a peer's consensus message. The block, if any, must
// be the one the proposal or commit names.
func decodeWire(data []byte) (engine.Message, *chain.Block, error) {
	if len(data) > maxConsensusMsg {
		return engine.Message{}, nil, fmt.Errorf("consensus message of %d bytes exceeds %d", len(data), maxConsensusMsg)
	}
	var w wireMsg
	if err := json.Unmarshal(data, &w); err != nil {
		return engine.Message{}, nil, fmt.Errorf("decode consensus message: %w", err)
	}
	m := engine.Message{Proposal: w.Proposal, Vote: w.Vote, Commit: w.Commit, POL: w.POL}
	n := 0
	for _, set := range []bool{m.Proposal != nil, m.Vote != nil, m.Commit != nil, m.POL != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return engine.Message{}, nil, errors.New("decode consensus message: want exactly one of proposal, vote, commit, POL")
	}
	if len(w.Block) == 0 {
		return m, nil, nil
	}
	var want common.Hash
	switch {
	case m.Proposal != nil:
		want = m.Proposal.BlockHash
	case m.Commit != nil:
		want = m.Commit.BlockHash
	default:
		return engine.Message{}, nil, errors.New("decode consensus message: only a proposal or a commit carries a block")
	}
	b := new(chain.Block)
	if err := b.UnmarshalBinary(w.Block); err != nil {
		return engine.Message{}, nil, fmt.Errorf("decode consensus message block: %w", err)
	}
	if b.Header == nil || b.Hash() != want {
		return engine.Message{}, nil, errors.New("decode consensus message: block is not the one named")
	}
	return m, b, nil
}

// walEntry is one consensus WAL record: an engine.Record, or (Block) a
// block body the driver keeps so a restarted node can validate and commit
// what it was deciding without asking peers.
type walEntry struct {
	Start   *walStart            `json:"start,omitempty"`
	Message *engine.Message      `json:"message,omitempty"`
	Timeout *engine.TimeoutEvent `json:"timeout,omitempty"`
	Valid   *engine.Validity     `json:"valid,omitempty"`
	Own     *engine.Message      `json:"own,omitempty"`
	Block   hexutil.Bytes        `json:"block,omitempty"`
}

// walStart is engine.HeightParams with the validator set as a plain list
// (a ValidatorSet's total is recomputed on decode).
type walStart struct {
	Height     uint64             `json:"height"`
	Validators []*chain.Validator `json:"validators"`
	PrevBeta   hexutil.Bytes      `json:"prevBeta"`
}

func encodeWAL(e walEntry) ([]byte, error) {
	data, err := json.Marshal(&e)
	if err != nil {
		return nil, fmt.Errorf("encode WAL record: %w", err)
	}
	if len(data) > wal.MaxRecord {
		return nil, fmt.Errorf("WAL record of %d bytes exceeds %d", len(data), wal.MaxRecord)
	}
	return data, nil
}

func startEntry(p engine.HeightParams) walEntry {
	return walEntry{Start: &walStart{Height: p.Height, Validators: p.Validators.Validators, PrevBeta: p.PrevBeta}}
}

// decodeWAL turns the WAL's records into the engine's records and the
// block bodies logged with them.
func decodeWAL(raw [][]byte) ([]engine.Record, []*chain.Block, error) {
	var recs []engine.Record
	var blocks []*chain.Block
	for i, data := range raw {
		var e walEntry
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, nil, fmt.Errorf("consensus WAL record %d: %w", i, err)
		}
		switch {
		case len(e.Block) > 0:
			b := new(chain.Block)
			if err := b.UnmarshalBinary(e.Block); err != nil {
				return nil, nil, fmt.Errorf("consensus WAL record %d: block: %w", i, err)
			}
			blocks = append(blocks, b)
		case e.Start != nil:
			recs = append(recs, engine.Record{Start: &engine.HeightParams{Height: e.Start.Height,
				Validators: chain.NewValidatorSet(e.Start.Validators), PrevBeta: e.Start.PrevBeta}})
		default:
			recs = append(recs, engine.Record{Message: e.Message, Timeout: e.Timeout, Valid: e.Valid, Own: e.Own})
		}
	}
	return recs, blocks, nil
}
