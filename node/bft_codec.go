package node

import (
	"encoding/json"
	"fmt"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/consensus/wal"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

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
