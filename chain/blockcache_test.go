package chain

import (
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
)

func TestBlockCacheIsBoundedInBytes(t *testing.T) {
	block := func(h uint64, txs int) *Block {
		return &Block{Header: &Header{Height: h}, Txs: make([]*types.Transaction, txs)}
	}
	one := blockMemory(block(0, 100), 10_000)
	c := newBlockCache(3*one + one/2)
	for h := uint64(1); h <= 10; h++ {
		c.add(h, block(h, 100), 10_000)
		if c.size() > c.limit {
			t.Fatalf("after block %d the cache holds %d bytes, over its %d", h, c.size(), c.limit)
		}
	}
	if c.size() != 3*one {
		t.Fatalf("cache holds %d bytes, want three blocks' %d", c.size(), 3*one)
	}
	for h := uint64(8); h <= 10; h++ {
		if _, ok := c.get(h); !ok {
			t.Fatalf("recent block %d was evicted", h)
		}
	}
	if _, ok := c.get(7); ok {
		t.Fatal("block 7 is still cached past the byte bound")
	}
	// Re-adding a cached block does not count it twice.
	c.add(10, block(10, 100), 10_000)
	if c.size() != 3*one {
		t.Fatalf("re-added block counted twice: %d bytes", c.size())
	}
	// A block bigger than the whole budget is not cached, and evicts nothing.
	c.add(11, block(11, 10_000), 1_000_000)
	if _, ok := c.get(11); ok || c.size() != 3*one {
		t.Fatalf("oversized block: cached %v, size %d", ok, c.size())
	}
}
