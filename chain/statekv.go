package chain

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
	bolt "go.etcd.io/bbolt"
)

// errKVNotFound is what go-ethereum's stores return for a missing key; the
// trie code only checks for a non-nil error.
var errKVNotFound = errors.New("not found")

// stateKV is the ethdb.KeyValueStore that go-ethereum's state and trie code
// writes to. Writes are held in memory until the next block commit, which
// makes them the block's layer; a layer reaches the file in the bbolt
// transaction of a later block (statelayers.go), so after a crash the file
// holds the state of a recent block and Open re-executes the blocks after
// it.
type stateKV struct {
	db *bolt.DB

	mu      sync.RWMutex
	pending map[string][]byte // nil value: deleted

	layers    []*stateLayer           // committed blocks' changes not on disk, oldest first
	recent    map[string]recentValue  // every key of layers, with its newest value
	recentTxs map[common.Hash]txPlace // the index entries of layers' blocks and of writing's

	writing    *stateLayer // the layer of the block being written, until settle or reset
	layerBytes int         // the layers' size as stateLayerBytes counts it
	budget     int         // bound on layerBytes (0: stateLayerBytes)
}

func newStateKV(db *bolt.DB) *stateKV {
	return &stateKV{db: db, pending: map[string][]byte{}}
}

func (s *stateKV) Has(key []byte) (bool, error) {
	v, err := s.Get(key)
	if errors.Is(err, errKVNotFound) {
		return false, nil
	}
	return v != nil, err
}

func (s *stateKV) Get(key []byte) ([]byte, error) {
	s.mu.RLock()
	v, ok := s.pending[string(key)]
	if !ok {
		var rv recentValue
		rv, ok = s.recent[string(key)]
		v = rv.v
	}
	s.mu.RUnlock()
	if ok {
		if v == nil {
			return nil, errKVNotFound
		}
		return bytes.Clone(v), nil
	}
	var out []byte
	err := boltView(s.db, func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketState).Get(key); v != nil {
			out = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errKVNotFound
	}
	return out, nil
}

func (s *stateKV) Put(key, value []byte) error {
	s.mu.Lock()
	s.pending[string(key)] = bytes.Clone(value)
	s.mu.Unlock()
	return nil
}

func (s *stateKV) Delete(key []byte) error {
	s.mu.Lock()
	s.pending[string(key)] = nil
	s.mu.Unlock()
	return nil
}

func (s *stateKV) DeleteRange(start, end []byte) error {
	it := s.NewIterator(nil, start)
	defer it.Release()
	for it.Next() {
		if end != nil && bytes.Compare(it.Key(), end) >= 0 {
			break
		}
		if err := s.Delete(it.Key()); err != nil {
			return err
		}
	}
	return it.Error()
}

// flush writes the pending changes into tx's state bucket. The caller
// calls discard after tx committed.
func (s *stateKV) flush(tx *bolt.Tx) error {
	b := tx.Bucket(bucketState)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for k, v := range s.pending {
		if err := putOrDelete(b, []byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

// flushCounted writes a layer's changes through r: a trie node (a
// 32-byte key) not yet stored is written and its children gain a
// reference; one already stored is the same node (its key is its hash)
// and changes nothing. Other keys, contract code, are written as they
// are. Keys go in order, which keeps bbolt's page writes together; all
// new nodes are stored before any reference is counted, so that a node
// born in this block starts from none.
func (s *stateKV) flushCounted(r *refCounter, nodes map[string][]byte) error {
	keys := make([]string, 0, len(nodes))
	for k := range nodes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(r.counts) == 0 {
		r.counts = make(map[common.Hash]uint64, len(keys))
	}
	var born [][]byte
	for _, k := range keys {
		key, v := []byte(k), nodes[k]
		if len(key) != common.HashLength || v == nil {
			if err := putOrDelete(r.state, key, v); err != nil {
				return err
			}
			continue
		}
		if r.state.Get(key) != nil {
			continue
		}
		if err := r.state.Put(key, v); err != nil {
			return err
		}
		r.born(common.BytesToHash(key))
		born = append(born, v)
	}
	for _, v := range born {
		children, err := trieChildren(v)
		if err != nil {
			return fmt.Errorf("new trie node %x: %w", crypto.Keccak256(v), err)
		}
		for _, c := range children {
			if err := r.add(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func putOrDelete(b *bolt.Bucket, k, v []byte) error {
	if v == nil {
		return b.Delete(k)
	}
	return b.Put(k, v)
}

// reset forgets the pending changes: after a successful commit they are on
// disk, after a failed one they must not leak into the next block.
func (s *stateKV) reset() {
	s.mu.Lock()
	// Sized for a block like the last: growing the map node by node cost a
	// tenth of a full block's commit.
	s.pending = make(map[string][]byte, len(s.pending))
	if s.writing != nil {
		s.forgetTxs(s.writing)
		s.writing = nil
	}
	s.mu.Unlock()
}

func (s *stateKV) Stat() (string, error)             { return "bbolt state", nil }
func (s *stateKV) SyncKeyValue() error               { return nil }
func (s *stateKV) Compact(start, limit []byte) error { return nil }
func (s *stateKV) Close() error                      { return nil }

func (s *stateKV) NewBatch() ethdb.Batch { return &stateBatch{kv: s} }

func (s *stateKV) NewBatchWithSize(int) ethdb.Batch { return &stateBatch{kv: s} }

// NewIterator returns the keys with prefix, from start, merging the
// layers and then the pending changes over the stored ones. It copies
// what it returns: go-ethereum only iterates state on rare maintenance
// paths.
func (s *stateKV) NewIterator(prefix, start []byte) ethdb.Iterator {
	first := append(bytes.Clone(prefix), start...)
	merged := map[string][]byte{}
	err := boltView(s.db, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketState).Cursor()
		for k, v := c.Seek(first); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			merged[string(k)] = bytes.Clone(v)
		}
		return nil
	})
	s.mu.RLock()
	for k, rv := range s.recent {
		if bytes.HasPrefix([]byte(k), prefix) && k >= string(first) {
			merged[k] = rv.v
		}
	}
	for k, v := range s.pending {
		if bytes.HasPrefix([]byte(k), prefix) && k >= string(first) {
			merged[k] = v
		}
	}
	s.mu.RUnlock()
	it := &sliceIterator{pos: -1, err: err}
	for k, v := range merged {
		if v != nil {
			it.keys = append(it.keys, []byte(k))
		}
	}
	sort.Slice(it.keys, func(i, j int) bool { return bytes.Compare(it.keys[i], it.keys[j]) < 0 })
	for _, k := range it.keys {
		it.values = append(it.values, merged[string(k)])
	}
	return it
}

type sliceIterator struct {
	keys, values [][]byte
	pos          int
	err          error
}

func (it *sliceIterator) Next() bool {
	if it.err != nil || it.pos+1 >= len(it.keys) {
		it.pos = len(it.keys)
		return false
	}
	it.pos++
	return true
}
func (it *sliceIterator) Error() error { return it.err }
func (it *sliceIterator) Key() []byte {
	if it.pos < 0 || it.pos >= len(it.keys) {
		return nil
	}
	return it.keys[it.pos]
}
func (it *sliceIterator) Value() []byte {
	if it.pos < 0 || it.pos >= len(it.values) {
		return nil
	}
	return it.values[it.pos]
}
func (it *sliceIterator) Release() {}

// stateBatch buffers writes and applies them to the pending set on Write.
type stateBatch struct {
	kv   *stateKV
	ops  []batchOp
	size int
}

type batchOp struct {
	key, value []byte
	del        bool
}

func (b *stateBatch) Put(key, value []byte) error {
	b.ops = append(b.ops, batchOp{key: bytes.Clone(key), value: bytes.Clone(value)})
	b.size += len(key) + len(value)
	return nil
}

func (b *stateBatch) Delete(key []byte) error {
	b.ops = append(b.ops, batchOp{key: bytes.Clone(key), del: true})
	b.size += len(key)
	return nil
}

func (b *stateBatch) DeleteRange(start, end []byte) error {
	return b.kv.DeleteRange(start, end)
}

func (b *stateBatch) ValueSize() int { return b.size }

func (b *stateBatch) Write() error {
	b.kv.mu.Lock()
	defer b.kv.mu.Unlock()
	for _, op := range b.ops {
		if op.del {
			b.kv.pending[string(op.key)] = nil
		} else {
			b.kv.pending[string(op.key)] = op.value
		}
	}
	return nil
}

func (b *stateBatch) Reset() { b.ops, b.size = b.ops[:0], 0 }

func (b *stateBatch) Replay(w ethdb.KeyValueWriter) error {
	for _, op := range b.ops {
		var err error
		if op.del {
			err = w.Delete(op.key)
		} else {
			err = w.Put(op.key, op.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *stateBatch) Close() {}
