package chain

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// openChecks counts the checks the opens run in fn make, by kind.
func openChecks(fn func()) (full, quick uint64) {
	f0, q0 := storeOpenChecks.full.Load(), storeOpenChecks.quick.Load()
	fn()
	return storeOpenChecks.full.Load() - f0, storeOpenChecks.quick.Load() - q0
}

func wantChecks(t testing.TB, what string, full, quick, wantFull, wantQuick uint64) {
	t.Helper()
	if full != wantFull || quick != wantQuick {
		t.Fatalf("%s: %d full walks and %d quick checks, want %d and %d", what, full, quick, wantFull, wantQuick)
	}
}

func markerExists(path string) bool {
	_, err := os.Stat(cleanMarkerPath(path))
	return err == nil
}

// boltCheck runs bbolt's own consistency check on a closed store file:
// every page reachable or free, none both, none twice.
func boltCheck(t testing.TB, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, FreelistType: bolt.FreelistArrayType})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatalf("bbolt check of %s: %v", path, err)
	}
}

// A store closed cleanly is reopened with the quick check, not the walk
// of every page; the marker is gone while the store is open, and is
// written again by the next clean close.
func TestCleanReopenSkipsTheWalk(t *testing.T) {
	d := buildDamageStore(t, 4)
	if !markerExists(d.path) {
		t.Fatal("no clean-close marker after a clean close")
	}
	for round := 0; round < 3; round++ {
		var (
			c     *Chain
			store *Store
		)
		full, quick := openChecks(func() { c, store = openTestChain(t, d.dir) })
		wantChecks(t, fmt.Sprintf("round %d: reopen after a clean close", round), full, quick, 0, 1)
		if markerExists(d.path) {
			t.Fatal("the clean-close marker is still there while the store is open")
		}
		for h, want := range d.blocks {
			if b, err := c.BlockByHeight(uint64(h)); err != nil || b.Hash() != want.Hash() {
				t.Fatalf("block %d: %v", h, err)
			}
		}
		b, _ := produce(t, c, transfer(t, c, devKey0, uint64(10+round), common.HexToAddress("0x01"), 1))
		d.blocks = append(d.blocks, b)
		c.Close()
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		if !markerExists(d.path) {
			t.Fatal("no clean-close marker after a clean close")
		}
		if err := store.Close(); err != nil { // a second close changes nothing
			t.Fatalf("second close: %v", err)
		}
		boltCheck(t, d.path)
	}
}

// A store that was not closed cleanly gets the full walk: no marker (a
// process that died leaves none), or a marker that no longer describes
// the file (something wrote to it after the close the marker is of).
func TestUncleanReopenWalks(t *testing.T) {
	d := buildDamageStore(t, 4) // nonces 0..9 used
	old, err := os.ReadFile(cleanMarkerPath(d.path))
	if err != nil {
		t.Fatal(err)
	}

	// Left without a close: the file is whole (bbolt committed every
	// block), but nothing says so.
	c, store := openTestChain(t, d.dir)
	produce(t, c, transfer(t, c, devKey0, 10, common.HexToAddress("0x01"), 1))
	c.Close()
	if err := store.db.Close(); err != nil { // the file let go of, as by a dying process; no marker
		t.Fatal(err)
	}
	full, quick := openChecks(func() { c, store = openTestChain(t, d.dir) })
	wantChecks(t, "reopen without a marker", full, quick, 1, 0)
	if h := c.Head().Height(); h != 5 {
		t.Fatalf("head %d after the unclean stop, want 5", h)
	}
	produce(t, c, transfer(t, c, devKey0, 11, common.HexToAddress("0x01"), 1))
	c.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	// The marker of an earlier close: the file has moved on since.
	if err := os.WriteFile(cleanMarkerPath(d.path), old, 0o600); err != nil {
		t.Fatal(err)
	}
	full, quick = openChecks(func() { c, store = openTestChain(t, d.dir) })
	wantChecks(t, "reopen with a stale marker", full, quick, 1, 0)
	if h := c.Head().Height(); h != 6 {
		t.Fatalf("head %d, want 6", h)
	}
	c.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	// A marker that is not whole.
	cur, err := os.ReadFile(cleanMarkerPath(d.path))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{cur[:len(cur)/2], bytes.Replace(cur, []byte("txid="), []byte("txid=1"), 1), nil} {
		if err := os.WriteFile(cleanMarkerPath(d.path), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		full, quick = openChecks(func() { c, store = openTestChain(t, d.dir) })
		wantChecks(t, fmt.Sprintf("reopen with marker %q", bad), full, quick, 1, 0)
		c.Close()
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
	}
	full, quick = openChecks(func() { c, store = openTestChain(t, d.dir) })
	wantChecks(t, "reopen after a clean close", full, quick, 0, 1)
	c.Close()
	store.Close()
}

// A store whose free list page changed after its clean close gets the
// full walk (the marker holds the page's CRC), and a free list that lists
// a page that does not exist, a meta page, a page twice or a page in use
// is refused: bbolt would hand those pages out to be overwritten.
func TestDamagedFreelistIsRefused(t *testing.T) {
	d := buildDamageStore(t, 8)
	f, m := openWithMeta(t, d.path)
	f.Close()
	full := d.read(t)
	off := m.freelist * m.pageSize
	hdr := parsePageHeader(full[off:])
	if hdr.flags != freelistPageFlag || hdr.count < 2 || hdr.count == 0xFFFF {
		t.Fatalf("free list page %d: flags %#x, %d entries; want a few", m.freelist, hdr.flags, hdr.count)
	}
	entry := func(i int) []byte { return full[off+pageHeaderSize+8*uint64(i):][:8] }
	_, leaves, _ := pagesOf(t, d.path)
	for _, c := range []struct {
		name, says string
		apply      func(data []byte)
	}{
		{"header zeroed", "is marked as page 0", func(data []byte) { clear(data[off : off+pageHeaderSize]) }},
		{"leaf type", "is a leaf page", func(data []byte) { data[off+8] = leafPageFlag }},
		{"huge count", "do not fit", func(data []byte) { data[off+10], data[off+11] = 0xfe, 0xff }},
		{"meta page listed", "outside the file's pages", func(data []byte) { copy(data[off+pageHeaderSize:], u64le(1)) }},
		{"page past the end listed", "outside the file's pages", func(data []byte) { copy(data[off+pageHeaderSize:], u64le(m.pgid+5)) }},
		{"page listed twice", "listed twice", func(data []byte) { copy(data[off+pageHeaderSize+8:], entry(0)) }},
		{"leaf in use listed", "in use", func(data []byte) { copy(data[off+pageHeaderSize:], u64le(leaves[0])) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			d.write(t, full)
			d.markClean(t)
			data := bytes.Clone(full)
			c.apply(data)
			d.write(t, data)
			full, quick := openChecks(func() { openMustFail(t, d.path, c.name, "free list", c.says) })
			wantChecks(t, c.name, full, quick, 1, 0)
		})
	}
	d.write(t, full)
	d.open(t)
}

// A page damaged after a clean close, where the marker still matches (the
// damage is not in the meta or free list pages the quick check reads), is
// not found at open. It is found when it is read: every read and write of
// the store through its API is then an error wrapping ErrStoreDamaged or
// a right answer, never a panic or another block; and the close after it
// leaves no marker, so the next open walks the file and refuses it.
func TestDamageAfterCleanCloseIsAnErrorNotACrash(t *testing.T) {
	d := buildDamageStore(t, 8)
	full, cases := pageDamages(t, d)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "chain.db") // a store left locked by a broken write stays so
			data := bytes.Clone(full)
			c.apply(data)
			if err := os.WriteFile(path, full, 0o600); err != nil {
				t.Fatal(err)
			}
			(&damageStore{path: path}).markClean(t)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			ok := func(what string, err error) bool {
				t.Helper()
				if err != nil && !errors.Is(err, ErrStoreDamaged) {
					t.Fatalf("%s: %v, want nil or an error wrapping ErrStoreDamaged", what, err)
				}
				return err == nil
			}
			var (
				store *Store
				err   error
			)
			fullWalks, quick := openChecks(func() { store, err = OpenStore(path) })
			wantChecks(t, "open", fullWalks, quick, 0, 1)
			if !ok("open store", err) {
				return
			}
			found := false
			note := func(what string, err error) {
				t.Helper()
				if !ok(what, err) {
					found = true
				}
			}
			_, _, err = store.Head()
			note("head", err)
			for h, want := range d.blocks {
				b, err := store.BlockByHeight(uint64(h))
				note(fmt.Sprintf("block %d", h), err)
				if err == nil && b.Hash() != want.Hash() {
					t.Fatalf("block %d: served %x, stored %x", h, b.Hash(), want.Hash())
				}
				_, err = store.CommitAt(uint64(h))
				if !errors.Is(err, ErrNotFound) {
					note(fmt.Sprintf("commit %d", h), err)
				}
				if h > 0 {
					_, err = store.rawReceipts(uint64(h))
					note(fmt.Sprintf("receipts %d", h), err)
					for _, tx := range want.Txs {
						_, _, err = store.TxLocation(tx.Hash())
						note("transaction", err)
					}
				}
			}
			it := store.kv.NewIterator(nil, nil)
			for it.Next() {
			}
			note("state iteration", it.Error())
			it.Release()
			// The chain's open reads the head's state through the trie,
			// which takes a node it cannot read for one that is missing: a
			// damaged state page is "state … missing: the store is damaged".
			if chn, err := Open(store, Devnet(), nil); err == nil {
				_, err = store.ValidatorSetAt(chn.Head().Height())
				note("validator set", err)
				chn.Close()
			} else if errors.Is(err, ErrStoreDamaged) || strings.Contains(err.Error(), "the store is damaged") {
				found = true
			} else {
				t.Fatalf("open chain: %v", err)
			}
			note("write", store.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("probe"), u64(1)) }))
			if !ok("close", store.Close()) {
				return // broken by a write that could not be rolled back: it holds the file until the process ends
			}
			if found == markerExists(path) {
				t.Fatalf("damage found: %v; marker left: %v", found, markerExists(path))
			}
			if !found {
				t.Logf("%s: no read met the damage", c.name)
				return
			}
			if s, err := OpenStore(path); err == nil {
				s.Close()
				t.Fatal("the store opened after its damage was found")
			} else {
				wantDamaged(t, err, "open after the damage was found")
			}
		})
	}
}

// A store written before the free list was persisted (NoFreelistSync: its
// meta page names no free list page) opens with the full walk, gets its
// free list rebuilt and written once, keeps its data, and from then on
// reopens with the quick check. A marker cannot make such a file skip the
// walk, as bbolt would walk it by itself.
func TestStoreWithoutPersistedFreelistOpens(t *testing.T) {
	d := buildDamageStore(t, 6)
	// Write to it as the store did before: every commit leaves the meta
	// without a free list page.
	db, err := bolt.Open(d.path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("probe"), u64(1)) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, m := openWithMeta(t, d.path); m.freelist != pgidNoFreelist {
		t.Fatalf("meta names free list page %d", m.freelist)
	} else {
		// A marker of the file as it is: it must not be trusted.
		os.WriteFile(cleanMarkerPath(d.path), cleanMarker{meta: m, size: int64(len(d.read(t)))}.encode(), 0o600)
	}

	var (
		c     *Chain
		store *Store
	)
	full, quick := openChecks(func() { c, store = openTestChain(t, d.dir) })
	wantChecks(t, "open of a store without a persisted free list", full, quick, 1, 0)
	for h, want := range d.blocks {
		b, err := c.BlockByHeight(uint64(h))
		if err != nil || b.Hash() != want.Hash() {
			t.Fatalf("block %d: %v", h, err)
		}
		for _, tx := range want.Txs {
			if got, err := c.Transaction(tx.Hash()); err != nil || got.Tx.Hash() != tx.Hash() {
				t.Fatalf("transaction %s: %v", tx.Hash(), err)
			}
		}
	}
	produce(t, c, transfer(t, c, devKey0, 21, common.HexToAddress("0x01"), 1))
	c.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if _, m := openWithMeta(t, d.path); m.freelist == pgidNoFreelist {
		t.Fatal("the free list was not written")
	}
	boltCheck(t, d.path)
	full, quick = openChecks(func() { c, store = openTestChain(t, d.dir) })
	wantChecks(t, "reopen", full, quick, 0, 1)
	if h := c.Head().Height(); h != 7 {
		t.Fatalf("head %d, want 7", h)
	}
	c.Close()
	store.Close()
}

// storeKillChildEnv names the store directory of TestStoreKillChild.
const storeKillChildEnv = "CAIRN_STORE_KILL_DIR"

// TestStoreKillChild is the process TestKillAtAnyMomentReopens kills: it
// opens the store, commits two blocks, closes it cleanly and opens it
// again, over and over, saying each committed height on stdout, so that a
// kill lands anywhere: mid-commit, mid-close, between the close and the
// marker, between the marker and the next open's removal of it.
func TestStoreKillChild(t *testing.T) {
	dir := os.Getenv(storeKillChildEnv)
	if dir == "" {
		t.Skip("run by TestKillAtAnyMomentReopens")
	}
	for {
		c, store := openTestChain(t, dir)
		for i := 0; i < 2; i++ {
			nonce := c.Head().Height() // one transfer a block, from devKey0
			produce(t, c, transfer(t, c, devKey0, nonce, common.HexToAddress("0x01"), 1))
			fmt.Printf("height %d\n", c.Head().Height())
		}
		c.Close()
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKillAtAnyMomentReopens kills a process that commits blocks and
// closes and reopens its store, with SIGKILL, at whatever it is doing, and
// checks each time that the store reopens at or after the last block the
// process said it committed, whole (bbolt's own check passes), and goes
// on; and that a reopen after a clean close then takes the quick check.
func TestKillAtAnyMomentReopens(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "chain.db")
	var reached uint64
	for round := 1; round <= 6; round++ {
		target := reached + uint64(2+round)
		child := startHeightChild(t, "TestStoreKillChild", storeKillChildEnv, dir)
		reached = child.waitHeight(t, round, target)
		// Later in each round, so the kill falls elsewhere in the cycle.
		time.Sleep(time.Duration(round) * 3 * time.Millisecond)
		reached = child.kill(t, reached)

		boltCheck(t, path)
		var (
			c     *Chain
			store *Store
		)
		full, quick := openChecks(func() { c, store = openTestChain(t, dir) })
		if h := c.Head().Height(); h < reached {
			t.Fatalf("round %d: head %d after the kill, the child had committed %d", round, h, reached)
		}
		t.Logf("round %d: killed after height %d, reopened at %d (%d full walks, %d quick checks)", round, reached, c.Head().Height(), full, quick)
		reached = c.Head().Height()
		c.Close()
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2; i++ {
		full, quick := openChecks(func() {
			c, store := openTestChain(t, dir)
			produce(t, c, transfer(t, c, devKey0, c.Head().Height(), common.HexToAddress("0x01"), 1))
			c.Close()
			if err := store.Close(); err != nil {
				t.Fatal(err)
			}
		})
		wantChecks(t, "open after a clean close", full, quick, 0, 1)
	}
	boltCheck(t, path)
}
