package chain

import (
	"math/big"

	"cairn/chain/bigint"
)

// BigInt is an amount of wei as genesis and the API write it: a decimal
// string in JSON.
type BigInt = bigint.Int

// NewBigInt wraps a copy of x.
func NewBigInt(x *big.Int) *BigInt { return bigint.New(x) }
