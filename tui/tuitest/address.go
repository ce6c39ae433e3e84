package tuitest

import "github.com/ethereum/go-ethereum/common"

// BadChecksum writes addr in EIP-55 case with one letter's case flipped.
func BadChecksum(addr common.Address) string {
	b := []byte(addr.Hex())
	for i := 2; i < len(b); i++ {
		switch {
		case b[i] >= 'a' && b[i] <= 'f':
			b[i] -= 'a' - 'A'
			return string(b)
		case b[i] >= 'A' && b[i] <= 'F':
			b[i] += 'a' - 'A'
			return string(b)
		}
	}
	panic("no letter in the address")
}
