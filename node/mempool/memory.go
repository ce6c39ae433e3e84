package mempool

import "github.com/ethereum/go-ethereum/core/types"

// What the pool holds in memory for a transaction is far more than its
// encoding: the decoded transaction (its fields, seven big.Ints, the
// cached hash and sender), the pool's entry, its slot in the hash index
// and in the sender's nonce-ordered slice. Config.MaxBytes bounds that
// footprint, estimated as the encoded size plus the overheads below.
// TestMemoryPerAccountedByte measures them on go-ethereum's types: the
// heap in use after filling a pool with AddRaw, per transaction:
//
//	                            encoded     heap   per encoded byte
//	EIP-1559 transfer             112 B   1028 B   9.1
//	  the same, one per sender    112 B   1258 B  11.1
//	legacy transfer               103 B    920 B   8.9
//	1 KiB of calldata            1139 B   2052 B   1.8
//	16 KiB of calldata          16499 B  17413 B   1.06
//	100 KiB of calldata        102517 B 107500 B   1.05 (large objects take whole pages)
//	access list, 50 addresses    1265 B   4101 B   3.2
//	access list, 50 keys         1792 B   3269 B   1.8
//
// The constants round those up (and the race detector's few extra bytes),
// so that the accounted footprint is an upper bound of the heap in use,
// within 25% of it. A Go process's resident size is larger again by the
// collector's headroom (GOGC, GOMEMLIMIT).
const (
	// txMemOverhead is the heap a pooled transaction holds beyond its
	// encoded bytes.
	txMemOverhead = 1024
	// accountMemOverhead is the heap per sender with transactions pooled.
	accountMemOverhead = 256
	// tupleMemOverhead and keyMemOverhead are the heap per access-list
	// entry and per storage key beyond their encoding.
	tupleMemOverhead = 48
	keyMemOverhead   = 16
)

// memCost is the accounted memory of a transaction whose encoded size is
// size: the encoding, the fixed overhead, the access list's, and the
// allocator's rounding of the calldata.
func memCost(tx *types.Transaction, size int) int {
	n := size + txMemOverhead + allocSlack(len(tx.Data()))
	for _, t := range tx.AccessList() {
		n += tupleMemOverhead + len(t.StorageKeys)*keyMemOverhead
	}
	return n
}

// allocSlack bounds what Go's allocator adds to an n-byte allocation:
// under 12.5% plus a little for a small object (its size classes), up to a
// whole 8 KiB page for a large one.
func allocSlack(n int) int {
	switch {
	case n == 0:
		return 0
	case n <= 32<<10:
		return n/8 + 16
	default:
		const page = 8 << 10
		return (n+page-1)/page*page - n
	}
}

// memory is the accounted memory of everything held, what MaxBytes
// bounds. Caller holds mu.
func (p *Pool) memory() int {
	return p.mem + accountMemOverhead*len(p.accounts)
}
