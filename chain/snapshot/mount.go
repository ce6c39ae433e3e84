package snapshot

import (
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// The account trie is rebuilt in 256 partitions, one per first byte of the
// account hash, each a stack trie of the keys with that byte stripped: its
// nodes are those of the full trie below depth two (node hashes do not
// depend on where a node sits). mountRoot puts the two top levels over the
// partition roots, as the full trie has them.

// mountRoot returns the root node of the trie whose depth-two subtries are
// parts (nil: empty), calling write for every node it makes that is not
// embedded in its parent. It returns nil for an empty trie.
func mountRoot(parts *[256][]byte, write func([]byte)) ([]byte, error) {
	var top [16][]byte
	for hi := range 16 {
		var kids [16][]byte
		copy(kids[:], parts[hi*16:hi*16+16])
		n, err := mountNode(&kids)
		if err != nil {
			return nil, fmt.Errorf("mount %x: %w", hi, err)
		}
		if len(n) >= 32 {
			write(n)
		}
		top[hi] = n
	}
	return mountNode(&top)
}

// mountNode returns the node over the 16 children of a branch position: a
// branch of two or more, the one child with its nibble prepended, or nil.
func mountNode(kids *[16][]byte) ([]byte, error) {
	count, only := 0, 0
	for i, k := range kids {
		if k != nil {
			count, only = count+1, i
		}
	}
	switch count {
	case 0:
		return nil, nil
	case 1:
		return prependNibble(byte(only), kids[only])
	}
	w := rlp.NewEncoderBuffer(nil)
	l := w.List()
	for _, k := range kids {
		writeRef(&w, k)
	}
	w.WriteBytes(nil)
	w.ListEnd(l)
	return w.ToBytes(), nil
}

// writeRef writes a reference to node n: its hash, the node itself when
// shorter than a hash, or the empty string.
func writeRef(w *rlp.EncoderBuffer, n []byte) {
	switch {
	case n == nil:
		w.WriteBytes(nil)
	case len(n) < 32:
		w.Write(n)
	default:
		w.WriteBytes(crypto.Keccak256(n))
	}
}

// prependNibble returns node n moved one level up, under nibble: a branch
// becomes the child of a one-nibble extension, a leaf or extension gets
// the nibble in front of its key.
func prependNibble(nibble byte, n []byte) ([]byte, error) {
	elems, _, err := rlp.SplitList(n)
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	count, err := rlp.CountValues(elems)
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	w := rlp.NewEncoderBuffer(nil)
	l := w.List()
	switch count {
	case 17:
		w.WriteBytes(hexToCompact([]byte{nibble}))
		writeRef(&w, n)
	case 2:
		key, rest, err := rlp.SplitString(elems)
		if err != nil {
			return nil, fmt.Errorf("node key: %w", err)
		}
		hex, err := compactToHex(key)
		if err != nil {
			return nil, err
		}
		w.WriteBytes(hexToCompact(append([]byte{nibble}, hex...)))
		w.Write(rest)
	default:
		return nil, fmt.Errorf("node of %d elements", count)
	}
	w.ListEnd(l)
	return w.ToBytes(), nil
}

// hexToCompact is the hex-prefix encoding of a nibble key, a leaf's when
// it ends with the terminator 16.
func hexToCompact(hex []byte) []byte {
	var flag byte
	if n := len(hex); n > 0 && hex[n-1] == 16 {
		flag, hex = 2, hex[:n-1]
	}
	out := make([]byte, len(hex)/2+1)
	if len(hex)%2 == 1 {
		flag++
		out[0] = flag<<4 | hex[0]
		hex = hex[1:]
	} else {
		out[0] = flag << 4
	}
	for i := 0; i < len(hex); i += 2 {
		out[i/2+1] = hex[i]<<4 | hex[i+1]
	}
	return out
}

// compactToHex decodes a hex-prefix key, appending the terminator 16 to a
// leaf's.
func compactToHex(c []byte) ([]byte, error) {
	if len(c) == 0 {
		return nil, fmt.Errorf("empty node key")
	}
	flag := c[0] >> 4
	if flag > 3 {
		return nil, fmt.Errorf("node key flag %d", flag)
	}
	var hex []byte
	if flag&1 == 1 {
		hex = append(hex, c[0]&0x0f)
	}
	for _, b := range c[1:] {
		hex = append(hex, b>>4, b&0x0f)
	}
	if flag&2 == 2 {
		hex = append(hex, 16)
	}
	return hex, nil
}
