package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	bolt "go.etcd.io/bbolt"
)

// A store that started from a snapshot holds genesis, then the blocks from
// its base (the snapshot's pivot) on; the blocks between are not stored.
// In their place it keeps the headers an anchor needs (the 256 before the
// base, for BLOCKHASH, and the set changes with their commits, to prove
// the base to other new nodes) in bucketAnchor.

var (
	bucketAnchor = []byte("anchor") // height → anchorEntry, for heights below the base
	keyBase      = []byte("base")   // the height the store started from; absent for a store that replayed
)

// anchorEntry is a header kept below the base, with its commit if it ends
// a validator set.
type anchorEntry struct {
	Header *Header
	Commit []*Commit // none or one
}

// ErrBeforeBase is wrapped for a block this node does not hold because it
// started from a snapshot after it.
var ErrBeforeBase = errors.New("before this node's first block")

// Base is the height the store started from: 0 for a store that holds
// every block, the snapshot's height for one that started from a snapshot.
func (s *Store) Base() uint64 { return s.base.Load() }

// beforeBase wraps ErrNotFound for a block below the base, saying why.
func (s *Store) beforeBase(height uint64) error {
	return fmt.Errorf("block %d: %w: %w: this node started from a snapshot at block %d; ask a node that replayed the chain (cairn node --sync full)",
		height, ErrNotFound, ErrBeforeBase, s.Base())
}

// headerAt returns the header at height and the commit stored for it (nil
// if none): from the block, or from the anchor entries below the base.
func (s *Store) headerAt(height uint64) (*Header, *Commit, error) {
	if h, err := s.blockHeader(height); err == nil {
		c, err := s.CommitAt(height)
		if errors.Is(err, ErrNotFound) {
			return h, nil, nil
		}
		return h, c, err
	} else if !errors.Is(err, ErrNotFound) {
		return nil, nil, err
	}
	var e anchorEntry
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketAnchor).Get(u64(height))
		if v == nil {
			return ErrNotFound
		}
		if err := rlp.DecodeBytes(v, &e); err != nil || e.Header == nil || e.Header.Height != height {
			return s.damaged("anchor header %d: %v", height, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("header %d: %w", height, err)
	}
	if len(e.Commit) == 1 {
		return e.Header, e.Commit[0], nil
	}
	return e.Header, nil, nil
}

// blockHeader reads only the header of the stored block at height (an
// anchor reads hundreds of them; their bodies may be megabytes), checked
// against the block hash index.
func (s *Store) blockHeader(height uint64) (*Header, error) {
	if b, ok := s.blocks.get(height); ok {
		return b.Header, nil
	}
	var h Header
	err := s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketBlocks).Get(u64(height))
		if data == nil {
			return ErrNotFound
		}
		// A block is a list whose first item is the header.
		_, content, _, err := rlp.Split(data)
		if err != nil {
			return s.damaged("block %d: %v", height, err)
		}
		_, _, rest, err := rlp.Split(content)
		if err != nil {
			return s.damaged("block %d: header: %v", height, err)
		}
		if err := rlp.DecodeBytes(content[:len(content)-len(rest)], &h); err != nil {
			return s.damaged("block %d: header: %v", height, err)
		}
		hash := h.Hash()
		if v := tx.Bucket(bucketHashes).Get(hash[:]); len(v) != 8 || binary.BigEndian.Uint64(v) != height {
			return s.damaged("block %d: its header's hash %x is not the one the hash index holds for it", height, hash)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("header %d: %w", height, err)
	}
	return &h, nil
}

// setFirsts lists the first heights of the stored validator sets, up to
// and including upTo.
func (s *Store) setFirsts(upTo uint64) ([]uint64, error) {
	var out []uint64
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSets).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			h := binary.BigEndian.Uint64(k)
			if h > upTo {
				break
			}
			out = append(out, h)
		}
		return nil
	})
	return out, err
}

// writeBase makes the store start at a's pivot, whose state is in the
// state bucket already (SnapshotWriter): it counts the references of every
// stored trie node afresh, deletes what the pivot's state does not reach
// (the genesis state), and stores the pivot as head with what a needs, all
// in one bbolt transaction. Before it commits, the store's head is still
// genesis; after, the pivot.
func (s *Store) writeBase(a *TrustedAnchor) error {
	b := a.Block
	data, err := b.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode block %d: %w", b.Height(), err)
	}
	cdata, err := rlp.EncodeToBytes(a.Commit)
	if err != nil {
		return err
	}
	height, hash, root := b.Height(), b.Hash(), b.Header.StateRoot
	err = s.update(func(tx *bolt.Tx) error {
		if err := s.recountState(tx, root); err != nil {
			return fmt.Errorf("count the snapshot's references: %w", err)
		}
		if err := s.putAnchorEntries(tx, a); err != nil {
			return err
		}
		key := u64(height)
		puts := []struct{ bucket, k, v []byte }{
			{bucketBlocks, key, data},
			{bucketHashes, hash[:], key},
			{bucketCommits, key, cdata},
			{bucketMeta, keyHead, key},
			{bucketMeta, keyFinalized, key},
			{bucketMeta, keyBase, key},
			{bucketMeta, keyStateFrom, key},
			{bucketRoots, key, bytes.Clone(root[:])},
		}
		for _, p := range puts {
			if err := tx.Bucket(p.bucket).Put(p.k, p.v); err != nil {
				return err
			}
		}
		firsts := make([]uint64, 0, len(a.Sets))
		for f := range a.Sets {
			firsts = append(firsts, f)
		}
		slices.Sort(firsts)
		for _, f := range firsts {
			sdata, err := a.Sets[f].encode()
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketSets).Put(u64(f), sdata); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("start the store at block %d: %w", height, err)
	}
	s.base.Store(height)
	s.stateFrom.Store(height)
	s.blocks.add(height, b, len(data))
	return nil
}

// putAnchorEntries stores the headers below the base that an anchor needs.
func (s *Store) putAnchorEntries(tx *bolt.Tx, a *TrustedAnchor) error {
	entries := map[uint64]*anchorEntry{}
	for _, h := range a.Recent {
		entries[h.Height] = &anchorEntry{Header: h}
	}
	for _, c := range a.Proofs {
		entries[c.Header.Height] = &anchorEntry{Header: c.Header, Commit: []*Commit{c.Commit}}
	}
	heights := make([]uint64, 0, len(entries))
	for h := range entries {
		heights = append(heights, h)
	}
	slices.Sort(heights)
	bucket := tx.Bucket(bucketAnchor)
	for _, h := range heights {
		v, err := rlp.EncodeToBytes(entries[h])
		if err != nil {
			return err
		}
		if err := bucket.Put(u64(h), v); err != nil {
			return err
		}
	}
	return nil
}

// recountState sets the reference counts of the state bucket from scratch
// for a store whose only kept state is root: every stored trie node's
// references from the others, plus one for root. Nodes nothing reaches
// from root (an earlier state, or what an interrupted download left) are
// deleted, and what only they reached after them. The kept roots are
// dropped; the caller stores root's.
func (s *Store) recountState(tx *bolt.Tx, root common.Hash) error {
	state := tx.Bucket(bucketState)
	if state.Get(root[:]) == nil {
		return fmt.Errorf("the state root %x is not stored", root)
	}
	for _, name := range [][]byte{bucketRefs, bucketRoots} {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	r := s.newRefCounter(tx)
	r.counts[root] = 1
	err := state.ForEach(func(k, v []byte) error {
		if len(k) != common.HashLength {
			return nil // contract code
		}
		h := common.BytesToHash(k)
		if _, ok := r.counts[h]; !ok {
			r.counts[h] = 0
		}
		children, err := trieChildren(v)
		if err != nil {
			return s.damaged("trie node %x: %v", k, err)
		}
		for _, c := range children {
			r.counts[c]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Delete what nothing reaches, and then what only that reached.
	var stack []common.Hash
	for h, n := range r.counts {
		if n == 0 {
			stack = append(stack, h)
		}
	}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		delete(r.counts, h)
		blob := state.Get(h[:])
		if blob == nil {
			continue // referenced only from deleted nodes, and never stored
		}
		children, err := trieChildren(blob)
		if err != nil {
			return s.damaged("trie node %x: %v", h, err)
		}
		if err := state.Delete(h[:]); err != nil {
			return err
		}
		for _, c := range children {
			if r.counts[c]--; r.counts[c] == 0 {
				stack = append(stack, c)
			}
		}
	}
	for h := range r.counts {
		if state.Get(h[:]) == nil {
			return fmt.Errorf("trie node %x of the state is referenced but not stored", h)
		}
	}
	return r.write()
}
