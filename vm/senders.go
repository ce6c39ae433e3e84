package vm

import (
	"errors"
	"math/big"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// DefaultSenderCacheBytes is the memory budget of the sender cache that
// NewExecutor gives its signer: about 277,000 senders, more than the
// mempool holds at its default limits.
const DefaultSenderCacheBytes = 32 << 20

// senderEntryBytes is what one cached sender is accounted at: the 32-byte
// hash and 20-byte address stored inline in a map slot (52 bytes), the
// map's control byte, its load factor (at most 7/8 full) and the rounding
// of a preallocated table to a power-of-two number of groups, which can
// leave it just over half full. TestSenderCacheByteBound measures it.
const senderEntryBytes = 2 * (52 + 1) * 8 / 7

// senderShards is the number of independently locked parts of the cache,
// so recovery workers on several cores rarely wait for each other.
const senderShards = 16

// CachingSigner is a types.Signer that remembers the sender of every
// transaction it recovers, keyed by the transaction hash, so a
// transaction seen again in another decoded copy (admitted from the API,
// gossiped by a peer, then executed in a block a peer proposed) is
// recovered once. The hash covers the signature and the chain ID, so it
// determines the sender under one inner signer. Failed recoveries are not
// remembered. The cache is bounded in bytes; the oldest half of a shard
// is dropped when it fills. It is safe for concurrent use.
type CachingSigner struct {
	inner  types.Signer
	shards [senderShards]senderShard
}

// senderShard holds two generations of senders: lookups consult both,
// inserts go to cur, and when cur is full old is dropped and cur becomes
// old. A hit in old moves the entry to cur, so senders in use survive.
type senderShard struct {
	mu  sync.Mutex
	cur map[common.Hash]common.Address
	old map[common.Hash]common.Address
	cap int // entries per generation
}

// NewCachingSigner wraps inner with a sender cache of at most maxBytes
// (DefaultSenderCacheBytes when maxBytes is 0 or less).
func NewCachingSigner(inner types.Signer, maxBytes int) *CachingSigner {
	if maxBytes <= 0 {
		maxBytes = DefaultSenderCacheBytes
	}
	perGen := maxBytes / (2 * senderShards * senderEntryBytes)
	if perGen < 1 {
		perGen = 1
	}
	s := &CachingSigner{inner: inner}
	for i := range s.shards {
		s.shards[i].cap = perGen
	}
	return s
}

// Inner returns the signer that does the recovery.
func (s *CachingSigner) Inner() types.Signer { return s.inner }

// MaxEntries is the most senders the cache holds at once.
func (s *CachingSigner) MaxEntries() int { return 2 * senderShards * s.shards[0].cap }

// Len is the number of senders held now.
func (s *CachingSigner) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.cur) + len(sh.old)
		sh.mu.Unlock()
	}
	return n
}

func (s *CachingSigner) shard(h common.Hash) *senderShard {
	return &s.shards[h[0]%senderShards]
}

// Sender returns the sender of tx, from the cache when its hash is known
// and by recovery otherwise.
func (s *CachingSigner) Sender(tx *types.Transaction) (common.Address, error) {
	h := tx.Hash()
	sh := s.shard(h)
	if from, ok := sh.get(h); ok {
		return from, nil
	}
	from, err := s.inner.Sender(tx)
	if err != nil {
		return common.Address{}, err
	}
	sh.put(h, from)
	return from, nil
}

func (sh *senderShard) get(h common.Hash) (common.Address, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if from, ok := sh.cur[h]; ok {
		return from, true
	}
	from, ok := sh.old[h]
	if ok {
		delete(sh.old, h)
		sh.putLocked(h, from)
	}
	return from, ok
}

func (sh *senderShard) put(h common.Hash, from common.Address) {
	sh.mu.Lock()
	sh.putLocked(h, from)
	sh.mu.Unlock()
}

func (sh *senderShard) putLocked(h common.Hash, from common.Address) {
	if sh.cur == nil {
		sh.cur = make(map[common.Hash]common.Address, sh.cap)
	}
	if _, ok := sh.cur[h]; !ok && len(sh.cur) >= sh.cap {
		sh.old, sh.cur = sh.cur, make(map[common.Hash]common.Address, sh.cap)
	}
	sh.cur[h] = from
}

// ChainID returns the inner signer's chain ID.
func (s *CachingSigner) ChainID() *big.Int { return s.inner.ChainID() }

// SignatureValues is the inner signer's.
func (s *CachingSigner) SignatureValues(tx *types.Transaction, sig []byte) (r, sv, v *big.Int, err error) {
	return s.inner.SignatureValues(tx, sig)
}

// Hash is the inner signer's signing hash.
func (s *CachingSigner) Hash(tx *types.Transaction) common.Hash { return s.inner.Hash(tx) }

// Equal reports whether other recovers as the inner signer does, whether
// or not it caches: go-ethereum's per-transaction cache in types.Sender
// compares signers with it, so a sender cached through the plain signer
// is used by this one and the other way round.
func (s *CachingSigner) Equal(other types.Signer) bool {
	if c, ok := other.(*CachingSigner); ok {
		other = c.inner
	}
	return s.inner.Equal(other)
}

// errNilTx is what RecoverSenders reports for a nil transaction.
var errNilTx = errors.New("nil transaction")

// recoverSlots bounds the recovery workers of every RecoverSenders call in
// the process to one per core: concurrent batches (32 API requests at
// once) queue for a slot instead of putting dozens of CPU-bound goroutines
// on the run queues, where everything else the process does (consensus
// timeouts, the console's frames) would wait behind them.
var recoverSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// recoverChunk is how many transactions a worker takes at a time: large
// enough that the shared counter is not contended, small enough that the
// workers finish together.
const recoverChunk = 16

// RecoverSenders recovers the sender of every transaction with signer
// (through types.Sender, so each transaction object remembers it, and a
// CachingSigner remembers it by hash) across runtime.GOMAXPROCS(0)
// workers. froms[i] and errs[i] are the sender and error of txs[i]; errs
// is nil when every recovery succeeded. Small batches are recovered on the
// calling goroutine.
func RecoverSenders(signer types.Signer, txs []*types.Transaction) (froms []common.Address, errs []error) {
	froms = make([]common.Address, len(txs))
	var failed atomic.Bool
	errAt := make([]error, len(txs))
	one := func(i int) {
		tx := txs[i]
		if tx == nil {
			errAt[i] = errNilTx
			failed.Store(true)
			return
		}
		from, err := types.Sender(signer, tx)
		if err != nil {
			errAt[i] = err
			failed.Store(true)
			return
		}
		froms[i] = from
	}
	workers := min(runtime.GOMAXPROCS(0), (len(txs)+recoverChunk-1)/recoverChunk)
	if workers <= 1 {
		for i := range txs {
			one(i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				recoverSlots <- struct{}{}
				defer func() { <-recoverSlots }()
				for {
					start := int(next.Add(recoverChunk)) - recoverChunk
					if start >= len(txs) {
						return
					}
					for i := start; i < min(start+recoverChunk, len(txs)); i++ {
						one(i)
					}
				}
			}()
		}
		wg.Wait()
	}
	if failed.Load() {
		errs = errAt
	}
	return froms, errs
}
