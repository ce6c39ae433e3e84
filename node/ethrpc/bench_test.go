package ethrpc

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// benchBlocks is the span of the eth_getLogs benchmark.
const benchBlocks = 10_000

// BenchmarkGetLogs10000Blocks queries 10,000 committed blocks through the
// JSON-RPC client over HTTP. One block in 100 holds a Counter increment
// (100 logs in all); the rest are empty. "match" asks for the Counter's
// logs (100 blocks pass the bloom and have their receipts read); "none"
// asks for an address no block has (every block is ruled out by its
// bloom). "warm" finds the blooms in memory (the endpoint saw the blocks
// committed); "cold" empties that cache before each query, so every bloom
// is read from its block's header in the store. Building the 10,000
// blocks first takes about a minute.
func BenchmarkGetLogs10000Blocks(b *testing.B) {
	f := newFixture(b)
	ctr := f.deployCounter(0)
	nonce := uint64(1)
	for f.chain.Head().Height() < benchBlocks {
		if f.chain.Head().Height()%100 == 1 {
			f.send(f.dynTx(key0, nonce, &ctr, nil, 200_000, counter.Pack("increment")))
			nonce++
		}
		f.produce()
	}
	f.settle()
	for _, tc := range []struct {
		name string
		addr common.Address
		want int
		cold bool
	}{
		{"match/warm", ctr, benchBlocks / 100, false}, {"none/warm", addr1, 0, false},
		{"match/cold", ctr, benchBlocks / 100, true}, {"none/cold", addr1, 0, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := map[string]any{"fromBlock": "0x1", "toBlock": "0x2710", "address": tc.addr}
			for b.Loop() {
				if tc.cold {
					b.StopTimer()
					f.srv.backend.blooms.c.Purge()
					b.StartTimer()
				}
				var logs []*types.Log
				if err := f.rpc.CallContext(context.Background(), &logs, "eth_getLogs", q); err != nil {
					b.Fatal(err)
				}
				if len(logs) != tc.want {
					b.Fatalf("%d logs, want %d", len(logs), tc.want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
			b.ReportMetric(benchBlocks*float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
		})
	}
}
