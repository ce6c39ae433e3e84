package mempool

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Get returns the pooled transaction with the given hash.
func (p *Pool) Get(hash common.Hash) (*types.Transaction, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.all[hash]; ok {
		return e.tx, true
	}
	return nil, false
}

// Has reports whether the transaction is pooled (for filling compact
// blocks and answering gossip).
func (p *Pool) Has(hash common.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.all[hash]
	return ok
}

// Lookup returns the entry of a pooled transaction, with its sender and
// whether it is queued.
func (p *Pool) Lookup(hash common.Hash) (Entry, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.all[hash]
	if !ok {
		return Entry{}, false
	}
	acc := p.accounts[e.from]
	idx, _ := acc.find(e.nonce)
	return e.entry(idx >= acc.pending), true
}

// Sender recovers the sender of tx with the pool's signer. For a
// transaction that went through Add this is a cache hit.
func (p *Pool) Sender(tx *types.Transaction) (common.Address, error) {
	from, err := types.Sender(p.v.signer, tx)
	if err != nil {
		return common.Address{}, fmt.Errorf("recover sender: %w", err)
	}
	return from, nil
}

// PendingNonce returns the nonce the sender's next transaction should use
// to be pending right away: the account nonce plus its pending run (what
// eth_getTransactionCount answers for the "pending" block).
func (p *Pool) PendingNonce(addr common.Address) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if acc := p.accounts[addr]; acc != nil {
		return acc.nextNonce()
	}
	return p.state.Nonce(addr)
}

// Pending returns a snapshot of every pooled transaction, pending and
// queued, ordered by sender address and then nonce.
func (p *Pool) Pending() []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	accs := make([]*account, 0, len(p.accounts))
	for _, acc := range p.accounts {
		accs = append(accs, acc)
	}
	slices.SortFunc(accs, func(a, b *account) int { return bytes.Compare(a.addr[:], b.addr[:]) })
	out := make([]Entry, 0, len(p.all))
	for _, acc := range accs {
		for i, e := range acc.txs {
			out = append(out, e.entry(i >= acc.pending))
		}
	}
	return out
}

// Txs returns every pooled transaction, in no particular order (for
// filling in compact proposals).
func (p *Pool) Txs() []*types.Transaction {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*types.Transaction, 0, len(p.all))
	for _, e := range p.all {
		out = append(out, e.tx)
	}
	return out
}

// Stats returns the pool's current totals.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Pending: p.pendingN, Queued: p.queuedN, Bytes: p.bytes, Memory: p.memory(), Senders: len(p.accounts)}
}

// entry converts an internal entry to the exported form.
func (e *txEntry) entry(queued bool) Entry {
	return Entry{Tx: e.tx, From: e.from, Added: e.added, Size: e.size, Queued: queued}
}
