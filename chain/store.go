package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync/atomic"
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
	bucketSets     = []byte("valsets")  // first height a validator set validates → set

	allBuckets = [][]byte{bucketMeta, bucketBlocks, bucketHashes, bucketCommits, bucketReceipts, bucketTxs, bucketState, bucketSets, bucketRefs, bucketRoots, bucketAnchor}

	keyHead      = []byte("head")
	keyFinalized = []byte("finalized")
	keyGenesis   = []byte("genesis")
	keyVersion   = []byte("version")
)

// storeVersion is the layout of the bbolt file; a file of another version is
// refused rather than misread. Version 2 added the validator sets and the
// header's next-set hash.
const storeVersion = 2

// Store keeps blocks, commits, receipts, the transaction index and the state
// in one bbolt file. Everything a block changes is written in one bbolt
// transaction, so a crash leaves the store at the last committed block.
type Store struct {
	db     *bolt.DB
	kv     *stateKV
	blocks *blockCache
	// receiptsOK holds, by height, the CRC-32C of receipts bytes that
	// passed checkReceipts: the same bytes read again need not be checked
	// again (a tx lookup reads its block's receipts each time).
	receiptsOK *lru.Cache[uint64, uint32]
	broken     atomic.Pointer[error] // set when a failed write could not be rolled back

	window    uint64        // states kept before the head; 0 keeps all
	counted   bool          // the store counts trie node references (see prune.go)
	stateFrom atomic.Uint64 // the lowest height whose state is kept
	base      atomic.Uint64 // the first block after genesis held (see store_base.go)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// storeLockTimeout is how long OpenStore waits for another process to
// let go of the file.
var storeLockTimeout = 2 * time.Second

// storeMmapSize is the address space a store maps from the start. It is
// only address space: the kernel reads pages in as they are used, and the
// file grows as data is written, not to this size.
const storeMmapSize = 1 << 30

// OpenStore opens (or creates) the store file at path, pruning state with
// the default window. An existing file's pages are checked first
// (checkStoreFile): a damaged or cut-short file is an error wrapping
// ErrStoreDamaged, not a crash inside bbolt.
func OpenStore(path string) (*Store, error) { return OpenStoreWith(path, StoreOptions{}) }

// OpenStoreWith is OpenStore keeping state as opts say.
func OpenStoreWith(path string, opts StoreOptions) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create store directory: %w", err)
	}
	if err := checkStoreFile(path); err != nil {
		return nil, err
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		// The free list is persisted: bbolt reads its page at open rather
		// than walking every page (a file written without one gets it
		// rebuilt once, then written). The array kind, not the hash map:
		// it loads faster, and its lowest-first allocation keeps finding
		// room for the free list's own pages each commit, where the hash
		// map's fragmented the file and grew it (BenchmarkOpenStore).
		//
		// The map starts at storeMmapSize so that it rarely grows: a
		// remap waits for every open read, stalls new ones, and first
		// copies everything the write has touched out of the old map (a
		// full block's state nodes).
		db, err = bolt.Open(path, 0o600, &bolt.Options{
			Timeout:         storeLockTimeout,
			NoFreelistSync:  false,
			FreelistType:    bolt.FreelistArrayType,
			InitialMmapSize: storeMmapSize,
		})
		return err
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, lockedError(path)
	}
	if errors.Is(err, ErrStoreDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w (the file is damaged or not a Cairn store; move it aside to start over)", path, err)
	}
	s := &Store{db: db, kv: newStateKV(db), window: opts.StateWindow}
	if s.window == 0 {
		s.window = DefaultStateWindow
	}
	if opts.Archive {
		s.window = 0
	}
	s.blocks = newBlockCache(blockCacheBytes)
	s.receiptsOK, _ = lru.New[uint64, uint32](1024)
	if err := s.init(); err != nil {
		if s.broken.Load() == nil {
			db.Close() // not s.Close: a store that did not open is not marked closed cleanly
		}
		if errors.Is(err, ErrStoreDamaged) {
			return nil, err
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init() error {
	return s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta != nil {
			v := meta.Get(keyVersion)
			if len(v) != 8 || binary.BigEndian.Uint64(v) != storeVersion {
				return fmt.Errorf("store layout version %x is not %d: it was written by another version of Cairn; move it aside (or use another --home) to start over", v, storeVersion)
			}
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta = tx.Bucket(bucketMeta)
		if meta.Get(keyHead) == nil && meta.Get(keyStateFrom) == nil {
			// A new store counts references from its first block on.
			if err := meta.Put(keyStateFrom, u64(0)); err != nil {
				return err
			}
		}
		if v := meta.Get(keyBase); v != nil {
			base, err := s.readU64("the first block held", v)
			if err != nil {
				return err
			}
			s.base.Store(base)
		}
		v := meta.Get(keyStateFrom)
		if v == nil {
			s.window = 0 // written before pruning existed: it keeps all state
			return meta.Put(keyVersion, u64(storeVersion))
		}
		from, err := s.readU64("the lowest height with state", v)
		if err != nil {
			return err
		}
		s.counted = true
		s.stateFrom.Store(from)
		return meta.Put(keyVersion, u64(storeVersion))
	})
}

// Counted reports whether the store counts trie node references, which
// pruning needs; a store written before pruning existed does not, and
// keeps every state whatever its options.
func (s *Store) Counted() bool { return s.counted }

// Close closes the file. A store left broken by a write that could not be
// rolled back is not closed (bbolt would wait for that write forever): its
// damage is returned, and the file is let go when the process ends.
func (s *Store) Close() error {
	if err := s.broken.Load(); err != nil {
		return *err
	}
	path := s.db.Path() // "" once closed
	if err := s.db.Close(); err != nil || path == "" {
		return err
	}
	// A marker of the file as closed lets the next open skip the walk of
	// every page (see checkStoreFile).
	if err := markClean(path); err != nil {
		return fmt.Errorf("store %s closed, but its clean-close marker could not be written (the next open checks the whole file): %w", path, err)
	}
	return nil
}

// Path is the store's file.
func (s *Store) Path() string { return s.db.Path() }

func (s *Store) view(fn func(*bolt.Tx) error) error { return boltView(s.db, fn) }

// update runs fn in a write transaction and commits it, as bbolt's Update
// does, in guard. If fn fails or something panics, the transaction is
// rolled back only after the file passed walkPages: with NoFreelistSync,
// bbolt's rollback re-walks every page in a goroutine of its own, where a
// damaged page kills the process. A transaction that cannot be rolled back
// is left open, and the store refuses all further writes with the damage.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	if err := s.broken.Load(); err != nil {
		return *err
	}
	var open *bolt.Tx
	err := guard(s.db.Path(), func() error {
		tx, err := s.db.Begin(true)
		if err != nil {
			return err
		}
		open = tx
		if err := fn(tx); err != nil {
			return err
		}
		err = tx.Commit() // on an error, Commit has rolled back itself
		open = nil
		return err
	})
	if open != nil {
		if rerr := s.rollback(open); rerr != nil {
			s.broken.Store(&rerr)
			return rerr
		}
	}
	return err
}

func (s *Store) rollback(tx *bolt.Tx) error {
	path := s.db.Path()
	return guard(path, func() error {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("roll back a failed write: %w", err)
		}
		defer f.Close()
		switch err := walkPages(f, nil); {
		case errors.Is(err, errNoValidMeta):
			return damaged(path, "neither meta page is valid")
		case err != nil:
			return damaged(path, "%v", err)
		}
		return tx.Rollback()
	})
}

// damaged is the error for damage found in this store's file.
func (s *Store) damaged(format string, args ...any) error {
	return damaged(s.db.Path(), format, args...)
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// readU64 reads an 8-byte integer the store wrote; what names it for the
// error if it is not 8 bytes.
func (s *Store) readU64(what string, v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, s.damaged("%s is a %d-byte integer", what, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// Head returns the height of the last committed block; ok is false for an
// empty store.
func (s *Store) Head() (height uint64, ok bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyHead)
		if v == nil {
			return nil
		}
		ok = true
		height, err = s.readU64("the head height", v)
		return err
	})
	return height, ok, err
}

// Finalized returns the height of the last finalized block.
func (s *Store) Finalized() (uint64, error) {
	var h uint64
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyFinalized)
		if v == nil {
			return nil
		}
		var err error
		h, err = s.readU64("the finalized height", v)
		return err
	})
	return h, err
}

// GenesisHash returns the hash of the stored genesis block.
func (s *Store) GenesisHash() (common.Hash, error) {
	var h common.Hash
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyGenesis)
		if v == nil {
			return ErrNotFound
		}
		h = common.BytesToHash(v)
		return nil
	})
	return h, err
}

// BlockByHeight returns the block at a height. A block read from the file
// (not the cache of blocks already read or written) is checked against
// what it is committed to; see checkBlock.
func (s *Store) BlockByHeight(height uint64) (*Block, error) {
	if b, ok := s.blocks.get(height); ok {
		return b, nil
	}
	var (
		b    *Block
		size int
	)
	err := s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketBlocks).Get(u64(height))
		if data == nil {
			if height > 0 && height < s.Base() {
				return s.beforeBase(height)
			}
			return ErrNotFound
		}
		size = len(data)
		b = new(Block)
		if err := b.UnmarshalBinary(data); err != nil {
			return s.damaged("block %d: %v", height, err)
		}
		return s.checkBlock(tx, height, b)
	})
	if errors.Is(err, ErrStoreDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("load block %d: %w", height, err)
	}
	s.blocks.add(height, b, size)
	return b, nil
}

// checkBlock checks a block just read from the file at height: its header
// hash is the one the hash index records for this height (and the stored
// commit's, if one is stored), and its transactions, last commit and
// evidence are those its header commits to. So a damaged byte anywhere in
// the block is an error, never a different block or transaction under the
// same hash.
func (s *Store) checkBlock(tx *bolt.Tx, height uint64, b *Block) error {
	if b.Height() != height {
		return s.damaged("block %d: the block stored at this height is block %d", height, b.Height())
	}
	hash := b.Hash()
	switch v := tx.Bucket(bucketHashes).Get(hash[:]); {
	case v == nil:
		return s.damaged("block %d: its hash %x is not in the block hash index (its header is damaged)", height, hash)
	case len(v) != 8 || binary.BigEndian.Uint64(v) != height:
		return s.damaged("block %d: the block hash index puts its hash %x at height %x", height, hash, v)
	}
	if data := tx.Bucket(bucketCommits).Get(u64(height)); data != nil {
		var c Commit
		if err := rlp.DecodeBytes(data, &c); err != nil {
			return s.damaged("block %d: its commit: %v", height, err)
		}
		if c.BlockHash != hash {
			return s.damaged("block %d: its hash %x is not the one its stored commit finalized (%x)", height, hash, c.BlockHash)
		}
	}
	if TxRoot(b.Txs) != b.Header.TxRoot {
		return s.damaged("block %d: its transactions do not match the header's transactions root", height)
	}
	if CommitHash(b.LastCommit) != b.Header.LastCommitHash {
		return s.damaged("block %d: its last commit does not match the header's last commit hash", height)
	}
	if EvidenceHash(b.Evidence) != b.Header.EvidenceHash {
		return s.damaged("block %d: its evidence does not match the header's evidence hash", height)
	}
	return nil
}

// HeightByHash returns the height of the block with this hash. The block
// at that height must have this hash.
func (s *Store) HeightByHash(hash common.Hash) (uint64, error) {
	var h uint64
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketHashes).Get(hash[:])
		if v == nil {
			return ErrNotFound
		}
		var err error
		h, err = s.readU64(fmt.Sprintf("the height of block %x", hash), v)
		return err
	})
	if errors.Is(err, ErrStoreDamaged) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("look up block %x: %w", hash, err)
	}
	b, err := s.BlockByHeight(h)
	if errors.Is(err, ErrNotFound) {
		return 0, s.damaged("block %d: the block hash index puts block %x there, but no block is stored at it", h, hash)
	}
	if err != nil {
		return 0, err
	}
	if b.Hash() != hash {
		return 0, s.damaged("block %d: the block hash index puts block %x there, but block %x is", h, hash, b.Hash())
	}
	return h, nil
}

// CommitAt returns the commit that finalized the block at height.
func (s *Store) CommitAt(height uint64) (*Commit, error) {
	var c *Commit
	err := s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketCommits).Get(u64(height))
		if data == nil {
			return ErrNotFound
		}
		c = new(Commit)
		if err := rlp.DecodeBytes(data, c); err != nil {
			return s.damaged("commit %d: %v", height, err)
		}
		if c.Height != height {
			return s.damaged("commit %d: the commit stored at this height is for height %d", height, c.Height)
		}
		if v := tx.Bucket(bucketHashes).Get(c.BlockHash[:]); len(v) != 8 || binary.BigEndian.Uint64(v) != height {
			return s.damaged("commit %d: it finalizes block %x, which is not the block stored at this height", height, c.BlockHash)
		}
		return nil
	})
	if errors.Is(err, ErrStoreDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("load commit %d: %w", height, err)
	}
	return c, nil
}

// rawReceipts returns the consensus fields of a block's receipts; the
// caller derives the rest from the block. They are checked against the
// receipts root of the block at height, unless the very same bytes passed
// that check before.
func (s *Store) rawReceipts(height uint64) ([]*types.ReceiptForStorage, error) {
	var (
		rs  []*types.ReceiptForStorage
		sum uint32
	)
	err := s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketReceipts).Get(u64(height))
		if data == nil {
			return ErrNotFound
		}
		sum = crc32.Checksum(data, castagnoli)
		if err := rlp.DecodeBytes(data, &rs); err != nil {
			return s.damaged("receipts of block %d: %v", height, err)
		}
		return nil
	})
	if errors.Is(err, ErrStoreDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("load receipts %d: %w", height, err)
	}
	if v, ok := s.receiptsOK.Get(height); ok && v == sum {
		return rs, nil
	}
	b, err := s.BlockByHeight(height)
	if err != nil {
		return nil, err
	}
	if err := s.checkReceipts(b, rs); err != nil {
		return nil, err
	}
	s.receiptsOK.Add(height, sum)
	return rs, nil
}

// checkReceipts checks receipts read from the file against the receipts
// root of their block's header (if it carries one). The storage form lacks
// two fields the root covers, type and bloom; they are filled in here from
// the block's transactions and the logs, as DeriveFields would.
func (s *Store) checkReceipts(b *Block, rs []*types.ReceiptForStorage) error {
	if b.Header.ReceiptRoot == (common.Hash{}) {
		return nil
	}
	if len(rs) != len(b.Txs) {
		return s.damaged("block %d: %d receipts are stored for its %d transactions", b.Height(), len(rs), len(b.Txs))
	}
	full := make([]*types.Receipt, len(rs))
	for i, r := range rs {
		r.Type = b.Txs[i].Type()
		r.Bloom = types.CreateBloom((*types.Receipt)(r))
		full[i] = (*types.Receipt)(r)
	}
	if ReceiptRoot(full) != b.Header.ReceiptRoot {
		return s.damaged("block %d: its receipts do not match the header's receipts root", b.Height())
	}
	return nil
}

// TxLocation returns where a transaction was included. The transaction
// there must have this hash.
func (s *Store) TxLocation(hash common.Hash) (height uint64, index uint32, err error) {
	p, recent := s.kv.recentTx(hash)
	if recent {
		height, index = p.height, p.index
	} else if height, index, err = s.txLocationOnDisk(hash); err != nil {
		return 0, 0, err
	}
	b, err := s.BlockByHeight(height)
	if errors.Is(err, ErrNotFound) && recent {
		return 0, 0, ErrNotFound // its block's write has not committed yet
	}
	if errors.Is(err, ErrNotFound) {
		return 0, 0, s.damaged("block %d: the transaction index puts transaction %x there, but no block is stored at it", height, hash)
	}
	if err != nil {
		return 0, 0, err
	}
	if int(index) >= len(b.Txs) || b.Txs[index].Hash() != hash {
		return 0, 0, s.damaged("block %d: the transaction index puts transaction %x at position %d, where the block has another", height, hash, index)
	}
	return height, index, nil
}

// txLocationOnDisk reads a transaction's index entry from the file.
func (s *Store) txLocationOnDisk(hash common.Hash) (height uint64, index uint32, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTxs).Get(hash[:])
		if v == nil {
			return ErrNotFound
		}
		if len(v) != 12 {
			return s.damaged("transaction %x: its index entry is %d bytes", hash, len(v))
		}
		height, index = binary.BigEndian.Uint64(v), binary.BigEndian.Uint32(v[8:])
		return nil
	})
	return height, index, err
}

// ValidatorSetAt returns the validator set that validates the block at
// height: the last one stored at or below it.
func (s *Store) ValidatorSetAt(height uint64) (*ValidatorSet, error) {
	var set *ValidatorSet
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSets).Cursor()
		k, v := c.Seek(u64(height))
		if k == nil || binary.BigEndian.Uint64(k) != height {
			k, v = c.Prev()
		}
		if k == nil {
			return ErrNotFound
		}
		var err error
		if set, err = decodeValidatorSet(v); err != nil {
			return s.damaged("validator set from block %x: %v", k, err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrStoreDamaged) {
		return nil, fmt.Errorf("validator set of block %d: %w", height, err)
	}
	return set, err
}
