package mempool

import (
	"container/heap"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// Update moves the pool to a new head after a block is committed: st and
// baseFee describe the new head. For every sender it drops transactions
// whose nonce is below the account nonce (included, or superseded by
// another transaction), drops from the first transaction the new balance
// can no longer cover (counting the sender's earlier transactions) to the
// sender's last, and promotes queued transactions whose gap is now filled.
//
// Transactions whose fee cap is below a risen base fee stay in the pool
// (they become selectable again if the base fee falls, and rank first for
// eviction). Update asks st about every sender while holding the lock.
// A nil st is ignored.
func (p *Pool) Update(st State, baseFee *big.Int) {
	if st == nil {
		return
	}
	var removed []removal
	p.mu.Lock()
	p.state = st
	setU256(&p.baseFee, baseFee)
	for addr, acc := range p.accounts {
		l0, p0 := len(acc.txs), acc.pending
		acc.nonce = st.Nonce(addr)
		acc.setBalance(st.Balance(addr))

		stale := sort.Search(len(acc.txs), func(i int) bool { return acc.txs[i].nonce >= acc.nonce })
		for i := 0; i < stale; i++ {
			removed = append(removed, p.forget(acc, acc.txs[i], DropStale))
			acc.txs[i] = nil
		}
		acc.txs = acc.txs[stale:]

		if acc.cost.Gt(&acc.balance) {
			var sum uint256.Int
			cut := len(acc.txs)
			for i, e := range acc.txs {
				if _, overflow := sum.AddOverflow(&sum, &e.cost); overflow || sum.Gt(&acc.balance) {
					cut = i
					break
				}
			}
			for i := cut; i < len(acc.txs); i++ {
				removed = append(removed, p.forget(acc, acc.txs[i], DropUnfundable))
				acc.txs[i] = nil
			}
			acc.txs = acc.txs[:cut]
		}

		acc.recomputePending()
		p.recount(l0, p0, acc)
		if len(acc.txs) == 0 {
			delete(p.accounts, addr)
		}
	}
	// The base fee and many tails changed: rebuild the eviction order.
	clear(p.evict.items)
	p.evict.items = p.evict.items[:0]
	for _, acc := range p.accounts {
		acc.heapIdx = len(p.evict.items)
		p.evict.items = append(p.evict.items, acc)
	}
	heap.Init(&p.evict)
	p.mu.Unlock()
	p.notifyRemoved(removed)
}

// forget drops e, which the caller is cutting out of acc.txs, from the
// pool's index and totals. Caller holds mu.
func (p *Pool) forget(acc *account, e *txEntry, reason string) removal {
	delete(p.all, e.hash)
	p.bytes -= e.size
	p.mem -= e.mem
	acc.cost.Sub(&acc.cost, &e.cost)
	return removal{e, reason}
}

// Remove drops the transaction with the given hash, for example one that
// overran the proposer's time bound; the sender's later nonces move back
// to queued. reason is passed to Config.OnRemove. It reports whether the
// transaction was pooled.
func (p *Pool) Remove(hash common.Hash, reason string) bool {
	p.mu.Lock()
	e, ok := p.all[hash]
	if !ok {
		p.mu.Unlock()
		return false
	}
	acc := p.accounts[e.from]
	idx, _ := acc.find(e.nonce)
	p.removeAt(acc, idx)
	p.mu.Unlock()
	p.notifyRemoved([]removal{{e, reason}})
	return true
}
