package snapshot

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/trie"
)

// ErrInvalidChunk is wrapped by every verification failure: the chunk is
// not what an honest server holding the asked root would have answered,
// and its range should be asked of another peer.
var ErrInvalidChunk = errors.New("snapshot: invalid chunk")

// Range is what a verified range chunk proves.
type Range struct {
	// Entries are the chunk's entries inside [Origin, Limit] of the request,
	// with trie values (full account RLP for accounts).
	Entries []Entry
	// Accounts are the decoded accounts of Entries (accounts only).
	Accounts []types.StateAccount
	// Complete says the request's range is covered: Entries are every key
	// of the trie from Origin to Limit.
	Complete bool
	// Next is where the range continues when it is not Complete.
	Next common.Hash
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidChunk, fmt.Sprintf(format, args...))
}

// VerifyAccountRange checks c, the answer to the account request req,
// against the state root and returns the accounts it proves.
func VerifyAccountRange(root common.Hash, req *Request, c *Chunk) (*Range, error) {
	if req.Kind != KindAccounts {
		return nil, invalid("verify accounts for a %s request", req.Kind)
	}
	if req.Root != root {
		return nil, invalid("account request for root %x, expected %x", req.Root, root)
	}
	values := make([][]byte, len(c.Entries))
	accounts := make([]types.StateAccount, len(c.Entries))
	for i, e := range c.Entries {
		if len(e.Value) > maxValueBytes {
			return nil, invalid("account %x: %d bytes", e.Key, len(e.Value))
		}
		acc, err := types.FullAccount(e.Value)
		if err != nil {
			return nil, invalid("account %x: %v", e.Key, err)
		}
		if !bytes.Equal(types.SlimAccountRLP(*acc), e.Value) {
			return nil, invalid("account %x: not the canonical slim encoding", e.Key)
		}
		full, err := rlpFull(acc)
		if err != nil {
			return nil, invalid("account %x: %v", e.Key, err)
		}
		values[i], accounts[i] = full, *acc
	}
	r, err := verifyRange(root, req, c, values)
	if err != nil {
		return nil, err
	}
	r.Accounts = accounts[:len(r.Entries)]
	return r, nil
}

// VerifyStorageRange checks c, the answer to the storage request req,
// against storageRoot, the root of the asked account's storage trie (from
// its verified account), and returns the slots it proves.
func VerifyStorageRange(storageRoot common.Hash, req *Request, c *Chunk) (*Range, error) {
	if req.Kind != KindStorage {
		return nil, invalid("verify storage for a %s request", req.Kind)
	}
	values := make([][]byte, len(c.Entries))
	for i, e := range c.Entries {
		if len(e.Value) > maxValueBytes {
			return nil, invalid("slot %x: %d bytes", e.Key, len(e.Value))
		}
		values[i] = e.Value
	}
	return verifyRange(storageRoot, req, c, values)
}

// verifyRange checks that the entries of c are every leaf of the trie at
// root from req.Origin to their last key, and at most one past req.Limit.
func verifyRange(root common.Hash, req *Request, c *Chunk, values [][]byte) (*Range, error) {
	n := len(c.Entries)
	if root == types.EmptyRootHash {
		if n != 0 || len(c.Proof) != 0 {
			return nil, invalid("%d %s entries and %d proof nodes for an empty trie", n, req.Kind, len(c.Proof))
		}
		return &Range{Complete: true}, nil
	}
	keys := make([][]byte, n)
	for i := range c.Entries {
		keys[i] = c.Entries[i].Key[:]
		if c.Entries[i].Key.Cmp(req.Origin) < 0 {
			return nil, invalid("%s key %x before origin %x", req.Kind, c.Entries[i].Key, req.Origin)
		}
		if i < n-1 && c.Entries[i].Key.Cmp(req.Limit) > 0 {
			return nil, invalid("%s key %x past limit %x is not the last", req.Kind, c.Entries[i].Key, req.Limit)
		}
	}
	if req.MaxEntries != 0 && uint64(n) > req.MaxEntries+1 {
		return nil, invalid("%d %s entries, %d asked", n, req.Kind, req.MaxEntries)
	}
	var proof ethdb.KeyValueReader
	if len(c.Proof) > 0 {
		proof = newProofReader(c.Proof)
	} else if req.Origin != (common.Hash{}) {
		return nil, invalid("%s chunk from origin %x without proof", req.Kind, req.Origin)
	}
	more, err := trie.VerifyRangeProof(root, req.Origin[:], keys, values, proof)
	if err != nil {
		return nil, invalid("%s range from %x: %v", req.Kind, req.Origin, err)
	}
	r := &Range{}
	for i, e := range c.Entries {
		if e.Key.Cmp(req.Limit) > 0 {
			r.Complete = true
			break
		}
		r.Entries = append(r.Entries, Entry{Key: e.Key, Value: values[i]})
	}
	switch {
	case !more:
		r.Complete = true
	case n == 0:
		return nil, invalid("empty %s chunk from %x with more entries", req.Kind, req.Origin)
	case r.Complete:
	default:
		last := c.Entries[n-1].Key
		if last == req.Limit {
			r.Complete = true
		} else {
			r.Next = incHash(last)
		}
	}
	return r, nil
}

// VerifyCode checks that code is the code with this hash.
func VerifyCode(hash common.Hash, code []byte) error {
	if len(code) == 0 {
		return invalid("empty code for %x", hash)
	}
	if got := crypto.Keccak256Hash(code); got != hash {
		return invalid("code hashes to %x, expected %x", got, hash)
	}
	return nil
}

// VerifyCodes checks c, the answer to the code request req: a prefix of
// the asked hashes in order, each with its code. It returns how many of
// the asked hashes it answers.
func VerifyCodes(req *Request, c *Chunk) (int, error) {
	if req.Kind != KindCode {
		return 0, invalid("verify code for a %s request", req.Kind)
	}
	if len(c.Entries) > len(req.Hashes) {
		return 0, invalid("%d codes for %d hashes", len(c.Entries), len(req.Hashes))
	}
	if len(c.Entries) == 0 {
		return 0, invalid("no code in the answer")
	}
	if len(c.Proof) != 0 {
		return 0, invalid("code chunk with a proof")
	}
	for i, e := range c.Entries {
		if e.Key != req.Hashes[i] {
			return 0, invalid("code %d is %x, asked %x", i, e.Key, req.Hashes[i])
		}
		if err := VerifyCode(e.Key, e.Value); err != nil {
			return 0, err
		}
	}
	return len(c.Entries), nil
}

// incHash returns h+1; the caller ensures h is not the largest hash.
func incHash(h common.Hash) common.Hash {
	for i := len(h) - 1; i >= 0; i-- {
		h[i]++
		if h[i] != 0 {
			break
		}
	}
	return h
}
