package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// The ledger is what a node said was committed: blocks (hash, parent and
// transactions in order), where each transaction is, the finalized height
// it reached, and the chain it is on. Whatever it holds must read back the
// same from the node ever after.

type blockRec struct {
	Height uint64
	Hash   common.Hash
	Parent common.Hash
	Txs    []common.Hash
}

type txRec struct {
	Hash   common.Hash
	Height uint64
	Block  common.Hash
	Index  int
}

type ledger struct {
	mu      sync.Mutex
	blocks  map[uint64]*blockRec
	txs     map[common.Hash]*txRec
	floor   uint64 // the highest finalized height the node reported
	chainID uint64
	genesis common.Hash
	// unchecked are the heights recorded since the last complete check.
	unchecked map[uint64]bool
	// conflicts are blocks the node announced twice with different
	// contents (two blocks at one height).
	conflicts []string
}

func newLedger() *ledger {
	return &ledger{blocks: map[uint64]*blockRec{}, txs: map[common.Hash]*txRec{}, unchecked: map[uint64]bool{}}
}

// addBlock records a block the node announced or served.
func (l *ledger) addBlock(b *api.Block) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec := &blockRec{Height: b.Height, Hash: b.Hash, Parent: b.ParentHash, Txs: slices.Clone(b.Transactions)}
	if old, ok := l.blocks[b.Height]; ok {
		if d := diffBlock(old, b); len(d) > 0 {
			l.conflicts = append(l.conflicts, fmt.Sprintf("block %d announced again with a different content: %s", b.Height, d[0]))
		}
		return
	}
	l.blocks[b.Height] = rec
	l.unchecked[b.Height] = true
	for i, h := range b.Transactions {
		l.txs[h] = &txRec{Hash: h, Height: b.Height, Block: b.Hash, Index: i}
	}
	l.floor = max(l.floor, b.Height)
}

// raiseFloor records a finalized height the node reported.
func (l *ledger) raiseFloor(h uint64) {
	l.mu.Lock()
	l.floor = max(l.floor, h)
	l.mu.Unlock()
}

func (l *ledger) counts() (blocks, txs int, floor uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.blocks), len(l.txs), l.floor
}

// checkSet picks what a check after a restart reads back: every block
// recorded since the last complete check with all its transactions, and a
// random sample of sample older blocks and of sample older transactions.
func (l *ledger) checkSet(rng *rand.Rand, sample int) (heights []uint64, txs []common.Hash) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var older []uint64
	for h := range l.blocks {
		if l.unchecked[h] {
			heights = append(heights, h)
			txs = append(txs, l.blocks[h].Txs...)
		} else {
			older = append(older, h)
		}
	}
	slices.Sort(older)
	rng.Shuffle(len(older), func(i, j int) { older[i], older[j] = older[j], older[i] })
	var olderTxs []common.Hash
	for _, h := range older {
		olderTxs = append(olderTxs, l.blocks[h].Txs...)
	}
	heights = append(heights, older[:min(sample, len(older))]...)
	txs = append(txs, olderTxs[:min(sample, len(olderTxs))]...)
	slices.Sort(heights)
	return heights, txs
}

// all is every recorded height and transaction.
func (l *ledger) all() (heights []uint64, txs []common.Hash) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for h, b := range l.blocks {
		heights = append(heights, h)
		txs = append(txs, b.Txs...)
	}
	slices.Sort(heights)
	return heights, txs
}

// checked marks heights as read back in a complete check.
func (l *ledger) checked(heights []uint64) {
	l.mu.Lock()
	for _, h := range heights {
		delete(l.unchecked, h)
	}
	l.mu.Unlock()
}

func (l *ledger) block(h uint64) *blockRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.blocks[h]
}

func (l *ledger) tx(h common.Hash) *txRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.txs[h]
}

// diffBlock lists how a served block differs from the recorded one.
func diffBlock(rec *blockRec, got *api.Block) []string {
	var d []string
	if got.Height != rec.Height {
		d = append(d, fmt.Sprintf("height %d served as %d", rec.Height, got.Height))
	}
	if got.Hash != rec.Hash {
		d = append(d, fmt.Sprintf("block %d hash %s is now %s", rec.Height, short(rec.Hash), short(got.Hash)))
	}
	if got.ParentHash != rec.Parent {
		d = append(d, fmt.Sprintf("block %d parent %s is now %s", rec.Height, short(rec.Parent), short(got.ParentHash)))
	}
	if len(got.Transactions) != len(rec.Txs) {
		d = append(d, fmt.Sprintf("block %d had %d transactions, now %d", rec.Height, len(rec.Txs), len(got.Transactions)))
	} else {
		for i := range rec.Txs {
			if got.Transactions[i] != rec.Txs[i] {
				d = append(d, fmt.Sprintf("block %d transaction %d %s is now %s", rec.Height, i, short(rec.Txs[i]), short(got.Transactions[i])))
				break
			}
		}
	}
	return d
}

// diffTx lists how a served transaction differs from where it was
// recorded.
func diffTx(rec *txRec, got *api.Tx) []string {
	if got.Status != api.TxIncluded || got.BlockHeight == nil || got.BlockHash == nil || got.Index == nil {
		return []string{fmt.Sprintf("transaction %s of block %d is %q, not included", short(rec.Hash), rec.Height, got.Status)}
	}
	var d []string
	if got.Hash != rec.Hash {
		d = append(d, fmt.Sprintf("transaction %s served as %s", short(rec.Hash), short(got.Hash)))
	}
	if *got.BlockHeight != rec.Height || *got.BlockHash != rec.Block {
		d = append(d, fmt.Sprintf("transaction %s of block %d (%s) is now in block %d (%s)", short(rec.Hash), rec.Height, short(rec.Block), *got.BlockHeight, short(*got.BlockHash)))
	}
	if *got.Index != rec.Index {
		d = append(d, fmt.Sprintf("transaction %s was at index %d of block %d, now %d", short(rec.Hash), rec.Index, rec.Height, *got.Index))
	}
	return d
}

func short(h common.Hash) string { return h.Hex()[:10] }
