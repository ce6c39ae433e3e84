package snapshot

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Kind says what a request asks for and what its chunk holds.
type Kind uint8

const (
	// KindAccounts is a range of the account trie: (account hash, slim
	// account RLP) entries with an edge proof against the state root.
	KindAccounts Kind = 1
	// KindStorage is a range of one account's storage trie: (slot hash,
	// RLP-encoded value) entries with an edge proof against its storage root.
	KindStorage Kind = 2
	// KindCode is contract code by code hash: (code hash, code) entries,
	// each checked by keccak on receipt.
	KindCode Kind = 3
)

func (k Kind) String() string {
	switch k {
	case KindAccounts:
		return "accounts"
	case KindStorage:
		return "storage"
	case KindCode:
		return "code"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

const (
	// MaxChunkBytes bounds an encoded chunk: a decoder refuses anything
	// larger before parsing it, and a server keeps its answers below it.
	MaxChunkBytes = 2 << 20
	// MaxRequestBytes bounds an encoded request.
	MaxRequestBytes = 16 << 10
	// MaxCodeHashes bounds the code hashes of one request.
	MaxCodeHashes = 256
	// MaxProofNodes bounds the nodes of a chunk's edge proof: two paths of
	// at most 64 nodes each in a trie keyed by 32-byte hashes.
	MaxProofNodes = 130
	// MaxProofNodeBytes bounds one proof node: a branch node of 16
	// references is at most 532 bytes, and a leaf of an account smaller.
	MaxProofNodeBytes = 1024
	// MaxCodeBytes bounds one code entry (well above EIP-170's 24 KiB).
	MaxCodeBytes = 256 << 10
	// maxValueBytes bounds an account or storage entry's value.
	maxValueBytes = 256
)

// Request asks a peer for one chunk of the state at Root.
type Request struct {
	Kind Kind
	// Root is the state root the chunk is asked of (for every kind).
	Root common.Hash
	// Account is the hash of the account whose storage is asked (storage).
	Account common.Hash
	// Origin is the first key of the range (accounts, storage).
	Origin common.Hash
	// Limit is the last key of the range, inclusive (accounts, storage).
	// The server may add the first entry past it, to prove the range ends.
	Limit common.Hash
	// MaxEntries and MaxBytes bound the answer; 0 leaves it to the server.
	MaxEntries uint64
	MaxBytes   uint64
	// Hashes are the code hashes asked (code).
	Hashes []common.Hash
}

// Entry is one (key, value) of a chunk: an account hash and its slim RLP,
// a slot hash and its RLP-encoded value, or a code hash and the code.
type Entry struct {
	Key   common.Hash
	Value []byte
}

// Chunk is a server's answer to a Request: entries in increasing key order
// and, for ranges, the trie nodes proving the first and last key.
type Chunk struct {
	Entries []Entry
	Proof   [][]byte
}

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("snapshot: malformed message")

// EncodeRequest returns the RLP encoding of r.
func EncodeRequest(r *Request) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	b, err := rlp.EncodeToBytes(r)
	if err != nil {
		return nil, fmt.Errorf("encode %s request: %w", r.Kind, err)
	}
	return b, nil
}

// DecodeRequest parses an encoded request from an untrusted peer.
func DecodeRequest(b []byte) (*Request, error) {
	if len(b) > MaxRequestBytes {
		return nil, fmt.Errorf("%w: request of %d bytes exceeds %d", ErrMalformed, len(b), MaxRequestBytes)
	}
	r := new(Request)
	if err := rlp.DecodeBytes(b, r); err != nil {
		return nil, fmt.Errorf("%w: request: %v", ErrMalformed, err)
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Request) check() error {
	switch r.Kind {
	case KindAccounts, KindStorage:
		if len(r.Hashes) != 0 {
			return fmt.Errorf("%w: %s request with code hashes", ErrMalformed, r.Kind)
		}
		if r.Origin.Cmp(r.Limit) > 0 {
			return fmt.Errorf("%w: %s request origin %x after limit %x", ErrMalformed, r.Kind, r.Origin, r.Limit)
		}
	case KindCode:
		if len(r.Hashes) == 0 || len(r.Hashes) > MaxCodeHashes {
			return fmt.Errorf("%w: code request of %d hashes (1 to %d)", ErrMalformed, len(r.Hashes), MaxCodeHashes)
		}
	default:
		return fmt.Errorf("%w: unknown kind %d", ErrMalformed, uint8(r.Kind))
	}
	return nil
}

// EncodeChunk returns the RLP encoding of c.
func EncodeChunk(c *Chunk) ([]byte, error) {
	b, err := rlp.EncodeToBytes(c)
	if err != nil {
		return nil, fmt.Errorf("encode chunk: %w", err)
	}
	if len(b) > MaxChunkBytes {
		return nil, fmt.Errorf("encode chunk: %d bytes exceeds %d", len(b), MaxChunkBytes)
	}
	return b, nil
}

// DecodeChunk parses an encoded chunk from an untrusted peer. It checks
// sizes only; VerifyAccountRange, VerifyStorageRange and VerifyCode check
// the content against what was asked.
func DecodeChunk(b []byte) (*Chunk, error) {
	if len(b) > MaxChunkBytes {
		return nil, fmt.Errorf("%w: chunk of %d bytes exceeds %d", ErrMalformed, len(b), MaxChunkBytes)
	}
	c := new(Chunk)
	if err := rlp.DecodeBytes(b, c); err != nil {
		return nil, fmt.Errorf("%w: chunk: %v", ErrMalformed, err)
	}
	if len(c.Proof) > MaxProofNodes {
		return nil, fmt.Errorf("%w: proof of %d nodes exceeds %d", ErrMalformed, len(c.Proof), MaxProofNodes)
	}
	for i, n := range c.Proof {
		if len(n) == 0 || len(n) > MaxProofNodeBytes {
			return nil, fmt.Errorf("%w: proof node %d of %d bytes (1 to %d)", ErrMalformed, i, len(n), MaxProofNodeBytes)
		}
	}
	for i, e := range c.Entries {
		if len(e.Value) == 0 || len(e.Value) > MaxCodeBytes {
			return nil, fmt.Errorf("%w: entry %d of %d bytes (1 to %d)", ErrMalformed, i, len(e.Value), MaxCodeBytes)
		}
	}
	return c, nil
}

// size is the approximate encoded size of e.
func (e *Entry) size() uint64 { return uint64(len(e.Key) + len(e.Value) + 4) }

// rlpFull is the account trie's value of acc.
func rlpFull(acc *types.StateAccount) ([]byte, error) {
	return rlp.EncodeToBytes(acc)
}
