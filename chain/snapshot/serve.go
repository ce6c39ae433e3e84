package snapshot

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb/database"
)

const (
	// defaultMaxBytes is the size of the entries of an answer that did not
	// ask for less: it leaves room below MaxChunkBytes for the proof.
	defaultMaxBytes = 512 << 10
	// maxEntryBytesServed bounds what a server answers whatever is asked.
	maxEntryBytesServed = MaxChunkBytes - 128<<10
)

// ErrUnavailable is wrapped by a Server's error for state it does not hold.
var ErrUnavailable = errors.New("snapshot: state not available")

// Server answers snapshot requests from the trie nodes of stored state.
// It only reads, and is safe for concurrent use if its stores are. Which
// roots it is asked for (a recent finalized one) is its caller's policy.
type Server struct {
	nodes database.NodeDatabase
	code  ethdb.KeyValueReader
}

// NewServer serves the tries of nodes (a *triedb.Database of the hash
// scheme satisfies it) and the code kept in code under rawdb's code keys.
func NewServer(nodes database.NodeDatabase, code ethdb.KeyValueReader) *Server {
	return &Server{nodes: nodes, code: code}
}

// NewKVServer serves a key-value store that holds hash-scheme trie nodes
// keyed by hash and code under rawdb's code keys (the store of
// vm.NewStateDatabase).
func NewKVServer(kv ethdb.KeyValueReader) *Server {
	return &Server{nodes: kvNodes{kv}, code: kv}
}

// Serve answers req.
func (s *Server) Serve(req *Request) (*Chunk, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	switch req.Kind {
	case KindAccounts:
		tr, err := s.open(trie.StateTrieID(req.Root))
		if err != nil {
			return nil, err
		}
		return serveRange(tr, req, func(v []byte) ([]byte, error) {
			acc, err := types.FullAccount(v)
			if err != nil {
				return nil, err
			}
			return types.SlimAccountRLP(*acc), nil
		})
	case KindStorage:
		acc, err := s.account(req.Root, req.Account)
		if err != nil {
			return nil, err
		}
		tr, err := s.open(trie.StorageTrieID(req.Root, req.Account, acc.Root))
		if err != nil {
			return nil, err
		}
		return serveRange(tr, req, nil)
	default:
		return s.serveCode(req)
	}
}

func (s *Server) open(id *trie.ID) (*trie.Trie, error) {
	tr, err := trie.New(id, s.nodes)
	if err != nil {
		return nil, fmt.Errorf("%w: trie %x: %v", ErrUnavailable, id.Root, err)
	}
	return tr, nil
}

func (s *Server) account(root, hash common.Hash) (*types.StateAccount, error) {
	tr, err := s.open(trie.StateTrieID(root))
	if err != nil {
		return nil, err
	}
	blob, err := tr.Get(hash[:])
	if err != nil {
		return nil, fmt.Errorf("%w: account %x of state %x: %v", ErrUnavailable, hash, root, err)
	}
	if len(blob) == 0 {
		return nil, fmt.Errorf("%w: no account %x in state %x", ErrUnavailable, hash, root)
	}
	acc, err := types.FullAccount(blob)
	if err != nil {
		return nil, fmt.Errorf("account %x of state %x: %w", hash, root, err)
	}
	return acc, nil
}

// serveRange returns the leaves of tr from req.Origin up to req.Limit
// (plus the first one past it, which proves the range ends there) within
// the request's bounds, with the proof of the origin and the last key. An
// answer holding the whole trie from the zero origin carries no proof.
func serveRange(tr *trie.Trie, req *Request, conv func([]byte) ([]byte, error)) (*Chunk, error) {
	maxBytes := req.MaxBytes
	if maxBytes == 0 || maxBytes > maxEntryBytesServed {
		maxBytes = min(defaultMaxBytes, maxEntryBytesServed)
	}
	nit, err := tr.NodeIterator(req.Origin[:])
	if err != nil {
		return nil, fmt.Errorf("%w: iterate %s: %v", ErrUnavailable, req.Kind, err)
	}
	it := trie.NewIterator(nit)
	var (
		c     = new(Chunk)
		size  uint64
		whole = true // the iterator ran off the end of the trie
	)
	for it.Next() {
		if (req.MaxEntries != 0 && uint64(len(c.Entries)) >= req.MaxEntries) || size >= maxBytes {
			whole = false
			break
		}
		e := Entry{Key: common.BytesToHash(it.Key), Value: bytes.Clone(it.Value)}
		if conv != nil {
			if e.Value, err = conv(it.Value); err != nil {
				return nil, fmt.Errorf("%s entry %x: %w", req.Kind, e.Key, err)
			}
		}
		c.Entries = append(c.Entries, e)
		size += e.size()
		if e.Key.Cmp(req.Limit) > 0 {
			whole = false
			break
		}
	}
	if it.Err != nil {
		return nil, fmt.Errorf("%w: iterate %s: %v", ErrUnavailable, req.Kind, it.Err)
	}
	if whole && req.Origin == (common.Hash{}) {
		return c, nil
	}
	p := newProofSet()
	if err := tr.Prove(req.Origin[:], p); err != nil {
		return nil, fmt.Errorf("prove %s origin %x: %w", req.Kind, req.Origin, err)
	}
	if n := len(c.Entries); n > 0 {
		if err := tr.Prove(c.Entries[n-1].Key[:], p); err != nil {
			return nil, fmt.Errorf("prove %s key %x: %w", req.Kind, c.Entries[n-1].Key, err)
		}
	}
	c.Proof = p.nodes
	return c, nil
}

func (s *Server) serveCode(req *Request) (*Chunk, error) {
	c := new(Chunk)
	var size uint64
	for _, h := range req.Hashes {
		code := rawdb.ReadCode(s.code, h)
		if len(code) == 0 {
			return nil, fmt.Errorf("%w: code %x", ErrUnavailable, h)
		}
		if size+uint64(len(code)) > maxEntryBytesServed && len(c.Entries) > 0 {
			break
		}
		c.Entries = append(c.Entries, Entry{Key: h, Value: code})
		size += uint64(len(code)) + 36
	}
	return c, nil
}

// proofSet collects proof nodes once each, in the order proved.
type proofSet struct {
	mu    sync.Mutex
	seen  map[common.Hash]bool
	nodes [][]byte
}

func newProofSet() *proofSet { return &proofSet{seen: map[common.Hash]bool{}} }

// Put implements ethdb.KeyValueWriter.
func (p *proofSet) Put(key, value []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := common.BytesToHash(key)
	if !p.seen[h] {
		p.seen[h] = true
		p.nodes = append(p.nodes, bytes.Clone(value))
	}
	return nil
}

// Delete implements ethdb.KeyValueWriter.
func (p *proofSet) Delete([]byte) error { return nil }

// proofReader is a verifier's view of a chunk's proof nodes, keyed by
// their hash.
type proofReader map[common.Hash][]byte

func newProofReader(nodes [][]byte) proofReader {
	r := make(proofReader, len(nodes))
	for _, n := range nodes {
		r[crypto.Keccak256Hash(n)] = n
	}
	return r
}

// Has implements ethdb.KeyValueReader.
func (r proofReader) Has(key []byte) (bool, error) {
	_, ok := r[common.BytesToHash(key)]
	return ok, nil
}

// Get implements ethdb.KeyValueReader.
func (r proofReader) Get(key []byte) ([]byte, error) {
	if len(key) != common.HashLength {
		return nil, errors.New("proof node key is not a hash")
	}
	v, ok := r[common.BytesToHash(key)]
	if !ok {
		return nil, errors.New("proof node missing")
	}
	return v, nil
}
