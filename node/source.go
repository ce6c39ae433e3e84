package node

import (
	"fmt"
	"sync"

	"cairn/chain"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
)

// Status implements transport.Source: this node's chain and head, for
// peers' status handshakes.
func (n *Node) Status() transport.Status {
	head := n.chain.Head()
	return transport.Status{
		ChainID: n.chain.ChainID().Uint64(), GenesisHash: n.genesisHash,
		Head: head.Height(), HeadHash: head.Hash(), Finalized: head.Height(),
	}
}

// FinalizedBlock implements transport.Source: the committed block at
// height and the commit that finalized it.
func (n *Node) FinalizedBlock(height uint64) (*chain.Block, *chain.Commit, error) {
	b, err := n.chain.BlockByHeight(height)
	if err != nil {
		return nil, nil, err
	}
	c, err := n.chain.CommitAt(height)
	if err != nil {
		return nil, nil, err
	}
	return b, c, nil
}

// ProposalTxs implements transport.Source: transactions of a block this
// node proposed or rebuilt, by index, for a peer filling in a compact
// proposal.
func (n *Node) ProposalTxs(block common.Hash, indices []uint32) ([][]byte, error) {
	b := n.proposals.get(block)
	if b == nil {
		if cb, err := n.chain.BlockByHash(block); err == nil {
			b = cb
		} else {
			return nil, fmt.Errorf("block %s: not a recent proposal", block)
		}
	}
	out := make([][]byte, 0, len(indices))
	for _, i := range indices {
		if int(i) >= len(b.Txs) {
			return nil, fmt.Errorf("block %s has %d transactions, asked for #%d", block, len(b.Txs), i)
		}
		raw, err := b.Txs[i].MarshalBinary()
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	return out, nil
}

// How many proposed blocks ProposalTxs can answer for: at most
// maxRecentProposals, and fewer once they hold maxRecentProposalTxs
// transactions (the newest is kept whatever its size). Peers ask for the
// proposals of the height being decided; under load sixteen full blocks
// held some 200,000 decoded transactions, the largest part of the heap
// after a burst.
const (
	maxRecentProposals   = 16
	maxRecentProposalTxs = 30_000
)

// recentProposals holds the last blocks proposed or rebuilt here, for
// peers' transaction requests, which arrive on the transport's goroutines.
type recentProposals struct {
	mu    sync.Mutex
	order []common.Hash
	byID  map[common.Hash]*chain.Block
	txs   int // in the blocks held
}

func (r *recentProposals) put(b *chain.Block) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = map[common.Hash]*chain.Block{}
	}
	h := b.Hash()
	if _, ok := r.byID[h]; ok {
		return
	}
	r.byID[h] = b
	r.order = append(r.order, h)
	r.txs += len(b.Txs)
	for len(r.order) > maxRecentProposals || len(r.order) > 1 && r.txs > maxRecentProposalTxs {
		r.txs -= len(r.byID[r.order[0]].Txs)
		delete(r.byID, r.order[0])
		r.order = r.order[1:]
	}
}

func (r *recentProposals) get(h common.Hash) *chain.Block {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[h]
}
