package main

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// testStore writes a bbolt file shaped like Cairn's store: a few buckets,
// one with enough keys for a multi-level tree and values large enough to
// overflow a page, a small one that stays inline, and a nested bucket. It
// commits several transactions, so the two meta pages differ. It returns
// the file, the values of "blocks" and the last transaction ID.
func testStore(t *testing.T) (path string, blocks map[uint64][]byte, txid uint64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "chain.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	blocks = map[uint64][]byte{}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 5; round++ {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("blocks"))
			if err != nil {
				return err
			}
			for i := 0; i < 60; i++ {
				h := uint64(round*60 + i + 1)
				v := make([]byte, 100+rng.IntN(300))
				if i%25 == 0 {
					v = make([]byte, 9000) // overflows two pages
				}
				for j := range v {
					v[j] = byte(rng.Uint32())
				}
				blocks[h] = v
				if err := b.Put(binary.BigEndian.AppendUint64(nil, h), v); err != nil {
					return err
				}
			}
			meta, err := tx.CreateBucketIfNotExists([]byte("meta"))
			if err != nil {
				return err
			}
			if err := meta.Put([]byte("head"), binary.BigEndian.AppendUint64(nil, uint64(round))); err != nil {
				return err
			}
			nested, err := meta.CreateBucketIfNotExists([]byte("nested"))
			if err != nil {
				return err
			}
			return nested.Put([]byte("k"), []byte("v"))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db.View(func(tx *bolt.Tx) error { txid = uint64(tx.ID()); return nil })
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path, blocks, txid
}

func readTestStore(t *testing.T, path string) ([]byte, *boltFile) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseBolt(data)
	if err != nil {
		t.Fatal(err)
	}
	return data, f
}

func TestParseBoltMetas(t *testing.T) {
	path, _, txid := testStore(t)
	_, f := readTestStore(t, path)
	if f.psize != int64(os.Getpagesize()) {
		t.Errorf("page size %d, want %d", f.psize, os.Getpagesize())
	}
	if !f.metas[0].Valid || !f.metas[1].Valid {
		t.Fatalf("metas not both valid: %+v", f.metas)
	}
	if f.meta.Txid != txid || f.newestMeta().Txid != txid {
		t.Errorf("newest meta txid %d, want %d", f.meta.Txid, txid)
	}
	if other := f.metas[1-f.meta.Page]; other.Txid != txid-1 {
		t.Errorf("older meta txid %d, want %d", other.Txid, txid-1)
	}
}

func TestLookupFindsEveryValue(t *testing.T) {
	path, blocks, _ := testStore(t)
	data, f := readTestStore(t, path)
	bk, err := f.bucket("blocks")
	if err != nil {
		t.Fatal(err)
	}
	if bk.Root == 0 {
		t.Fatal("the blocks bucket should have pages of its own")
	}
	root, err := f.page(bk.Root)
	if err != nil {
		t.Fatal(err)
	}
	if root.Flags != boltBranch {
		t.Fatalf("blocks root is a %s, want a branch (a multi-level tree)", pageType(root.Flags))
	}
	for h, want := range blocks {
		off, n, err := f.lookup(bk, binary.BigEndian.AppendUint64(nil, h))
		if err != nil {
			t.Fatalf("key %d: %v", h, err)
		}
		if !bytes.Equal(data[off:off+n], want) {
			t.Fatalf("key %d: value at %d differs", h, off)
		}
	}
	if _, _, err := f.lookup(bk, binary.BigEndian.AppendUint64(nil, 100000)); err == nil {
		t.Error("a missing key was found")
	}
	// The inline bucket inside meta is found through its parent.
	meta, err := f.bucket("meta")
	if err != nil {
		t.Fatal(err)
	}
	off, n, err := f.lookup(meta, []byte("head"))
	if err != nil || binary.BigEndian.Uint64(data[off:off+n]) != 4 {
		t.Errorf("meta/head: %v %x", err, data[off:off+n])
	}
}

// TestPagesInUseMatchesBbolt compares the walk with bbolt's own count of
// each bucket's pages.
func TestPagesInUseMatchesBbolt(t *testing.T) {
	path, _, _ := testStore(t)
	_, f := readTestStore(t, path)
	pages, err := f.pagesInUse()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	seen := map[uint64]bool{}
	for _, p := range pages {
		if p.ID < 2 || p.ID >= f.meta.Pgid {
			t.Errorf("page %d outside 2..%d", p.ID, f.meta.Pgid)
		}
		if seen[p.ID] {
			t.Errorf("page %d listed twice", p.ID)
		}
		seen[p.ID] = true
		got[p.Bucket]++
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		for _, name := range []string{"blocks", "meta"} {
			st := tx.Bucket([]byte(name)).Stats()
			// Stats count nested buckets' pages too; meta's one is inline.
			want := st.BranchPageN + st.LeafPageN
			if got[name] != want {
				t.Errorf("bucket %s: walk found %d pages, bbolt counts %d", name, got[name], want)
			}
		}
		return nil
	})
	if got[""] != 1 {
		t.Errorf("root bucket: %d pages, want 1", got[""])
	}
	for _, p := range pages {
		if d := f.describePage(p.ID); !strings.Contains(d, pageType(p.Flags)) {
			t.Errorf("describePage(%d) = %q", p.ID, d)
		}
	}
}

// TestFlipNewestMetaFallsBack checks the meta damage does what it says:
// bbolt then opens the older transaction.
func TestFlipNewestMetaFallsBack(t *testing.T) {
	path, _, txid := testStore(t)
	data, f := readTestStore(t, path)
	m := f.newestMeta()
	out, err := flipBit(data, m.ChecksumOffset(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	_, f2 := readTestStore(t, path)
	if f2.metas[m.Page].Valid {
		t.Error("the flipped meta page still checks out")
	}
	if f2.meta.Txid != txid-1 {
		t.Errorf("reads from txid %d, want the older %d", f2.meta.Txid, txid-1)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if uint64(tx.ID()) != txid-1 {
			t.Errorf("bbolt opens txid %d, want %d", tx.ID(), txid-1)
		}
		return nil
	})
}

func TestFlipPageHeaderMakesAnInvalidType(t *testing.T) {
	path, _, _ := testStore(t)
	data, f := readTestStore(t, path)
	bk, _ := f.bucket("blocks")
	n, err := f.page(bk.Root)
	if err != nil {
		t.Fatal(err)
	}
	out, err := flipBit(data, n.Off+8, 0)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := parseBolt(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f2.page(bk.Root); err == nil || !strings.Contains(err.Error(), "not a branch or leaf") {
		t.Errorf("page with a flipped flag: %v", err)
	}
}

func TestZeroPageAndFlipBit(t *testing.T) {
	data := bytes.Repeat([]byte{0xAA}, 4*4096)
	out, err := zeroPage(data, 2, 4096)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range out {
		want := byte(0xAA)
		if i >= 2*4096 && i < 3*4096 {
			want = 0
		}
		if b != want {
			t.Fatalf("byte %d is %#x, want %#x", i, b, want)
		}
	}
	if data[2*4096] != 0xAA {
		t.Error("zeroPage changed its input")
	}
	if _, err := zeroPage(data, 4, 4096); err == nil {
		t.Error("a page past the end was zeroed")
	}
	out, err = flipBit(data, 5, 3)
	if err != nil || out[5] != 0xAA^0x08 || data[5] != 0xAA {
		t.Errorf("flipBit: %v %#x", err, out[5])
	}
	for _, bad := range []struct {
		off int64
		bit uint
	}{{-1, 0}, {int64(len(data)), 0}, {0, 8}} {
		if _, err := flipBit(data, bad.off, bad.bit); err == nil {
			t.Errorf("flipBit(%d, %d) did not fail", bad.off, bad.bit)
		}
	}
}

// TestWalkDamagedFilesNeverPanics walks files with random damage: errors
// are fine, a panic is not.
func TestWalkDamagedFilesNeverPanics(t *testing.T) {
	path, _, _ := testStore(t)
	data, _ := readTestStore(t, path)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		d := bytes.Clone(data)
		switch i % 3 {
		case 0:
			for range 1 + rng.IntN(20) {
				d[rng.IntN(len(d))] ^= byte(1 << rng.IntN(8))
			}
		case 1:
			d = d[:rng.IntN(len(d))]
		case 2:
			off := rng.IntN(len(d) / 4096)
			clear(d[off*4096 : (off+1)*4096])
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("case %d: panic: %v", i, r)
				}
			}()
			f, err := parseBolt(d)
			if err != nil {
				return
			}
			f.pagesInUse()
			if bk, err := f.bucket("blocks"); err == nil {
				for h := uint64(1); h < 310; h += 7 {
					f.lookup(bk, binary.BigEndian.AppendUint64(nil, h))
				}
			}
			f.describePage(uint64(rng.IntN(100)))
		}()
	}
	if _, err := parseBolt(data[:100]); err == nil {
		t.Error("a 100-byte file parsed")
	}
	if _, err := parseBolt(make([]byte, 8192)); err == nil {
		t.Error("a zero file parsed")
	}
}
