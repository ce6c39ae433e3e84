package snapshot

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// TestOutOfRangeRefused checks entries outside the asked range: before the
// origin, more than one past the limit, and a whole trie without proof
// answering a request that does not start at zero.
func TestOutOfRangeRefused(t *testing.T) {
	ts := smallState(t)
	s := NewKVServer(ts.kv)
	whole, err := s.Serve(&Request{Kind: KindAccounts, Root: ts.root, Limit: maxHash, MaxBytes: MaxChunkBytes})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Proof) != 0 || len(whole.Entries) != len(ts.addrs) {
		t.Fatalf("whole trie: %d entries, %d proof nodes", len(whole.Entries), len(whole.Proof))
	}
	mid := whole.Entries[len(whole.Entries)/2].Key
	later := &Request{Kind: KindAccounts, Root: ts.root, Origin: mid, Limit: maxHash}
	if _, err := VerifyAccountRange(ts.root, later, whole); !errors.Is(err, ErrInvalidChunk) {
		t.Fatalf("whole trie without proof for origin %x: %v", mid, err)
	}
	early, err := s.Serve(&Request{Kind: KindAccounts, Root: ts.root, Origin: whole.Entries[10].Key, Limit: maxHash, MaxEntries: 20})
	if err != nil {
		t.Fatal(err)
	}
	fromLater := &Request{Kind: KindAccounts, Root: ts.root, Origin: whole.Entries[12].Key, Limit: maxHash}
	if _, err := VerifyAccountRange(ts.root, fromLater, early); !errors.Is(err, ErrInvalidChunk) {
		t.Fatalf("entries before the origin: %v", err)
	}
	shortLimit := &Request{Kind: KindAccounts, Root: ts.root, Origin: whole.Entries[10].Key, Limit: whole.Entries[15].Key}
	if _, err := VerifyAccountRange(ts.root, shortLimit, early); !errors.Is(err, ErrInvalidChunk) {
		t.Fatalf("entries past the limit: %v", err)
	}
	// The honest answer to the short range stops one past its limit and
	// proves it complete.
	c, err := s.Serve(shortLimit)
	if err != nil {
		t.Fatal(err)
	}
	r, err := VerifyAccountRange(ts.root, shortLimit, c)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Complete || len(r.Entries) != 6 || len(c.Entries) != 7 {
		t.Fatalf("short range: complete %v, %d entries of %d", r.Complete, len(r.Entries), len(c.Entries))
	}
	// Storage of one account verified against another's storage root.
	all, err := VerifyAccountRange(ts.root, &Request{Kind: KindAccounts, Root: ts.root, Limit: maxHash}, whole)
	if err != nil {
		t.Fatal(err)
	}
	var withStorage, other common.Hash
	for i, a := range all.Accounts {
		switch {
		case a.Root == types.EmptyRootHash:
		case withStorage == (common.Hash{}):
			withStorage = all.Entries[i].Key
		case other == (common.Hash{}):
			other = a.Root
		}
	}
	req := &Request{Kind: KindStorage, Root: ts.root, Account: withStorage, Limit: maxHash}
	sc, err := s.Serve(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyStorageRange(other, req, sc); !errors.Is(err, ErrInvalidChunk) {
		t.Fatalf("storage verified against another account's root: %v", err)
	}
	if err := VerifyCode(common.Hash{1}, []byte{0x60}); !errors.Is(err, ErrInvalidChunk) {
		t.Fatalf("VerifyCode of a wrong hash: %v", err)
	}
}
