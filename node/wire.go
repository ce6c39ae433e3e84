package node

import (
	"encoding/json"
	"errors"
	"fmt"

	"cairn/chain"
	"cairn/node/consensus/engine"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// maxConsensusMsg bounds one consensus message on the wire: a proposal
// carries its block's body, which the block gas limit keeps well below it.
const maxConsensusMsg = 8 << 20

// wireMsg is the envelope of everything on transport.TopicConsensus: one
// of a proposal, a vote, a commit certificate or a proof of lock, and with
// a proposal or a commit the block it names, so a receiver can validate or
// apply it. A proposal's block travels compact when it has more than
// compactMinTxs transactions.
type wireMsg struct {
	Proposal *engine.Proposal `json:"proposal,omitempty"`
	Vote     *chain.Vote      `json:"vote,omitempty"`
	Commit   *chain.Commit    `json:"commit,omitempty"`
	POL      *engine.POL      `json:"pol,omitempty"`
	Block    hexutil.Bytes    `json:"block,omitempty"`
	Compact  *wireCompact     `json:"compact,omitempty"`
}

// wireCompact is a block without its transactions (Skeleton, in the
// block's binary encoding) and the short IDs of those transactions in
// order, 8 bytes each.
type wireCompact struct {
	Skeleton hexutil.Bytes `json:"skeleton"`
	IDs      hexutil.Bytes `json:"ids"`
}

// inbound is a consensus message as a peer sent it, decoded and checked
// for shape: the message, and the block it carries, whole or compact.
type inbound struct {
	Msg     engine.Message
	Block   *chain.Block
	Compact *compactBlock
}

// encodeWire encodes a message with an optional block body; a proposal's
// block of more than compactMinTxs transactions goes compact.
func encodeWire(m engine.Message, b *chain.Block) ([]byte, error) {
	w := wireMsg{Proposal: m.Proposal, Vote: m.Vote, Commit: m.Commit, POL: m.POL}
	switch {
	case b == nil:
	case m.Proposal != nil && len(b.Txs) > compactMinTxs:
		c, err := compactOf(b)
		if err != nil {
			return nil, err
		}
		w.Compact = c
	default:
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
func decodeWire(data []byte) (*inbound, error) {
	if len(data) > maxConsensusMsg {
		return nil, fmt.Errorf("consensus message of %d bytes exceeds %d", len(data), maxConsensusMsg)
	}
	var w wireMsg
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("decode consensus message: %w", err)
	}
	in := &inbound{Msg: engine.Message{Proposal: w.Proposal, Vote: w.Vote, Commit: w.Commit, POL: w.POL}}
	n := 0
	for _, set := range []bool{w.Proposal != nil, w.Vote != nil, w.Commit != nil, w.POL != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("decode consensus message: want exactly one of proposal, vote, commit, POL")
	}
	if len(w.Block) == 0 && w.Compact == nil {
		return in, nil
	}
	var want common.Hash
	switch {
	case len(w.Block) > 0 && w.Compact != nil:
		return nil, errors.New("decode consensus message: a block both whole and compact")
	case w.Proposal != nil:
		want = w.Proposal.BlockHash
	case w.Commit != nil && w.Compact == nil:
		want = w.Commit.BlockHash
	default:
		return nil, errors.New("decode consensus message: only a proposal or a commit carries a block")
	}
	if w.Compact != nil {
		c, err := decodeCompact(w.Compact, want)
		if err != nil {
			return nil, err
		}
		in.Compact = c
		return in, nil
	}
	b := new(chain.Block)
	if err := b.UnmarshalBinary(w.Block); err != nil {
		return nil, fmt.Errorf("decode consensus message block: %w", err)
	}
	if b.Header == nil || b.Hash() != want {
		return nil, errors.New("decode consensus message: block is not the one named")
	}
	in.Block = b
	return in, nil
}
