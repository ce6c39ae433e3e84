package mempool

import (
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// account is one sender's transactions, kept sorted by nonce.
//
// Every held nonce is >= nonce (the account nonce at the head). The first
// pending transactions are contiguous from nonce (txs[i].nonce == nonce+i)
// and selectable; the rest sit behind a gap and are queued.
type account struct {
	addr    common.Address
	nonce   uint64      // account nonce at the head
	balance uint256.Int // balance at the head, saturated at 2^256-1
	txs     []*txEntry  // sorted by nonce, all >= nonce
	pending int         // txs[:pending] are contiguous from nonce
	cost    uint256.Int // sum of txs' cost; never above some admitted balance

	heapIdx int // position in the eviction heap, -1 when absent
	planned int // tail transactions marked by an eviction dry run
}

// find returns the index of nonce in txs, or where it would be inserted.
func (a *account) find(nonce uint64) (int, bool) {
	i := sort.Search(len(a.txs), func(i int) bool { return a.txs[i].nonce >= nonce })
	return i, i < len(a.txs) && a.txs[i].nonce == nonce
}

// nextNonce is the nonce that would extend the pending run.
func (a *account) nextNonce() uint64 {
	return a.nonce + uint64(a.pending)
}

// recomputePending finds the length of the run contiguous from nonce.
// Nonces are sorted, unique and >= nonce, so txs[i].nonce-nonce-i never
// decreases with i and is zero exactly on that run: a binary search finds it.
func (a *account) recomputePending() {
	a.pending = sort.Search(len(a.txs), func(i int) bool {
		return a.txs[i].nonce-a.nonce != uint64(i)
	})
}

// tail is the transaction eviction would take next from this sender: the
// highest nonce not already marked by a dry run.
func (a *account) tail() (*txEntry, bool) {
	i := len(a.txs) - 1 - a.planned
	return a.txs[i], i >= a.pending
}

// setBalance stores b, saturating at 2^256-1 (nil counts as zero).
func (a *account) setBalance(b *big.Int) {
	if b == nil || b.Sign() <= 0 {
		a.balance.Clear()
		return
	}
	if a.balance.SetFromBig(b) {
		a.balance.SetAllOne()
	}
}
