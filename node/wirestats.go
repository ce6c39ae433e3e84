package node

import (
	"sync/atomic"

	"cairn/chain"
)

// WireStats counts what compact proposals save: the bytes of the
// proposals this node sent against what the same proposals would have
// been whole, and for those it received how many transactions the
// mempool supplied and how many were fetched, with their bytes.
type WireStats struct {
	ProposalsSent     uint64 `json:"proposalsSent"`
	ProposalBytes     uint64 `json:"proposalBytes"`     // as sent
	ProposalFullBytes uint64 `json:"proposalFullBytes"` // the same blocks' full encoding
	CompactReceived   uint64 `json:"compactReceived"`
	TxsFromMempool    uint64 `json:"txsFromMempool"`
	TxsFetched        uint64 `json:"txsFetched"`
	FetchedBytes      uint64 `json:"fetchedBytes"`
}

// wireCounters are WireStats kept with atomics: proposals are sent on the
// driver's goroutine, fills complete on others.
type wireCounters struct {
	proposalsSent, proposalBytes, proposalFullBytes atomic.Uint64
	compactReceived, txsFromMempool                 atomic.Uint64
	txsFetched, fetchedBytes                        atomic.Uint64
}

// sentProposal counts a proposal of b sent as n bytes. The full size is
// the block's binary encoding as hex, as a whole proposal carries it.
func (w *wireCounters) sentProposal(b *chain.Block, n int) {
	w.proposalsSent.Add(1)
	w.proposalBytes.Add(uint64(n))
	full := uint64(n)
	if len(b.Txs) > compactMinTxs {
		if raw, err := b.MarshalBinary(); err == nil {
			full = uint64(2*len(raw) + 16) // hex digits, "0x" and the JSON key
		}
	}
	w.proposalFullBytes.Add(full)
}

func (w *wireCounters) receivedCompact(txs, missing int) {
	w.compactReceived.Add(1)
	w.txsFromMempool.Add(uint64(txs - missing))
}

func (w *wireCounters) fetchedTxs(raw [][]byte) {
	w.txsFetched.Add(uint64(len(raw)))
	for _, r := range raw {
		w.fetchedBytes.Add(uint64(len(r)))
	}
}

func (w *wireCounters) stats() WireStats {
	return WireStats{
		ProposalsSent: w.proposalsSent.Load(), ProposalBytes: w.proposalBytes.Load(),
		ProposalFullBytes: w.proposalFullBytes.Load(), CompactReceived: w.compactReceived.Load(),
		TxsFromMempool: w.txsFromMempool.Load(), TxsFetched: w.txsFetched.Load(), FetchedBytes: w.fetchedBytes.Load(),
	}
}

// WireStats reports what compact proposals saved so far.
func (n *Node) WireStats() WireStats { return n.wire.stats() }
