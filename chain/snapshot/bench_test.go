package snapshot

import (
	"testing"

	"github.com/ethereum/go-ethereum/core/rawdb"
)

// BenchmarkSync serves, verifies and rebuilds a state of 100,000 accounts
// (every 10th with a few slots, every 37th with code, a hundred with 200
// slots), through the wire encoding, with 16 account intervals. It reports
// accounts/s and the bytes of the chunks.
func BenchmarkSync(b *testing.B) {
	ts := buildState(b, 100_000, 200, 100)
	b.ResetTimer()
	var chunkBytes int
	for b.Loop() {
		chunkBytes = 0
		s := NewKVServer(ts.kv)
		plan, err := NewPlan(ts.root, rawdb.NewMemoryDatabase(), Options{Intervals: 16})
		if err != nil {
			b.Fatal(err)
		}
		download(b, plan, func(req *Request) (*Chunk, error) {
			c, err := roundTrip(s)(req)
			if err == nil {
				enc, _ := EncodeChunk(c)
				chunkBytes += len(enc)
			}
			return c, err
		})
	}
	b.ReportMetric(float64(len(ts.addrs))*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
	b.ReportMetric(float64(chunkBytes), "chunk-bytes/op")
	b.ReportMetric(float64(chunkBytes)/float64(len(ts.addrs)), "bytes/account")
}
