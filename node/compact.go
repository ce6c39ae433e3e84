package node

import (
	"encoding/binary"
	"errors"
	"fmt"

	"cairn/chain"

	"github.com/dchest/siphash"
	"github.com/ethereum/go-ethereum/core/types"
)

// compactMinTxs: a proposal with more transactions than this travels as
// its block's skeleton and short transaction IDs.
const compactMinTxs = 10

// maxCompactTxs bounds the IDs a compact block may list (a block gas limit
// of 30M holds at most ~1,430 plain transfers; this leaves room for raised
// limits while keeping a hostile message's cost small).
const maxCompactTxs = 200_000

// shortIDKeys derives the SipHash key of a block's short transaction IDs
// from the block hash: nobody knows it before the block exists, so nobody
// can grind transactions whose IDs collide in it.
func shortIDKeys(b *chain.Block) (k0, k1 uint64) {
	h := b.Hash()
	return binary.LittleEndian.Uint64(h[0:8]), binary.LittleEndian.Uint64(h[8:16])
}

func shortID(k0, k1 uint64, tx *types.Transaction) uint64 {
	h := tx.Hash()
	return siphash.Hash(k0, k1, h[:])
}

// compactOf encodes b as its skeleton and short transaction IDs.
func compactOf(b *chain.Block) (*wireCompact, error) {
	skel := &chain.Block{Header: b.Header, LastCommit: b.LastCommit, Evidence: b.Evidence}
	raw, err := skel.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode block %d: %w", b.Height(), err)
	}
	k0, k1 := shortIDKeys(b)
	ids := make([]byte, 8*len(b.Txs))
	for i, tx := range b.Txs {
		binary.LittleEndian.PutUint64(ids[8*i:], shortID(k0, k1, tx))
	}
	return &wireCompact{Skeleton: raw, IDs: ids}, nil
}

// compactBlock is a compact block as received: the skeleton and the IDs
// of the transactions it lacks.
type compactBlock struct {
	skeleton *chain.Block
	ids      []uint64
}

func decodeCompact(w *wireCompact, want [32]byte) (*compactBlock, error) {
	if len(w.IDs)%8 != 0 || len(w.IDs)/8 > maxCompactTxs {
		return nil, fmt.Errorf("decode compact block: %d bytes of short IDs", len(w.IDs))
	}
	skel := new(chain.Block)
	if err := skel.UnmarshalBinary(w.Skeleton); err != nil {
		return nil, fmt.Errorf("decode compact block: %w", err)
	}
	if len(skel.Txs) != 0 {
		return nil, errors.New("decode compact block: the skeleton carries transactions")
	}
	if skel.Hash() != want {
		return nil, errors.New("decode consensus message: block is not the one named")
	}
	c := &compactBlock{skeleton: skel, ids: make([]uint64, len(w.IDs)/8)}
	for i := range c.ids {
		c.ids[i] = binary.LittleEndian.Uint64(w.IDs[8*i:])
	}
	return c, nil
}

// fill is a compact block being filled in: the transactions found so far
// and the indices still missing.
type fill struct {
	c       *compactBlock
	txs     []*types.Transaction
	missing []uint32
}

// startFill matches the compact block's IDs against known transactions
// (the mempool's).
func (c *compactBlock) startFill(known []*types.Transaction) *fill {
	k0, k1 := shortIDKeys(c.skeleton)
	byID := make(map[uint64]*types.Transaction, len(known))
	for _, tx := range known {
		byID[shortID(k0, k1, tx)] = tx
	}
	f := &fill{c: c, txs: make([]*types.Transaction, len(c.ids))}
	for i, id := range c.ids {
		if tx, ok := byID[id]; ok {
			f.txs[i] = tx
		} else {
			f.missing = append(f.missing, uint32(i))
		}
	}
	return f
}

// add places transactions fetched for the missing indices (in order)
// and checks each against its short ID.
func (f *fill) add(indices []uint32, raw [][]byte) error {
	if len(raw) != len(indices) {
		return fmt.Errorf("asked for %d transactions, got %d", len(indices), len(raw))
	}
	k0, k1 := shortIDKeys(f.c.skeleton)
	for j, i := range indices {
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(raw[j]); err != nil {
			return fmt.Errorf("transaction #%d: %w", i, err)
		}
		if int(i) >= len(f.txs) || shortID(k0, k1, tx) != f.c.ids[i] {
			return fmt.Errorf("transaction #%d is not the one the block lists", i)
		}
		f.txs[i] = tx
	}
	f.missing = nil
	return nil
}

// block is the filled block, if its transactions match the header's root
// (a short-ID collision with a mempool transaction would not).
func (f *fill) block() (*chain.Block, error) {
	for i, tx := range f.txs {
		if tx == nil {
			return nil, fmt.Errorf("transaction #%d is missing", i)
		}
	}
	b := &chain.Block{Header: f.c.skeleton.Header, Txs: f.txs, LastCommit: f.c.skeleton.LastCommit, Evidence: f.c.skeleton.Evidence}
	if chain.TxRoot(b.Txs) != b.Header.TxRoot {
		return nil, errors.New("filled block does not match its transactions root")
	}
	return b, nil
}

// all are the indices of every transaction: asked for when the first fill
// collided.
func (f *fill) all() []uint32 {
	out := make([]uint32, len(f.c.ids))
	for i := range out {
		out[i] = uint32(i)
	}
	return out
}
