package chain

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// trieChildren returns the hashes a stored hash-scheme trie node refers
// to: the children of a branch, the child of an extension, and, for a leaf
// holding an account, the account's storage root (the storage trie hangs
// off the account trie there). Children small enough to be embedded in
// their parent are read through, since they are not stored on their own.
func trieChildren(blob []byte) ([]common.Hash, error) {
	var out []common.Hash
	err := nodeRefs(blob, &out)
	return out, err
}

func nodeRefs(blob []byte, out *[]common.Hash) error {
	content, _, err := rlp.SplitList(blob)
	if err != nil {
		return fmt.Errorf("trie node: %w", err)
	}
	n, err := rlp.CountValues(content)
	if err != nil {
		return fmt.Errorf("trie node: %w", err)
	}
	switch n {
	case 2:
		return shortNodeRefs(content, out)
	case 17:
		for i := 0; i < 16; i++ {
			var ref []byte
			if ref, content, err = splitRef(content); err != nil {
				return err
			}
			if err := childRef(ref, out); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("trie node of %d items", n)
}

// shortNodeRefs reads an extension or leaf node's items.
func shortNodeRefs(content []byte, out *[]common.Hash) error {
	key, rest, err := rlp.SplitString(content)
	if err != nil {
		return fmt.Errorf("trie node key: %w", err)
	}
	if len(key) == 0 {
		return errors.New("trie node with an empty key")
	}
	val, _, err := splitRef(rest)
	if err != nil {
		return err
	}
	if key[0]>>4 < 2 { // hex-prefix flag: an extension
		return childRef(val, out)
	}
	// A leaf: its value is a string; an account's is an RLP list inside it,
	// a storage slot's an RLP string.
	data, _, err := rlp.SplitString(val)
	if err != nil {
		return fmt.Errorf("trie leaf value: %w", err)
	}
	if kind, _, _, err := rlp.Split(data); err != nil || kind != rlp.List {
		return nil
	}
	var acc types.StateAccount
	if err := rlp.DecodeBytes(data, &acc); err != nil {
		return fmt.Errorf("trie leaf account: %w", err)
	}
	if acc.Root != types.EmptyRootHash && acc.Root != (common.Hash{}) {
		*out = append(*out, acc.Root)
	}
	return nil
}

// splitRef splits off one item, string or embedded list, whole.
func splitRef(b []byte) (item, rest []byte, err error) {
	_, _, rest, err = rlp.Split(b)
	if err != nil {
		return nil, nil, fmt.Errorf("trie node item: %w", err)
	}
	return b[:len(b)-len(rest)], rest, nil
}

// childRef reads one child reference: a 32-byte hash, an embedded node,
// or nothing.
func childRef(item []byte, out *[]common.Hash) error {
	kind, val, _, err := rlp.Split(item)
	if err != nil {
		return fmt.Errorf("trie node child: %w", err)
	}
	switch {
	case kind == rlp.List:
		return nodeRefs(item, out)
	case len(val) == common.HashLength:
		*out = append(*out, common.BytesToHash(val))
	case len(val) != 0:
		return fmt.Errorf("trie node child of %d bytes", len(val))
	}
	return nil
}
