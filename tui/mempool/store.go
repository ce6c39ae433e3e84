package mempool

import (
	"encoding/binary"
	"math/big"
	"sort"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// entry is one pending transaction the screen keeps. It is also its own
// node in the sorted order (left, right, n, prio).
type entry struct {
	hash    common.Hash
	from    common.Address
	to      *common.Address
	nonce   uint64
	value   *big.Int
	tip     *big.Int
	arrival int64  // unix ms when first seen (now − AgeMs for a fetched one)
	seq     uint64 // order in which the screen learnt of it
	size    int    // encoded bytes (estimated for one seen only as an event)
	queued  bool
	own     bool   // from or to one of the wallet's accounts
	gone    bool   // removed: its eviction slot is stale
	hex     *hexes // its strings as drawn, made the first time it is shown

	left, right *entry
	n           int
	prio        uint64
}

// store is the screen's copy of the mempool: a hash index, the sorted
// rows, and an oldest-first queue for eviction. Every event costs O(log n);
// nothing is ever re-sorted except when the user picks another column.
type store struct {
	byHash map[common.Hash]*entry
	rows   order
	fifo   []*entry // eviction order, oldest first; gone and own ones are skipped
	head   int
	limit  int
	seq    uint64
	col    column
	rev    bool
	counts api.MempoolCounts // the node's totals: last fetch, moved by events
	own    map[common.Address]bool

	// sel is the selected transaction; when it leaves, lostAt is the index
	// it had, so the cursor can take the row that takes its place (-1: it
	// did not leave).
	sel    common.Hash
	lostAt int
}

func newStore(limit int) *store {
	s := &store{byHash: make(map[common.Hash]*entry, limit), limit: limit, own: map[common.Address]bool{}, lostAt: -1}
	s.rows.cmp = comparator(byAge, false)
	return s
}

func (s *store) len() int { return s.rows.len() }

// total is the number of transactions in the node's mempool as far as the
// screen knows, never less than it keeps.
func (s *store) total() int { return max(s.counts.Pending+s.counts.Queued, s.len()) }

// add keeps e unless its hash is known; over the limit the oldest entry
// that is not the user's goes.
func (s *store) add(e *entry) bool {
	if _, ok := s.byHash[e.hash]; ok {
		return false
	}
	s.seq++
	e.seq = s.seq
	e.prio = binary.BigEndian.Uint64(e.hash[24:])
	e.own = s.own[e.from] || (e.to != nil && s.own[*e.to])
	s.byHash[e.hash] = e
	s.rows.insert(e)
	s.fifo = append(s.fifo, e)
	for s.len() > s.limit && s.evictOldest() {
	}
	return true
}

// remove forgets a transaction; it returns the entry, or nil if unknown.
func (s *store) remove(h common.Hash) *entry {
	e, ok := s.byHash[h]
	if !ok {
		return nil
	}
	if h == s.sel {
		s.lostAt = s.rows.rank(e)
	}
	delete(s.byHash, h)
	s.rows.remove(e)
	e.gone = true
	return e
}

// evictOldest drops the oldest kept entry that is not the user's; it
// reports false when there is none.
func (s *store) evictOldest() bool {
	for s.head < len(s.fifo) {
		e := s.fifo[s.head]
		s.fifo[s.head] = nil
		s.head++
		if s.head > 64 && s.head > len(s.fifo)/2 {
			n := copy(s.fifo, s.fifo[s.head:])
			clear(s.fifo[n:])
			s.fifo, s.head = s.fifo[:n], 0
		}
		if !e.gone && !e.own {
			s.remove(e.hash)
			return true
		}
	}
	return false
}

// onTx keeps a newly admitted transaction seen at now (unix ms).
func (s *store) onTx(tx *api.Tx, now int64) {
	if tx == nil {
		return
	}
	e := &entry{hash: tx.Hash, from: tx.From, to: tx.To, nonce: tx.Nonce, value: asInt(tx.Value),
		tip: tipOf(tx), arrival: now, size: estimateSize(tx)}
	if s.add(e) {
		s.counts.Pending++
		s.counts.Bytes += e.size
	}
}

// onGone accounts for a transaction that left the mempool (dropped or
// included).
func (s *store) onGone(h common.Hash) {
	e := s.remove(h)
	switch {
	case e == nil:
		s.counts.Pending = max(s.counts.Pending-1, 0)
	case e.queued:
		s.counts.Queued = max(s.counts.Queued-1, 0)
	default:
		s.counts.Pending = max(s.counts.Pending-1, 0)
	}
	if e != nil {
		s.counts.Bytes = max(s.counts.Bytes-e.size, 0)
	}
}

// snapshot merges a fetched mempool: its counts replace the screen's, its
// transactions the screen lacks are added (oldest first, so eviction keeps
// the newest), and, when the list is complete, transactions the screen
// learnt of before asking (seq ≤ asked) that the node no longer holds are
// removed. Transactions seen after asking stay: the answer may predate them.
func (s *store) snapshot(mp *api.Mempool, now int64, asked uint64) {
	s.counts = api.MempoolCounts{Pending: mp.Pending, Queued: mp.Queued, Bytes: mp.Bytes}
	txs := make([]*api.MempoolTx, len(mp.Transactions))
	for i := range mp.Transactions {
		txs[i] = &mp.Transactions[i]
	}
	sort.SliceStable(txs, func(i, j int) bool { return txs[i].AgeMs > txs[j].AgeMs })
	held := make(map[common.Hash]bool, len(txs))
	for _, t := range txs {
		held[t.Hash] = true
		if e, ok := s.byHash[t.Hash]; ok {
			e.queued, e.size = t.Queued, t.Size
			continue
		}
		s.add(&entry{hash: t.Hash, from: t.From, to: t.To, nonce: t.Nonce, value: asInt(t.Value),
			tip: asInt(t.GasTipCap), arrival: now - max(t.AgeMs, 0), size: t.Size, queued: t.Queued})
	}
	if mp.Truncated {
		return
	}
	for h, e := range s.byHash {
		if e.seq <= asked && !held[h] {
			s.remove(h)
		}
	}
}

// setOwn marks the entries from or to the given addresses as the user's.
func (s *store) setOwn(own map[common.Address]bool) {
	s.own = own
	for _, e := range s.byHash {
		e.own = own[e.from] || (e.to != nil && own[*e.to])
	}
}

// setSort re-sorts the rows by a column.
func (s *store) setSort(c column, reversed bool) {
	s.col, s.rev = c, reversed
	all := make([]*entry, 0, s.len())
	s.rows.each(func(e *entry) { all = append(all, e) })
	s.rows.rebuild(comparator(c, reversed), all)
}

// tipOf is what a transaction offers its proposer per gas: the priority
// fee cap of an EIP-1559 transaction, else the gas price.
func tipOf(tx *api.Tx) *big.Int {
	if tx.MaxPriorityFeePerGas != nil {
		return asInt(tx.MaxPriorityFeePerGas)
	}
	return asInt(tx.GasPrice)
}

// asInt views an API amount as a big.Int without copying; nil stays nil.
func asInt(v *api.Amount) *big.Int { return (*big.Int)(v) }
