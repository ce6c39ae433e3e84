package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	lru "github.com/hashicorp/golang-lru/v2"
	bolt "go.etcd.io/bbolt"
)

// ErrNotFound is returned for blocks, transactions and receipts the store
// does not have.
var ErrNotFound = errors.New("not found")

var (
	bucketMeta     = []byte("meta")     // head, finalized, genesis hash
	bucketBlocks   = []byte("blocks")   // height → block
	bucketHashes   = []byte("hashes")   // block hash → height
	bucketCommits  = []byte("commits")  // height → commit that finalized it
	bucketReceipts = []byte("receipts") // height → receipts (storage form)
	bucketTxs      = []byte("txs")      // tx hash → height ‖ index
	bucketState    = []byte("state")    // trie nodes and contract code

	allBuckets = [][]byte{bucketMeta, bucketBlocks, bucketHashes, bucketCommits, bucketReceipts, bucketTxs, bucketState}

	keyHead      = []byte("head")
	keyFinalized = []byte("finalized")
	keyGenesis   = []byte("genesis")
	keyVersion   = []byte("version")
)

// storeVersion is the layout of the bbolt file; a file of another version is
// refused rather than misread.
const storeVersion = 1

// Store keeps blocks, commits, receipts, the transaction index and the state
// in one bbolt file. Everything a block changes is written in one bbolt
// transaction, so a crash leaves the store at the last committed block.
type Store struct {
	db     *bolt.DB
	kv     *stateKV
	blocks *lru.Cache[uint64, *Block]
}

// OpenStore opens (or creates) the store file at path.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create store directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        2 * time.Second,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: locked by another process (is a node already running with this home?)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w (the file is damaged or not a Cairn store; move it aside to start over)", path, err)
	}
	s := &Store{db: db, kv: newStateKV(db)}
	s.blocks, _ = lru.New[uint64, *Block](256)
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta != nil {
			v := meta.Get(keyVersion)
			if len(v) != 8 || binary.BigEndian.Uint64(v) != storeVersion {
				return fmt.Errorf("store layout version %x is not %d", v, storeVersion)
			}
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, u64(storeVersion))
	})
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store's file.
func (s *Store) Path() string { return s.db.Path() }

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func readU64(v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("corrupt store: %d-byte integer", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// Head returns the height of the last committed block; ok is false for an
// empty store.
func (s *Store) Head() (height uint64, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyHead)
		if v == nil {
			return nil
		}
		ok = true
		height, err = readU64(v)
		return err
	})
	return height, ok, err
}

// Finalized returns the height of the last finalized block.
func (s *Store) Finalized() (uint64, error) {
	var h uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyFinalized)
		if v == nil {
			return nil
		}
		var err error
		h, err = readU64(v)
		return err
	})
	return h, err
}

// GenesisHash returns the hash of the stored genesis block.
func (s *Store) GenesisHash() (common.Hash, error) {
	var h common.Hash
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyGenesis)
		if v == nil {
			return ErrNotFound
		}
		h = common.BytesToHash(v)
		return nil
	})
	return h, err
}

// BlockByHeight returns the block at a height.
func (s *Store) BlockByHeight(height uint64) (*Block, error) {
	if b, ok := s.blocks.Get(height); ok {
		return b, nil
	}
	var b *Block
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketBlocks).Get(u64(height))
		if data == nil {
			return ErrNotFound
		}
		b = new(Block)
		return b.UnmarshalBinary(data)
	})
	if err != nil {
		return nil, fmt.Errorf("load block %d: %w", height, err)
	}
	s.blocks.Add(height, b)
	return b, nil
}

// HeightByHash returns the height of the block with this hash.
func (s *Store) HeightByHash(hash common.Hash) (uint64, error) {
	var h uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketHashes).Get(hash[:])
		if v == nil {
			return ErrNotFound
		}
		var err error
		h, err = readU64(v)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("look up block %x: %w", hash, err)
	}
	return h, nil
}

// CommitAt returns the commit that finalized the block at height.
func (s *Store) CommitAt(height uint64) (*Commit, error) {
	var c *Commit
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketCommits).Get(u64(height))
		if data == nil {
			return ErrNotFound
		}
		c = new(Commit)
		return rlp.DecodeBytes(data, c)
	})
	if err != nil {
		return nil, fmt.Errorf("load commit %d: %w", height, err)
	}
	return c, nil
}

// rawReceipts returns the consensus fields of a block's receipts; the
// caller derives the rest from the block.
func (s *Store) rawReceipts(height uint64) ([]*types.ReceiptForStorage, error) {
	var rs []*types.ReceiptForStorage
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketReceipts).Get(u64(height))
		if data == nil {
			return ErrNotFound
		}
		return rlp.DecodeBytes(data, &rs)
	})
	if err != nil {
		return nil, fmt.Errorf("load receipts %d: %w", height, err)
	}
	return rs, nil
}

// TxLocation returns where a transaction was included.
func (s *Store) TxLocation(hash common.Hash) (height uint64, index uint32, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTxs).Get(hash[:])
		if v == nil {
			return ErrNotFound
		}
		if len(v) != 12 {
			return fmt.Errorf("corrupt store: tx index entry is %d bytes", len(v))
		}
		height, index = binary.BigEndian.Uint64(v), binary.BigEndian.Uint32(v[8:])
		return nil
	})
	return height, index, err
}

// writeBlock stores a block, the commit that finalized it, its receipts,
// its transaction index entries and the state changes pending in the state
// store, and moves head and finalized to it — all in one bbolt transaction.
func (s *Store) writeBlock(b *Block, commit *Commit, receipts []*types.Receipt, genesis bool) error {
	data, err := b.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode block %d: %w", b.Height(), err)
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
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := s.kv.flush(tx); err != nil {
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
		for _, p := range puts {
			if err := tx.Bucket(p.bucket).Put(p.k, p.v); err != nil {
				return err
			}
		}
		txs := tx.Bucket(bucketTxs)
		for i, t := range b.Txs {
			loc := make([]byte, 12)
			binary.BigEndian.PutUint64(loc, height)
			binary.BigEndian.PutUint32(loc[8:], uint32(i))
			h := t.Hash()
			if err := txs.Put(h[:], loc); err != nil {
				return err
			}
		}
		return nil
	})
	s.kv.reset()
	if err != nil {
		return fmt.Errorf("write block %d: %w", height, err)
	}
	s.blocks.Add(height, b)
	return nil
}
