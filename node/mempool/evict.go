package mempool

import (
	"container/heap"

	"github.com/holiman/uint256"
)

// Eviction takes only a sender's highest nonce, so it never opens a gap in
// anyone's pending run. Among those tails it takes the lowest-ranked; see
// rankLess for the order.

// rankLess reports whether a ranks below b for eviction (a goes first).
// Rank is, lexicographically:
//  1. class: fee cap below the base fee (not includable at all) < queued
//     behind a nonce gap (not includable yet) < pending;
//  2. the effective tip at the base fee (the fee cap in class 1);
//  3. arrival: the newer transaction ranks lower, so an equal-paying
//     newcomer never displaces an older one.
func rankLess(a *txEntry, aQueued bool, b *txEntry, bQueued bool, base *uint256.Int) bool {
	ca, va := rankOf(a, aQueued, base)
	cb, vb := rankOf(b, bQueued, base)
	if ca != cb {
		return ca < cb
	}
	if c := va.Cmp(&vb); c != 0 {
		return c < 0
	}
	return a.seq > b.seq
}

// rankOf returns the class and value described at rankLess.
func rankOf(e *txEntry, queued bool, base *uint256.Int) (int, uint256.Int) {
	tip, ok := e.effTip(base)
	switch {
	case !ok:
		return 0, tip
	case queued:
		return 1, tip
	default:
		return 2, tip
	}
}

// evictHeap is a min-heap of senders keyed by the rank of their tail.
type evictHeap struct {
	base  *uint256.Int
	items []*account
}

func (h *evictHeap) Len() int { return len(h.items) }

func (h *evictHeap) Less(i, j int) bool {
	a, aq := h.items[i].tail()
	b, bq := h.items[j].tail()
	return rankLess(a, aq, b, bq, h.base)
}

func (h *evictHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].heapIdx = i
	h.items[j].heapIdx = j
}

func (h *evictHeap) Push(x any) {
	a := x.(*account)
	a.heapIdx = len(h.items)
	h.items = append(h.items, a)
}

func (h *evictHeap) Pop() any {
	n := len(h.items) - 1
	a := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	a.heapIdx = -1
	return a
}

// fix puts a in the heap or restores the order after its tail changed.
func (h *evictHeap) fix(a *account) {
	if a.heapIdx < 0 {
		heap.Push(h, a)
		return
	}
	heap.Fix(h, a.heapIdx)
}

// remove takes a out of the heap if it is there.
func (h *evictHeap) remove(a *account) {
	if a.heapIdx >= 0 {
		heap.Remove(h, a.heapIdx)
	}
}

// planEviction finds the tails to drop so that count and memory fit the
// limits again, each ranking strictly below newcomer (already inserted);
// overBytes is in accounted memory, and a sender whose last transaction
// goes frees its own overhead too.
// It changes nothing but the heap order, which it restores; ok is false
// when the room cannot be made that way.
func (h *evictHeap) planEviction(overCount, overBytes int, newcomer *txEntry, newQueued bool) (plan []*txEntry, ok bool) {
	var touched []*account
	ok = true
	for overCount > 0 || overBytes > 0 {
		if h.Len() == 0 {
			ok = false
			break
		}
		acc := h.items[0]
		cand, candQueued := acc.tail()
		if cand == newcomer || !rankLess(cand, candQueued, newcomer, newQueued, h.base) {
			ok = false
			break
		}
		plan = append(plan, cand)
		overCount--
		overBytes -= cand.mem
		if acc.planned == 0 {
			touched = append(touched, acc)
		}
		acc.planned++
		if acc.planned == len(acc.txs) {
			overBytes -= accountMemOverhead
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	for _, acc := range touched {
		acc.planned = 0
		h.fix(acc)
	}
	if !ok {
		return nil, false
	}
	return plan, true
}
