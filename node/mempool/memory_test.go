package mempool

import (
	"math/big"
	"runtime"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// memShape is a kind of transaction the memory accounting is checked on.
type memShape struct {
	name    string
	n       int // transactions
	senders int
	tx      func(k int, nonce uint64) *types.Transaction
}

func memShapes() []memShape {
	dynData := func(data int, al types.AccessList) func(int, uint64) *types.Transaction {
		return func(k int, nonce uint64) *types.Transaction {
			d := make([]byte, data)
			for i := range d {
				d[i] = byte(i | 1)
			}
			return dynWith(testKey(k), &types.DynamicFeeTx{Nonce: nonce, GasFeeCap: gw(100), GasTipCap: gw(1),
				Gas: params.TxGas + 40*uint64(data) + 2400*uint64(len(al)) + 100_000, To: &testTo, Value: big.NewInt(1),
				Data: d, AccessList: al})
		}
	}
	var addrs, keys types.AccessList
	for i := range 50 {
		addrs = append(addrs, types.AccessTuple{Address: common.BigToAddress(big.NewInt(int64(i + 1)))})
	}
	keys = types.AccessList{{Address: testTo}}
	for i := range 50 {
		keys[0].StorageKeys = append(keys[0].StorageKeys, common.BigToHash(big.NewInt(int64(i+1))))
	}
	return []memShape{
		{"transfer", 4000, 40, dynData(0, nil)},
		{"transfer, one per sender", 2000, 2000, dynData(0, nil)},
		{"legacy transfer", 2000, 20, func(k int, nonce uint64) *types.Transaction {
			return types.MustSignNewTx(testKey(k), testSigner, &types.LegacyTx{Nonce: nonce, GasPrice: gw(100), Gas: params.TxGas,
				To: &testTo, Value: big.NewInt(1)})
		}},
		{"1 KiB calldata", 2000, 20, dynData(1<<10, nil)},
		{"16 KiB calldata", 1000, 20, dynData(16<<10, nil)},
		{"100 KiB calldata", 200, 20, dynData(100<<10, nil)},
		{"access list of 50 addresses", 1000, 20, dynData(0, addrs)},
		{"access list of 50 storage keys", 1000, 20, dynData(0, keys)},
	}
}

var (
	memRawsOnce sync.Once
	memRaws     [][][]byte // per shape, signed once per process
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryPerAccountedByte fills pools with AddRaw, as the API and
// gossip do, and compares the heap they hold with what the pool accounts:
// the accounted memory (what MaxBytes bounds) must cover the heap, and not
// by much more. Per encoded byte, the old measure of MaxBytes, the heap is
// up to ten times larger (run with -v for the figures).
func TestMemoryPerAccountedByte(t *testing.T) {
	shapes := memShapes()
	memRawsOnce.Do(func() {
		for _, s := range shapes {
			raws := make([][]byte, s.n)
			for i := range raws {
				raw, err := s.tx(i%s.senders, uint64(i/s.senders)).MarshalBinary()
				if err != nil {
					panic(err)
				}
				raws[i] = raw
			}
			memRaws = append(memRaws, raws)
		}
	})
	for si, s := range shapes {
		raws := memRaws[si]
		cfg := testConfig()
		cfg.MaxCount, cfg.MaxPerSender, cfg.MaxBytes = 1<<30, 1<<30, 1<<40
		p, _ := newTestPool(t, cfg)
		before := heapInUse()
		for _, raw := range raws {
			if _, err := p.AddRaw(raw); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		heap := float64(heapInUse()) - float64(before)
		st := p.Stats()
		runtime.KeepAlive(p)
		perEncoded, perAccounted := heap/float64(st.Bytes), heap/float64(st.Memory)
		t.Logf("%-32s %5d txs: %6d B encoded, %6.0f B heap, %6d B accounted per tx; heap per encoded byte %.2f, per accounted byte %.2f",
			s.name, s.n, st.Bytes/s.n, heap/float64(s.n), st.Memory/s.n, perEncoded, perAccounted)
		// The accounted memory is an upper bound of the heap (a little
		// slack for the collector's own noise), within 25%.
		if perAccounted > 1.03 || perAccounted < 0.75 {
			t.Errorf("%s: %.2f bytes of heap per accounted byte, want 0.75 to 1.03 (heap %.0f, accounted %d, encoded %d)",
				s.name, perAccounted, heap, st.Memory, st.Bytes)
		}
	}
}

// TestMaxBytesBoundsMemory fills a pool of transfers past a MaxBytes far
// below what their encodings add up to and checks that the accounted
// memory, not the encoded size, is held under it.
func TestMaxBytesBoundsMemory(t *testing.T) {
	cfg := testConfig()
	probe := dyn(testKey(0), 0, 10, 1)
	per := memCost(probe, int(probe.Size()))
	cfg.MaxBytes = 100*per + 10*accountMemOverhead // room for 100 transfers of 10 senders
	p, _ := newTestPool(t, cfg)
	full := 0
	for i := range 300 {
		err := p.Add(dyn(testKey(i%10), uint64(i/10), 10, int64(1+i%10)))
		if re, ok := IsReject(err); ok && re.Reason == ReasonPoolFull {
			full++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stats()
	if st.Memory > cfg.MaxBytes {
		t.Fatalf("pool accounts %d bytes of memory, limit %d", st.Memory, cfg.MaxBytes)
	}
	if n := st.Pending + st.Queued; n < 95 || n > 105 {
		t.Fatalf("pool holds %d transfers, want about 100 (%d encoded bytes, %d accounted)", n, st.Bytes, st.Memory)
	}
	if full == 0 || st.Bytes*5 > cfg.MaxBytes {
		t.Fatalf("%d refused as pool_full; %d encoded bytes held under a %d bound: the bound is not on memory",
			full, st.Bytes, cfg.MaxBytes)
	}
	checkInvariants(t, p)
}
