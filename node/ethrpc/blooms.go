package ethrpc

import (
	"context"

	"github.com/ethereum/go-ethereum/core/types"
	lru "github.com/hashicorp/golang-lru/v2"
)

// bloomCacheBlocks is how many blocks' logs blooms the endpoint keeps in
// memory (256 bytes each, about 10 MiB in all): a finalized block never
// changes, so a bloom once read, or seen as its block was committed, is
// good forever.
const bloomCacheBlocks = 32_768

// bloomCache holds the logs blooms of recent and recently searched blocks
// by height, so a log search over them reads no headers at all.
type bloomCache struct {
	c *lru.Cache[uint64, types.Bloom]
}

func newBloomCache() *bloomCache {
	c, _ := lru.New[uint64, types.Bloom](bloomCacheBlocks)
	return &bloomCache{c: c}
}

// add remembers a committed block's bloom.
func (bc *bloomCache) add(height uint64, bloom types.Bloom) { bc.c.Add(height, bloom) }

// walkBlooms calls fn with the bloom of every committed block from from
// to to, in order: from the cache where it can, else from the chain's
// headers (a run of uncached heights at a time), which fills the cache.
func (b *backend) walkBlooms(ctx context.Context, from, to uint64, fn func(height uint64, bloom *types.Bloom)) error {
	for h := from; h <= to; {
		if bloom, ok := b.blooms.c.Get(h); ok {
			fn(h, &bloom)
			h++
			continue
		}
		end := h
		for end < to && !b.blooms.c.Contains(end+1) {
			end++
		}
		err := b.chain.Blooms(h, end, func(height uint64, bloom *types.Bloom) (bool, error) {
			b.blooms.add(height, *bloom)
			fn(height, bloom)
			return true, ctx.Err()
		})
		if err != nil {
			return err
		}
		h = end + 1
	}
	return ctx.Err()
}
