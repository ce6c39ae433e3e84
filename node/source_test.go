package node

import (
	"testing"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/core/types"
)

// TestRecentProposalsBoundedByTransactions: the proposals kept for peers
// stop at maxRecentProposals blocks and at maxRecentProposalTxs
// transactions, oldest out first, and the newest block stays whatever its
// size.
func TestRecentProposalsBoundedByTransactions(t *testing.T) {
	block := func(height uint64, txs int) *chain.Block {
		return &chain.Block{Header: &chain.Header{Height: height}, Txs: make([]*types.Transaction, txs)}
	}
	var r recentProposals
	var small []*chain.Block
	for h := range uint64(maxRecentProposals + 4) {
		b := block(h+1, 10)
		small = append(small, b)
		r.put(b)
	}
	if len(r.order) != maxRecentProposals || r.get(small[0].Hash()) != nil || r.get(small[len(small)-1].Hash()) == nil {
		t.Fatalf("%d small blocks kept, want the newest %d", len(r.order), maxRecentProposals)
	}
	full := []*chain.Block{block(100, maxRecentProposalTxs/2), block(101, maxRecentProposalTxs/2), block(102, maxRecentProposalTxs/2)}
	for _, b := range full {
		r.put(b)
	}
	if r.txs > maxRecentProposalTxs || r.get(full[0].Hash()) != nil || r.get(full[2].Hash()) == nil {
		t.Fatalf("%d transactions in %d blocks kept, at most %d", r.txs, len(r.order), maxRecentProposalTxs)
	}
	huge := block(103, 2*maxRecentProposalTxs)
	r.put(huge)
	if len(r.order) != 1 || r.get(huge.Hash()) == nil {
		t.Fatalf("a block over the bound: %d kept, want it alone", len(r.order))
	}
}
