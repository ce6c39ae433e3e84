package chain

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	bolt "go.etcd.io/bbolt"
)

// failWrite, set by tests only, fails a block write after everything is
// in its bbolt transaction.
var failWrite func() error

// writeBlock stores a block, the commit that finalized it, its receipts
// and its transaction index entries, makes the state changes pending in
// the state store its layer (writing the layers that must leave memory),
// and moves head and finalized to it — all in one bbolt transaction.
//
// nextSet, if not nil, is a validator set the block chose: it validates
// the blocks from the next height on.
func (s *Store) writeBlock(b *Block, commit *Commit, receipts []*types.Receipt, genesis bool, nextSet *ValidatorSet) error {
	data, err := b.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode block %d: %w", b.Height(), err)
	}
	var sdata []byte
	if nextSet != nil {
		if sdata, err = nextSet.encode(); err != nil {
			return fmt.Errorf("encode validator set of block %d: %w", b.Height()+1, err)
		}
	}
	stored := make([]*types.ReceiptForStorage, len(receipts))
	for i, r := range receipts {
		stored[i] = (*types.ReceiptForStorage)(r)
	}
	rdata, err := rlp.EncodeToBytes(stored)
	if err != nil {
		return fmt.Errorf("encode receipts %d: %w", b.Height(), err)
	}
	var cdata []byte
	if commit != nil {
		if cdata, err = rlp.EncodeToBytes(commit); err != nil {
			return fmt.Errorf("encode commit %d: %w", b.Height(), err)
		}
	}
	height, hash := b.Height(), b.Hash()
	var sw stateWrite
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		if sw, err = s.writeState(tx, height, b.Header.StateRoot, txHashes(b)); err != nil {
			return fmt.Errorf("write state: %w", err)
		}
		key := u64(height)
		puts := []struct{ bucket, k, v []byte }{
			{bucketBlocks, key, data},
			{bucketHashes, hash[:], key},
			{bucketReceipts, key, rdata},
			{bucketMeta, keyHead, key},
			{bucketMeta, keyFinalized, key},
		}
		if cdata != nil {
			puts = append(puts, struct{ bucket, k, v []byte }{bucketCommits, key, cdata})
		}
		if genesis {
			puts = append(puts, struct{ bucket, k, v []byte }{bucketMeta, keyGenesis, hash[:]})
		}
		if sdata != nil {
			puts = append(puts, struct{ bucket, k, v []byte }{bucketSets, u64(height + 1), sdata})
		}
		for _, p := range puts {
			if err := tx.Bucket(p.bucket).Put(p.k, p.v); err != nil {
				return err
			}
		}
		if failWrite != nil {
			return failWrite()
		}
		return nil
	})
	s.settleState(sw, err)
	if err != nil {
		return fmt.Errorf("write block %d: %w", height, err)
	}
	s.stateFrom.Store(sw.from)
	s.blocks.add(height, b, len(data))
	return nil
}

// keepState makes the state changes pending in the state store the layer
// of b, which is stored already (Open re-executing the
// blocks after the newest state on disk): what must leave memory is
// written in a transaction of its own, and the head does not move.
func (s *Store) keepState(b *Block) error {
	height := b.Height()
	var sw stateWrite
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		sw, err = s.writeState(tx, height, b.Header.StateRoot, txHashes(b))
		return err
	})
	s.settleState(sw, err)
	if err != nil {
		return fmt.Errorf("keep the state of block %d: %w", height, err)
	}
	s.stateFrom.Store(sw.from)
	return nil
}

// txHashes lists the hashes of b's transactions, in order.
func txHashes(b *Block) []common.Hash {
	out := make([]common.Hash, len(b.Txs))
	for i, t := range b.Txs {
		out[i] = t.Hash()
	}
	return out
}
