package mempool

import (
	"bytes"
	"math/big"
)

// column is a sort column of the table.
type column int

// The sort columns, in the order `s` cycles through them.
const (
	byAge column = iota
	byTip
	byValue
	byNonce
	byFrom
	numColumns
)

// name is the column as the header shows it.
func (c column) name() string {
	return [...]string{"age", "tip", "value", "nonce", "from"}[c]
}

// natural describes the column's default direction; reversed the other.
func (c column) direction(reversed bool) string {
	d := [...][2]string{
		{"newest first", "oldest first"},
		{"highest first", "lowest first"},
		{"largest first", "smallest first"},
		{"lowest first", "highest first"},
		{"a → z", "z → a"},
	}[c]
	if reversed {
		return d[1]
	}
	return d[0]
}

// comparator returns the total order of the table for a column: the
// column's natural direction (newest, highest tip, largest value, lowest
// nonce, sender a→z), ties broken by age and finally by hash, and all of it
// flipped when reversed.
func comparator(c column, reversed bool) func(a, b *entry) int {
	primary := [...]func(a, b *entry) int{
		func(a, b *entry) int { return 0 },
		func(a, b *entry) int { return -cmpBig(a.tip, b.tip) },
		func(a, b *entry) int { return -cmpBig(a.value, b.value) },
		func(a, b *entry) int { return cmpUint(a.nonce, b.nonce) },
		func(a, b *entry) int {
			if r := bytes.Compare(a.from[:], b.from[:]); r != 0 {
				return r
			}
			return cmpUint(a.nonce, b.nonce)
		},
	}[c]
	sign := 1
	if reversed {
		sign = -1
	}
	return func(a, b *entry) int {
		if r := primary(a, b); r != 0 {
			return sign * r
		}
		if r := newestFirst(a, b); r != 0 {
			return sign * r
		}
		return sign * bytes.Compare(a.hash[:], b.hash[:])
	}
}

// newestFirst orders by arrival, the newest first; among equal arrival
// times the later seen first.
func newestFirst(a, b *entry) int {
	if a.arrival != b.arrival {
		if a.arrival > b.arrival {
			return -1
		}
		return 1
	}
	return -cmpUint(a.seq, b.seq)
}

// cmpBig compares two amounts; a missing one sorts below every amount.
func cmpBig(a, b *big.Int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Cmp(b)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
