package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	bolt "go.etcd.io/bbolt"
)

// State pruning.
//
// Trie nodes are stored by hash, so one node can serve many tries: the same
// subtree under two blocks' roots, two storage tries with equal contents.
// A node may be deleted only when no kept state reaches it, and the store
// knows that by counting: refs[n] is the number of stored trie nodes that
// refer to n (an account leaf refers to its storage root), plus the number
// of kept block heights whose state root is n. A block's commit adds its
// new nodes and their references, gives its root one reference, and takes
// the reference of the oldest kept root once it falls out of the window; a
// node whose count reaches zero is deleted and its children lose one
// reference each. All of it happens in the bbolt transaction that writes
// the block, so a crash at any moment leaves counts and nodes consistent.
//
// Contract code is stored by hash beside the trie nodes and never deleted:
// it is small, and shared by every contract deployed with the same code.

// DefaultStateWindow is how many blocks' states before the head a pruning
// store keeps.
const DefaultStateWindow = 128

// releaseBudget bounds how many old roots one block commit lets go: a
// store switched from --archive to pruning catches up a few heights per
// block instead of in one huge transaction.
const releaseBudget = 32

// ErrStatePruned is returned for the state of a block older than the
// store's window.
var ErrStatePruned = errors.New("state pruned")

var (
	bucketRefs  = []byte("staterefs")  // trie node hash → references (uvarint), if more than one
	bucketRoots = []byte("stateroots") // height → state root, for each kept height
	// keyStateFrom is the lowest height whose state is kept; its presence
	// also says the store counts references (stores written before
	// pruning existed do not, and keep all state).
	keyStateFrom = []byte("statefrom")
)

// StoreOptions are how a store keeps state. The zero value prunes with
// DefaultStateWindow.
type StoreOptions struct {
	// StateWindow is how many blocks before the head keep their state
	// (0: DefaultStateWindow).
	StateWindow uint64
	// Archive keeps every block's state; references are still counted,
	// so the same store can prune later.
	Archive bool
}

// refCounter applies one block's changes to the reference counts, in the
// write transaction tx. Counts are read from the file once and then held
// in counts until write. Most stored nodes have exactly one reference (a
// leaf under its branch), and for those no count is stored: a stored node
// without one has one reference, which keeps the counts a small part of
// the file.
type refCounter struct {
	s      *Store
	state  *bolt.Bucket
	refs   *bolt.Bucket
	counts map[common.Hash]uint64
}

func (s *Store) newRefCounter(tx *bolt.Tx) *refCounter {
	return &refCounter{s: s, state: tx.Bucket(bucketState), refs: tx.Bucket(bucketRefs), counts: map[common.Hash]uint64{}}
}

func (r *refCounter) count(h common.Hash) (uint64, error) {
	if n, ok := r.counts[h]; ok {
		return n, nil
	}
	v := r.refs.Get(h[:])
	if v == nil {
		if r.state.Get(h[:]) != nil {
			return 1, nil
		}
		return 0, nil
	}
	n, size := binary.Uvarint(v)
	if size != len(v) || n < 2 {
		return 0, r.s.damaged("reference count of trie node %x is not a number above 1", h)
	}
	return n, nil
}

// born records a node just stored: nothing refers to it yet.
func (r *refCounter) born(h common.Hash) { r.counts[h] = 0 }

func (r *refCounter) add(h common.Hash) error {
	n, err := r.count(h)
	if err != nil {
		return err
	}
	r.counts[h] = n + 1
	return nil
}

// release takes one reference from the node h and deletes what is left
// with none, depth first.
func (r *refCounter) release(h common.Hash) error {
	stack := []common.Hash{h}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, err := r.count(h)
		if err != nil {
			return err
		}
		if n == 0 {
			return r.s.damaged("trie node %x lost a reference it did not have", h)
		}
		r.counts[h] = n - 1
		if n > 1 {
			continue
		}
		blob := r.state.Get(h[:])
		if blob == nil {
			return r.s.damaged("trie node %x is missing while still referenced", h)
		}
		children, err := trieChildren(blob)
		if err != nil {
			return r.s.damaged("trie node %x: %v", h, err)
		}
		if err := r.state.Delete(h[:]); err != nil {
			return err
		}
		stack = append(stack, children...)
	}
	return nil
}

// write stores the changed counts, in key order for bbolt's sake.
func (r *refCounter) write() error {
	keys := make([]common.Hash, 0, len(r.counts))
	for h := range r.counts {
		keys = append(keys, h)
	}
	slices.SortFunc(keys, func(a, b common.Hash) int { return bytes.Compare(a[:], b[:]) })
	for _, h := range keys {
		var err error
		if n := r.counts[h]; n < 2 {
			err = r.refs.Delete(h[:]) // none, or the one a stored node goes without
		} else {
			// bbolt holds keys and values until the commit: each its own.
			err = r.refs.Put(bytes.Clone(h[:]), binary.AppendUvarint(nil, n))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stateWrite is what writeState put in a block's transaction, for the
// store to settle in memory once the transaction commits.
type stateWrite struct {
	from    uint64      // the lowest height whose state is kept
	next    *stateLayer // the block's own changes (nil: written as they were)
	flushed int         // how many layers, oldest first and next last, were written
}

// writeState writes what the state needs for the block at height, with
// state root root, in tx: the layers that must leave memory (toFlush),
// their new trie nodes with their references and their roots, and, on a
// pruning store, the release of the roots that left the window.
func (s *Store) writeState(tx *bolt.Tx, height uint64, root common.Hash, txs []common.Hash) (stateWrite, error) {
	from := s.StateFrom()
	if !s.counted {
		// A store from before pruning: no counts, keeps all, writes all.
		if err := writeTxIndex(tx, height, txs); err != nil {
			return stateWrite{}, err
		}
		return stateWrite{from: from}, s.kv.flush(tx)
	}
	next := s.kv.layerOf(height, root, txs)
	flush := s.kv.toFlush(next, s.layersKept())
	r := s.newRefCounter(tx)
	if err := s.writeLayers(tx, r, flush); err != nil {
		return stateWrite{}, err
	}
	// Every height released here is below the window, so its layer was
	// written (at most layersKept layers stay in memory).
	roots := tx.Bucket(bucketRoots)
	if s.window > 0 {
		for i := 0; i < releaseBudget && from+s.window < height; i++ {
			if err := s.releaseRoot(r, roots, from); err != nil {
				return stateWrite{}, err
			}
			from++
		}
	}
	if err := r.write(); err != nil {
		return stateWrite{}, err
	}
	w := stateWrite{from: from, next: next, flushed: len(flush)}
	return w, tx.Bucket(bucketMeta).Put(keyStateFrom, u64(from))
}

// writeLayers writes layers, oldest first, in tx through r: their trie
// nodes with their references, each one's root as a kept height, and its
// block's transaction index entries.
func (s *Store) writeLayers(tx *bolt.Tx, r *refCounter, layers []*stateLayer) error {
	roots := tx.Bucket(bucketRoots)
	for _, l := range layers {
		if err := s.kv.flushCounted(r, l.nodes); err != nil {
			return err
		}
		if err := writeTxIndex(tx, l.height, l.txs); err != nil {
			return err
		}
		if l.root != types.EmptyRootHash {
			if err := r.add(l.root); err != nil {
				return err
			}
		}
		if err := roots.Put(u64(l.height), l.root[:]); err != nil {
			return err
		}
	}
	return nil
}

// writeTxIndex stores where each of the transactions of the block at
// height is, by hash.
func writeTxIndex(tx *bolt.Tx, height uint64, txs []common.Hash) error {
	b := tx.Bucket(bucketTxs)
	for i, h := range txs {
		loc := make([]byte, 12)
		binary.BigEndian.PutUint64(loc, height)
		binary.BigEndian.PutUint32(loc[8:], uint32(i))
		if err := b.Put(h[:], loc); err != nil {
			return err
		}
	}
	return nil
}

// layersKept is how many blocks' layers may stay in memory: the window (a
// pruning store needs the window's oldest state on disk, under the
// layers). An archive store writes every state with its block: it keeps
// them all on disk anyway, and layers would only make its restarts
// re-execute blocks.
func (s *Store) layersKept() int {
	return int(s.window)
}

// settleState ends a block's state write in memory: after a committed
// transaction the written layers leave memory and the block's joins them;
// after a failed one, the block's changes are forgotten and the layers
// are as they were.
func (s *Store) settleState(w stateWrite, err error) {
	if err != nil || w.next == nil {
		s.kv.reset()
		return
	}
	s.kv.settle(w.next, w.flushed)
}

// releaseRoot takes the reference the block at height holds on its root.
func (s *Store) releaseRoot(r *refCounter, roots *bolt.Bucket, height uint64) error {
	v := roots.Get(u64(height))
	if v == nil {
		return nil // a height written before the store counted (genesis of an upgraded store)
	}
	if len(v) != common.HashLength {
		return s.damaged("state root of block %d is %d bytes", height, len(v))
	}
	if root := common.BytesToHash(v); root != types.EmptyRootHash {
		if err := r.release(root); err != nil {
			return fmt.Errorf("prune the state of block %d: %w", height, err)
		}
	}
	return roots.Delete(u64(height))
}

// StateFrom is the lowest height whose state the store keeps (0 for an
// archive store).
func (s *Store) StateFrom() uint64 { return s.stateFrom.Load() }

// StateWindow is how many blocks before the head keep their state; 0 for
// an archive store.
func (s *Store) StateWindow() uint64 { return s.window }

// checkStateKept returns ErrStatePruned, wrapped with the way out, for a
// height whose state this store no longer holds.
func (s *Store) checkStateKept(height uint64) error {
	from := s.StateFrom()
	if height >= from {
		return nil
	}
	return fmt.Errorf("state of block %d: %w: this node keeps the state of blocks %d and later (the last %d); ask an archive node (cairn node --archive) for older state",
		height, ErrStatePruned, from, s.window)
}
