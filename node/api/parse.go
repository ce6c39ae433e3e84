package api

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// ParseHash reads a 32-byte hash written as 0x followed by 64 hex digits.
// The error is an *Error (400) that says what was wrong.
func ParseHash(s string) (common.Hash, error) {
	b, err := parseHexN(s, common.HashLength)
	if err != nil {
		return common.Hash{}, BadRequest("invalid hash %.80q: %s", s, err.Message)
	}
	return common.BytesToHash(b), nil
}

// ParseAddress reads a 20-byte address written as 0x followed by 40 hex
// digits (the 0x may be left out). A mixed-case address must carry a valid
// EIP-55 checksum, which catches most typos. The error is an *Error (400).
func ParseAddress(s string) (common.Address, error) {
	hexPart := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	b, err := parseHexN("0x"+hexPart, common.AddressLength)
	if err != nil {
		return common.Address{}, BadRequest("invalid address %.80q: %s", s, err.Message)
	}
	addr := common.BytesToAddress(b)
	if hexPart != strings.ToLower(hexPart) && hexPart != strings.ToUpper(hexPart) {
		if addr.Hex()[2:] != hexPart {
			return common.Address{}, BadRequest("invalid address %.80q: bad EIP-55 checksum (mixed case must match %s)", s, addr.Hex())
		}
	}
	return addr, nil
}

// parseHex decodes a 0x-prefixed hex string of any even length.
func parseHex(s string) ([]byte, *Error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return nil, BadRequest("hex string must start with 0x")
	}
	digits := s[2:]
	if len(digits)%2 != 0 {
		return nil, BadRequest("hex string has an odd number of digits")
	}
	b, err := hex.DecodeString(digits)
	if err != nil {
		return nil, BadRequest("invalid hex: %v", err)
	}
	return b, nil
}

// parseHexN decodes a 0x-prefixed hex string of exactly n bytes.
func parseHexN(s string, n int) ([]byte, *Error) {
	b, err := parseHex(s)
	if err != nil {
		return nil, err
	}
	if len(b) != n {
		return nil, BadRequest("want 0x followed by %d hex digits, got %d", 2*n, 2*len(b))
	}
	return b, nil
}

// BlockID is a parsed block identifier: the head, a height or a hash.
type BlockID struct {
	Latest bool
	Height uint64
	Hash   *common.Hash
}

// ParseBlockID reads "latest", a decimal height or a 0x block hash.
func ParseBlockID(s string) (BlockID, *Error) {
	switch {
	case s == "latest":
		return BlockID{Latest: true}, nil
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		b, err := parseHexN(s, common.HashLength)
		if err != nil {
			return BlockID{}, BadRequest("invalid block hash %.80q: %s", s, err.Message)
		}
		h := common.BytesToHash(b)
		return BlockID{Hash: &h}, nil
	}
	h, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return BlockID{}, BadRequest("invalid block id %.80q: want a decimal height, a 0x block hash or \"latest\"", s)
	}
	return BlockID{Height: h}, nil
}
