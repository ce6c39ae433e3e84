package snapshot

import (
	"bytes"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

var (
	fuzzOnce  sync.Once
	fuzzState *testState
	fuzzSeeds [][]byte
)

// fuzzSetup builds an 8-account state and encodes a few honest chunks of
// it as seeds.
func fuzzSetup(t testing.TB) {
	fuzzOnce.Do(func() {
		fuzzState = buildState(t, 8, 4, 7)
		s := NewKVServer(fuzzState.kv)
		for _, req := range []*Request{
			{Kind: KindAccounts, Root: fuzzState.root, Limit: maxHash},
			{Kind: KindAccounts, Root: fuzzState.root, Origin: common.Hash{0x40}, Limit: common.Hash{0x80}, MaxEntries: 2},
		} {
			c, err := s.Serve(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := EncodeChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			fuzzSeeds = append(fuzzSeeds, b)
		}
	})
}

// FuzzDecodeChunk feeds the chunk decoder, and the verifiers after it,
// what a hostile peer could send: nothing may panic, and what decodes
// encodes back to an equal chunk.
func FuzzDecodeChunk(f *testing.F) {
	fuzzSetup(f)
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add([]byte{0xc2, 0xc0, 0xc0})
	f.Add([]byte{0xc0})
	root := fuzzState.root
	reqs := []*Request{
		{Kind: KindAccounts, Root: root, Limit: maxHash},
		{Kind: KindAccounts, Root: root, Origin: common.Hash{0x40}, Limit: common.Hash{0x80}, MaxEntries: 2},
		{Kind: KindStorage, Root: root, Limit: maxHash},
		{Kind: KindCode, Root: root, Hashes: []common.Hash{{1}, {2}}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeChunk(data)
		if err != nil {
			return
		}
		b, err := EncodeChunk(c)
		if err != nil {
			t.Fatalf("decoded chunk does not encode: %v", err)
		}
		c2, err := DecodeChunk(b)
		if err != nil {
			t.Fatalf("re-encoded chunk does not decode: %v", err)
		}
		if b2, _ := EncodeChunk(c2); !bytes.Equal(b, b2) {
			t.Fatal("chunk encoding is not stable")
		}
		VerifyAccountRange(root, reqs[0], c)
		VerifyAccountRange(root, reqs[1], c)
		VerifyStorageRange(root, reqs[2], c)
		VerifyCodes(reqs[3], c)
	})
}

// FuzzDecodeRequest feeds the request decoder, and a server after it:
// nothing may panic, and what decodes encodes back to an equal request.
func FuzzDecodeRequest(f *testing.F) {
	fuzzSetup(f)
	for _, r := range []*Request{
		{Kind: KindAccounts, Root: fuzzState.root, Limit: maxHash},
		{Kind: KindStorage, Root: fuzzState.root, Account: common.Hash{3}, Limit: maxHash, MaxBytes: 100},
		{Kind: KindCode, Root: fuzzState.root, Hashes: []common.Hash{{1}}},
	} {
		b, err := EncodeRequest(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s := NewKVServer(fuzzState.kv)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeRequest(data)
		if err != nil {
			return
		}
		b, err := EncodeRequest(r)
		if err != nil {
			t.Fatalf("decoded request does not encode: %v", err)
		}
		if _, err := DecodeRequest(b); err != nil {
			t.Fatalf("re-encoded request does not decode: %v", err)
		}
		if c, err := s.Serve(r); err == nil {
			if _, err := EncodeChunk(c); err != nil {
				t.Fatalf("served chunk does not encode: %v", err)
			}
		}
	})
}
