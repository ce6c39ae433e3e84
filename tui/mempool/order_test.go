package mempool

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestOrderAgainstSortedSlice drives the treap with random inserts and
// removals under every sort and checks it against a sorted slice.
func TestOrderAgainstSortedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for col := range numColumns {
		for _, rev := range []bool{false, true} {
			cmp := comparator(col, rev)
			o := order{cmp: cmp}
			var ref []*entry
			for i := range 3000 {
				if len(ref) > 0 && rng.IntN(3) == 0 {
					k := rng.IntN(len(ref))
					if !o.remove(ref[k]) {
						t.Fatal("remove of a held entry failed")
					}
					if o.remove(ref[k]) {
						t.Fatal("removing twice succeeded")
					}
					ref = slices.Delete(ref, k, k+1)
					continue
				}
				e := &entry{
					hash: crypto.Keccak256Hash([]byte{byte(i), byte(i >> 8), byte(col)}), nonce: uint64(rng.IntN(20)),
					value: big.NewInt(int64(rng.IntN(50))), tip: big.NewInt(int64(rng.IntN(5))),
					arrival: int64(rng.IntN(100)), seq: uint64(i),
				}
				e.from[0] = byte(rng.IntN(8))
				if rng.IntN(10) == 0 {
					e.tip = nil
				}
				e.prio = uint64(rng.Int64())
				o.insert(e)
				ref = append(ref, e)
			}
			slices.SortFunc(ref, cmp)
			if o.len() != len(ref) {
				t.Fatalf("%s: %d entries, want %d", col.name(), o.len(), len(ref))
			}
			for i, e := range ref {
				if o.at(i) != e {
					t.Fatalf("%s reversed=%v: entry %d differs", col.name(), rev, i)
				}
			}
			if o.at(len(ref)) != nil || o.at(-1) != nil {
				t.Fatal("at out of range should be nil")
			}
		}
	}
}
