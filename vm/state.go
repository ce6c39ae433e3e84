package vm

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/hashdb"
)

// StateDatabase is the world state kept as Merkle-Patricia tries (hash
// scheme) in a key-value store. Tries committed with Commit are written to
// the store; the store decides when those writes become durable.
type StateDatabase struct {
	trie  *triedb.Database
	state state.Database
}

// NewStateDatabase opens the state over kv. cleanCacheBytes sizes the
// in-memory cache of trie nodes (0 disables it).
func NewStateDatabase(kv ethdb.KeyValueStore, cleanCacheBytes int) *StateDatabase {
	tdb := triedb.NewDatabase(rawdb.NewDatabase(kv), &triedb.Config{
		HashDB: &hashdb.Config{CleanCacheSize: cleanCacheBytes},
	})
	return &StateDatabase{trie: tdb, state: state.NewDatabase(tdb, state.NewCodeDB(kv))}
}

// Open returns a mutable view of the state at root.
func (d *StateDatabase) Open(root common.Hash) (*state.StateDB, error) {
	st, err := state.New(root, d.state)
	if err != nil {
		return nil, fmt.Errorf("open state %x: %w", root, err)
	}
	return st, nil
}

// Has reports whether the state with this root is fully available to open
// (its root node is stored).
func (d *StateDatabase) Has(root common.Hash) bool {
	if root == types.EmptyRootHash {
		return true
	}
	_, err := state.New(root, d.state)
	if err != nil {
		return false
	}
	reader, err := d.trie.NodeReader(root)
	if err != nil {
		return false
	}
	blob, err := reader.Node(common.Hash{}, nil, root)
	return err == nil && len(blob) > 0
}

// Commit writes the state changes of st (which must have been opened from
// this database) and flushes every trie node of the new root to the
// key-value store. It returns the new state root.
func (d *StateDatabase) Commit(st *state.StateDB, rules params.Rules, number uint64) (common.Hash, error) {
	root, err := st.Commit(rules, number)
	if err != nil {
		return common.Hash{}, fmt.Errorf("commit state of block %d: %w", number, err)
	}
	if err := d.trie.Commit(root, false); err != nil {
		return common.Hash{}, fmt.Errorf("flush state %x of block %d: %w", root, number, err)
	}
	return root, nil
}

// Close releases the trie caches.
func (d *StateDatabase) Close() error { return d.trie.Close() }
