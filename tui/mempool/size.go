package mempool

import (
	"math/big"

	"cairn/node/api"
)

// estimateSize is the encoded size of a transaction seen only as an event
// (events carry no size): the RLP of its fields plus a full-length
// signature. It misses access-list entries and leading zero bytes of the
// signature, a few bytes at most; the next fetch puts in the exact size.
// It allocates nothing, so a flood of events stays cheap.
func estimateSize(tx *api.Tx) int {
	n := uintSize(tx.Nonce) + uintSize(tx.Gas) + bigSize(asInt(tx.Value)) + bytesSize(len(tx.Input))
	n += 1 + 33 + 33 // v, r, s
	if tx.To != nil {
		n += 21
	} else {
		n++
	}
	switch tx.Type {
	case 0:
		n += bigSize(asInt(tx.GasPrice))
	default:
		n += 3 + 1 // chain ID (devnet-sized), empty access list
		if tx.Type == 1 {
			n += bigSize(asInt(tx.GasPrice))
		} else {
			n += bigSize(asInt(tx.MaxPriorityFeePerGas)) + bigSize(asInt(tx.MaxFeePerGas))
		}
	}
	n += listHeader(n)
	if tx.Type != 0 {
		n++ // the type byte
	}
	return n
}

// uintSize is the RLP size of an integer.
func uintSize(v uint64) int {
	if v < 0x80 {
		return 1
	}
	return 1 + byteLen(v)
}

// byteLen is how many bytes v takes without leading zeros.
func byteLen(v uint64) int {
	n := 0
	for ; v > 0; v >>= 8 {
		n++
	}
	return n
}

func bigSize(v *big.Int) int {
	if v == nil || v.BitLen() <= 64 {
		if v == nil {
			return 1
		}
		return uintSize(v.Uint64())
	}
	return bytesSize((v.BitLen() + 7) / 8)
}

func bytesSize(n int) int { return n + listHeader(n) }

// listHeader is the size of an RLP string or list header for n bytes of
// payload.
func listHeader(n int) int {
	if n < 56 {
		return 1
	}
	return 1 + byteLen(uint64(n))
}
