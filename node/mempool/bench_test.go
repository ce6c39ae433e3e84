package mempool

import (
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
)

const benchSenders, benchPerSender = 100, 100

var (
	benchOnce sync.Once
	benchRaw  [][]byte // 10,000 signed transactions, nonce-major across senders
)

// benchTxs signs the benchmark set once: 100 senders with 100 nonces
// each, tips varying by sender, ordered so each sender's nonces arrive in
// order but senders interleave.
func benchTxs(b *testing.B) [][]byte {
	benchOnce.Do(func() {
		for n := uint64(0); n < benchPerSender; n++ {
			for s := 0; s < benchSenders; s++ {
				raw, err := dyn(testKey(s), n, 100, int64(1+s%17)).MarshalBinary()
				if err != nil {
					panic(err)
				}
				benchRaw = append(benchRaw, raw)
			}
		}
	})
	return benchRaw
}

// decodeAll returns fresh transaction objects, so that no sender is cached
// and Add pays for signature recovery as it would for gossip.
func decodeAll(b *testing.B, raws [][]byte) []*types.Transaction {
	txs := make([]*types.Transaction, len(raws))
	for i, raw := range raws {
		txs[i] = new(types.Transaction)
		if err := txs[i].UnmarshalBinary(raw); err != nil {
			b.Fatal(err)
		}
	}
	return txs
}

// BenchmarkAdd measures admission of pre-signed transactions, including
// sender recovery, into a pool that fills to 10,000 and is then renewed.
func BenchmarkAdd(b *testing.B) {
	raws := benchTxs(b)
	var p *Pool
	var txs []*types.Transaction
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(raws)
		if j == 0 {
			b.StopTimer()
			p, _ = newTestPool(b, testConfig())
			txs = decodeAll(b, raws)
			b.StartTimer()
		}
		if err := p.Add(txs[j]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkAddRaw is BenchmarkAdd including the binary decoding.
func BenchmarkAddRaw(b *testing.B) {
	raws := benchTxs(b)
	var p *Pool
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(raws)
		if j == 0 {
			b.StopTimer()
			p, _ = newTestPool(b, testConfig())
			b.StartTimer()
		}
		if _, err := p.AddRaw(raws[j]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkAddCachedSender is BenchmarkAdd with the senders already
// recovered: what is left is the pool's own work, most of it under the lock.
func BenchmarkAddCachedSender(b *testing.B) {
	raws := benchTxs(b)
	var p *Pool
	var txs []*types.Transaction
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(raws)
		if j == 0 {
			b.StopTimer()
			p, _ = newTestPool(b, testConfig())
			txs = decodeAll(b, raws)
			for _, tx := range txs {
				if _, err := p.Sender(tx); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		if err := p.Add(txs[j]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSelect measures a full block-building pass: snapshot 10,000
// pending transactions from 100 senders and take them all in order.
func BenchmarkSelect(b *testing.B) {
	raws := benchTxs(b)
	p, _ := newTestPool(b, testConfig())
	for _, tx := range decodeAll(b, raws) {
		if err := p.Add(tx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := p.Select(gw(1))
		n := 0
		for s.Peek() != nil {
			s.Shift()
			n++
		}
		if n != len(raws) {
			b.Fatalf("selected %d, want %d", n, len(raws))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(raws)), "ns/tx")
}

// BenchmarkAddRawSerial admits the benchmark set one AddRawFrom at a
// time, as one REST request per transaction did.
func BenchmarkAddRawSerial(b *testing.B) {
	raws := benchTxs(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p, _ := newTestPool(b, testConfig())
		b.StartTimer()
		for _, raw := range raws {
			if _, err := p.AddRawFrom(raw, Local); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(raws))/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkAddRawBatch admits the same set in batches of 500 with
// AddRawBatch, which recovers each batch's senders on all cores first.
func BenchmarkAddRawBatch(b *testing.B) {
	const size = 500
	raws := benchTxs(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p, _ := newTestPool(b, testConfig())
		b.StartTimer()
		for j := 0; j < len(raws); j += size {
			res, err := p.AddRawBatch(raws[j:min(j+size, len(raws))], Local)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					b.Fatal(r.Err)
				}
			}
		}
	}
	b.ReportMetric(float64(b.N*len(raws))/b.Elapsed().Seconds(), "tx/s")
}
