package staking

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// The staking state is words in the storage of the staking account, so it
// is part of the state root, and a reverted call rolls it back like any
// contract's. Every word's slot is keccak256 of a tag and the record's key.
const (
	tagGlobal     = 'g' // name
	tagValidator  = 'v' // operator, field
	tagConsKey    = 'k' // consensus key → operator
	tagDelegation = 'd' // delegator, validator, field
	tagEntry      = 'e' // entry id, field
	tagEvidence   = 'x' // evidence id → 1
	tagBitmap     = 'b' // operator, word index: missed commits
	tagList       = 'l' // list key, then element index
)

// db reads and writes the staking words of one state.
type db struct{ st vm.StateDB }

func slot(tag byte, parts ...[]byte) common.Hash {
	buf := []byte{tag}
	for _, p := range parts {
		buf = append(buf, p...)
	}
	return crypto.Keccak256Hash(buf)
}

func u64b(x uint64) []byte { return binary.BigEndian.AppendUint64(nil, x) }

func (d db) word(k common.Hash) common.Hash       { return d.st.GetState(Address, k) }
func (d db) setWord(k common.Hash, v common.Hash) { d.st.SetState(Address, k, v) }

func (d db) u256(k common.Hash) *uint256.Int {
	w := d.word(k)
	return new(uint256.Int).SetBytes32(w[:])
}

func (d db) setU256(k common.Hash, v *uint256.Int) { d.setWord(k, v.Bytes32()) }

func (d db) u64(k common.Hash) uint64 {
	w := d.word(k)
	return binary.BigEndian.Uint64(w[24:])
}

func (d db) setU64(k common.Hash, v uint64) {
	var w common.Hash
	binary.BigEndian.PutUint64(w[24:], v)
	d.setWord(k, w)
}

func (d db) addr(k common.Hash) common.Address {
	w := d.word(k)
	return common.BytesToAddress(w[12:])
}

func (d db) setAddr(k common.Hash, a common.Address) { d.setWord(k, common.BytesToHash(a[:])) }

// bytes reads a byte string stored as its length at k and its 32-byte
// chunks at the slots derived from k.
func (d db) bytes(k common.Hash) []byte {
	n := d.u64(k)
	out := make([]byte, 0, n)
	for i := uint64(0); uint64(len(out)) < n; i++ {
		w := d.word(slot(tagList, k[:], u64b(i)))
		out = append(out, w[:min(32, int(n)-len(out))]...)
	}
	return out
}

func (d db) setBytes(k common.Hash, b []byte) {
	d.setU64(k, uint64(len(b)))
	for i := 0; i*32 < len(b); i++ {
		var w common.Hash
		copy(w[:], b[i*32:])
		d.setWord(slot(tagList, k[:], u64b(uint64(i))), w)
	}
}

// list is an unordered array of words in storage: its length at base and
// element i at slot(base, i). Removal moves the last element into the
// hole, so it is O(1) and callers that index elements must follow moves.
type list struct {
	d    db
	base common.Hash
}

func (d db) list(name string, key ...[]byte) list {
	return list{d, slot(tagList, append([][]byte{[]byte(name)}, key...)...)}
}

func (l list) Len() uint64                  { return l.d.u64(l.base) }
func (l list) at(i uint64) common.Hash      { return slot(tagList, l.base[:], u64b(i)) }
func (l list) Get(i uint64) common.Hash     { return l.d.word(l.at(i)) }
func (l list) Addr(i uint64) common.Address { return common.BytesToAddress(l.Get(i).Bytes()[12:]) }

// Push appends w and returns its index.
func (l list) Push(w common.Hash) uint64 {
	n := l.Len()
	l.d.setWord(l.at(n), w)
	l.d.setU64(l.base, n+1)
	return n
}

// Remove deletes element i and returns the element moved into its place
// (and true) unless i was the last.
func (l list) Remove(i uint64) (common.Hash, bool) {
	n := l.Len()
	last := l.Get(n - 1)
	l.d.setWord(l.at(n-1), common.Hash{})
	l.d.setU64(l.base, n-1)
	if i == n-1 {
		return common.Hash{}, false
	}
	l.d.setWord(l.at(i), last)
	return last, true
}

func addrWord(a common.Address) common.Hash { return common.BytesToHash(a[:]) }

func u64Word(x uint64) common.Hash {
	var w common.Hash
	binary.BigEndian.PutUint64(w[24:], x)
	return w
}

func wordU64(w common.Hash) uint64 { return binary.BigEndian.Uint64(w[24:]) }
