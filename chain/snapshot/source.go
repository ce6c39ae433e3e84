package snapshot

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/triedb/database"
)

// kvNodes reads hash-scheme trie nodes (keyed by their hash) from a
// key-value store. It is the trie.New database of a Server built with
// NewKVServer and of the tests that reopen a rebuilt trie.
type kvNodes struct{ kv ethdb.KeyValueReader }

// NodeReader implements database.NodeDatabase.
func (n kvNodes) NodeReader(common.Hash) (database.NodeReader, error) { return n, nil }

// Node implements database.NodeReader: the hash scheme ignores owner and
// path. A missing node is an empty blob, which the trie reports as missing.
func (n kvNodes) Node(_ common.Hash, _ []byte, hash common.Hash) ([]byte, error) {
	return rawdb.ReadLegacyTrieNode(n.kv, hash), nil
}
