package mempool

import (
	"container/heap"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
)

// Selection is the block builder's view of the pool: a price-and-nonce
// ordered iterator over a snapshot of the pending transactions, taken by
// Select. The pool keeps accepting transactions meanwhile; they are not
// seen by the selection. A Selection is for one goroutine.
type Selection struct {
	base  uint256.Int
	heads selHeap
}

// selHead is one sender's remaining run in a selection; run[0] is its
// candidate and tip that candidate's effective tip at the base fee.
type selHead struct {
	run []*txEntry
	tip uint256.Int
}

// Select snapshots the pending transactions for a block with the given base
// fee (nil counts as zero). A sender's run is cut at its first transaction
// whose fee cap is below baseFee: that one and its later nonces cannot be
// included.
func (p *Pool) Select(baseFee *big.Int) *Selection {
	s := &Selection{}
	setU256(&s.base, baseFee)

	p.mu.Lock()
	buf := make([]*txEntry, 0, p.pendingN)
	s.heads = make(selHeap, 0, len(p.accounts))
	for _, acc := range p.accounts {
		n := 0
		for n < acc.pending && !acc.txs[n].feeCap.Lt(&s.base) {
			n++
		}
		if n == 0 {
			continue
		}
		start := len(buf)
		buf = append(buf, acc.txs[:n]...)
		s.heads = append(s.heads, &selHead{run: buf[start:len(buf):len(buf)]})
	}
	p.mu.Unlock()

	for _, h := range s.heads {
		h.tip, _ = h.run[0].effTip(&s.base)
	}
	heap.Init(&s.heads)
	return s
}

// Peek returns the best next transaction: the highest effective tip among
// each sender's lowest remaining nonce, earliest arrival first on ties. It
// returns nil when the selection is exhausted.
func (s *Selection) Peek() *types.Transaction {
	if len(s.heads) == 0 {
		return nil
	}
	return s.heads[0].run[0].tx
}

// PeekSender returns the sender of the transaction Peek returns (zero when
// exhausted).
func (s *Selection) PeekSender() common.Address {
	if len(s.heads) == 0 {
		return common.Address{}
	}
	return s.heads[0].run[0].from
}

// Shift takes the transaction Peek returned; that sender's next nonce
// becomes its candidate.
func (s *Selection) Shift() {
	if len(s.heads) == 0 {
		return
	}
	h := s.heads[0]
	h.run = h.run[1:]
	if len(h.run) == 0 {
		heap.Pop(&s.heads)
		return
	}
	h.tip, _ = h.run[0].effTip(&s.base)
	heap.Fix(&s.heads, 0)
}

// Pop skips the rest of the current sender's transactions, for when the one
// Peek returned failed or did not fit: its later nonces cannot run either.
func (s *Selection) Pop() {
	if len(s.heads) == 0 {
		return
	}
	heap.Pop(&s.heads)
}

// Len returns the number of senders with transactions left.
func (s *Selection) Len() int { return len(s.heads) }

// selHeap orders sender heads by tip, highest first, then arrival.
type selHeap []*selHead

func (h selHeap) Len() int { return len(h) }

func (h selHeap) Less(i, j int) bool {
	if c := h[i].tip.Cmp(&h[j].tip); c != 0 {
		return c > 0
	}
	return h[i].run[0].seq < h[j].run[0].seq
}

func (h selHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

func (h *selHeap) Push(x any) { *h = append(*h, x.(*selHead)) }

func (h *selHeap) Pop() any {
	old := *h
	n := len(old) - 1
	x := old[n]
	old[n] = nil
	*h = old[:n]
	return x
}
