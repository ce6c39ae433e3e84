package chain

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// blockCacheBytes bounds the memory of the decoded blocks the store keeps.
const blockCacheBytes = 32 << 20

// decodedTxBytes is what a decoded transaction holds on the heap beyond
// its encoding (its fields, big.Ints and cached hash and sender; the
// mempool measures about 1 KiB for a transfer).
const decodedTxBytes = 1024

// blockCache keeps recently read and written blocks, bounded by their
// estimated size in memory rather than their number: a full block holds
// tens of thousands of decoded transactions, an empty one a header.
type blockCache struct {
	mu    sync.Mutex
	lru   *lru.Cache[uint64, cachedBlock]
	bytes int
	limit int
}

type cachedBlock struct {
	b    *Block
	size int
}

func newBlockCache(limit int) *blockCache {
	c := &blockCache{limit: limit}
	// The count is only a backstop; the byte limit evicts first.
	c.lru, _ = lru.NewWithEvict(1<<16, func(_ uint64, v cachedBlock) { c.bytes -= v.size })
	return c
}

// blockMemory estimates the heap a decoded block holds, from the length
// of its encoding.
func blockMemory(b *Block, encoded int) int {
	return encoded + decodedTxBytes*len(b.Txs) + 512
}

func (c *blockCache) get(height uint64) (*Block, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.lru.Get(height)
	return v.b, ok
}

// add caches b, of encoded length encoded; a block larger than the whole
// budget is not cached.
func (c *blockCache) add(height uint64, b *Block, encoded int) {
	size := blockMemory(b, encoded)
	if size > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(height)
	c.lru.Add(height, cachedBlock{b: b, size: size})
	c.bytes += size
	for c.bytes > c.limit {
		c.lru.RemoveOldest()
	}
}

func (c *blockCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Purge()
}

// size is the estimated memory held.
func (c *blockCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
