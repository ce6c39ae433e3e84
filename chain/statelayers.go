package chain

import (
	"github.com/ethereum/go-ethereum/common"
)

// Recent state in memory.
//
// A block's new trie nodes and its transaction index entries are not
// written with the block. They stay in memory as the block's layer, above
// the state on disk, and the store
// writes a layer (in the transaction of a later block) only when it must:
// when its block becomes the oldest of the state window, or when the
// layers together pass stateLayerBytes. The file holds the window's oldest
// state, and newer ones only when the byte bound pushed them out early,
// where writing every block's nodes with the block kept each state of the
// window on disk; and a block's write is, most of the time, its block,
// receipts and index only.
//
// A node killed or closed loses its layers. Open re-executes the blocks
// after the newest state on disk, at most a window of them or a
// stateLayerBytes' worth, before it returns (Chain.loadHead). The blocks,
// receipts and head are on disk as before, so nothing finalized is lost.

// stateLayerBytes bounds the memory of the layers: past it, the oldest
// are written early. A block of ten thousand transfers to new accounts
// makes a layer of 4-6 MiB on a young chain (more as the trie deepens),
// so a burst keeps its last few blocks in memory and writes the others
// about as before. At 32 MiB a node's resident memory a minute after a
// burst of 200,000 transfers is within 5% of what it was without layers
// (294 MB against 283), and a chain whose recent blocks fit keeps one
// state on disk.
const stateLayerBytes = 32 << 20

// layerEntryBytes is what the bound counts per key beyond its key and
// value: the key's allocation and its entries in the layer's map and the
// recent index (measured with the heap profile).
const layerEntryBytes = 136

// layerTxBytes is what the bound counts per transaction index entry: the
// hash in the layer and the entry in the recent transactions.
const layerTxBytes = 112

// stateLayer is what one committed block adds to the file besides itself,
// not yet on disk: its state changes and its transactions' index entries.
type stateLayer struct {
	height uint64
	root   common.Hash
	nodes  map[string][]byte // nil value: deleted
	txs    []common.Hash     // the block's transactions, in order
	bytes  int
}

// txPlace is where a transaction of a layer's block is.
type txPlace struct {
	height uint64
	index  uint32
}

// recentValue is the newest value of a key in the layers, and how many
// layers hold the key.
type recentValue struct {
	v []byte
	n int
}

// layerOf makes the pending changes the layer of the block at height with
// state root root. The pending map is not copied: it is replaced when the
// block's write ends (settle or reset).
//
// The block's transactions are found by hash from here on: a reader may
// find one a moment before the block's write commits, and TxLocation then
// finds no block there and says not found. A failed write takes them out
// again (reset).
func (s *stateKV) layerOf(height uint64, root common.Hash, txs []common.Hash) *stateLayer {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &stateLayer{height: height, root: root, nodes: s.pending, txs: txs, bytes: len(txs) * layerTxBytes}
	for k, v := range s.pending {
		l.bytes += len(k) + len(v) + layerEntryBytes
	}
	if s.recentTxs == nil {
		s.recentTxs = make(map[common.Hash]txPlace, len(txs))
	}
	for i, h := range txs {
		s.recentTxs[h] = txPlace{height: height, index: uint32(i)}
	}
	s.writing = l
	return l
}

// toFlush returns the layers to write, oldest first, if next joins the
// layers: as many of the oldest as leave at most keep layers within
// stateLayerBytes, next itself included when it alone is over the bound.
// The genesis layer is always written: the file must hold one state.
func (s *stateKV) toFlush(next *stateLayer, keep int) []*stateLayer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := append(append(make([]*stateLayer, 0, len(s.layers)+1), s.layers...), next)
	if next.height == 0 {
		return all
	}
	budget := s.budget
	if budget == 0 {
		budget = stateLayerBytes
	}
	held, n := s.layerBytes+next.bytes, 0
	for n < len(all) && (len(all)-n > keep || held > budget) {
		held -= all[n].bytes
		n++
	}
	return all[:n]
}

// settle ends a block's successful write: the layers written (the first
// flushed of the old layers and next) leave memory, next joins the layers
// if it was not written, and the pending changes start afresh.
func (s *stateKV) settle(next *stateLayer, flushed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := min(flushed, len(s.layers))
	s.dropLayers(old)
	if flushed <= old {
		s.layers = append(s.layers, next)
		s.layerBytes += next.bytes
		if s.recent == nil {
			s.recent = make(map[string]recentValue, len(next.nodes))
		}
		for k, v := range next.nodes {
			s.recent[k] = recentValue{v: v, n: s.recent[k].n + 1}
		}
	} else {
		s.forgetTxs(next) // written with its block
	}
	s.pending = make(map[string][]byte, len(s.pending))
	s.writing = nil
}

// dropLayers takes the n oldest layers, written, out of memory and their
// keys out of the recent index; the caller holds mu.
func (s *stateKV) dropLayers(n int) {
	for _, l := range s.layers[:n] {
		s.layerBytes -= l.bytes
		for k := range l.nodes {
			rv := s.recent[k]
			if rv.n <= 1 {
				delete(s.recent, k)
				continue
			}
			rv.n--
			s.recent[k] = rv
		}
		s.forgetTxs(l)
	}
	s.layers = append(s.layers[:0:0], s.layers[n:]...)
}

// forgetTxs takes a layer's transactions out of the recent index; the
// caller holds mu.
func (s *stateKV) forgetTxs(l *stateLayer) {
	for _, h := range l.txs {
		if p, ok := s.recentTxs[h]; ok && p.height == l.height {
			delete(s.recentTxs, h)
		}
	}
}

// heldHeights returns the heights of the layers in memory, oldest first.
func (s *stateKV) heldHeights() []uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]uint64, len(s.layers))
	for i, l := range s.layers {
		out[i] = l.height
	}
	return out
}

// recentTx returns where a transaction of a layer's block, or of the
// block being written, is.
func (s *stateKV) recentTx(h common.Hash) (txPlace, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.recentTxs[h]
	return p, ok
}
