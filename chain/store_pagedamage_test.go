package chain

// The store file damaged at the page level: cut short, or a page
// overwritten, before bbolt opens it.

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// pagesOf returns the pages reachable in the store's bucket trees, by type.
func pagesOf(t testing.TB, path string) (branches, leaves []uint64, pageSize uint64) {
	t.Helper()
	f, m := openWithMeta(t, path)
	defer f.Close()
	if err := walkPages(f, func(p *page) {
		if p.flags == branchPageFlag {
			branches = append(branches, p.id)
		} else if p.flags == leafPageFlag {
			leaves = append(leaves, p.id)
		}
	}); err != nil {
		t.Fatalf("walk of the intact file: %v", err)
	}
	return branches, leaves, m.pageSize
}

func highWater(t testing.TB, path string) (pgid, pageSize uint64) {
	t.Helper()
	f, m := openWithMeta(t, path)
	f.Close()
	return m.pgid, m.pageSize
}

// openWithMeta opens a store file and reads the meta page bbolt would use.
func openWithMeta(t testing.TB, path string) (*os.File, boltMeta) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	m, ok := readMeta(f, info.Size())
	if !ok {
		f.Close()
		t.Fatal("no valid meta page")
	}
	return f, m
}

// openMustFail checks that OpenStore refuses the damaged file with an
// ErrStoreDamaged error (where bbolt used to crash the process) and leaves
// it as it was.
func openMustFail(t *testing.T, path, what string, parts ...string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(path)
	if err == nil {
		s.Close()
		t.Fatalf("%s: the store opened", what)
	}
	wantDamaged(t, err, what, parts...)
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatalf("%s: opening the damaged store changed the file", what)
	}
}

// A file cut short used to end in SIGBUS inside bbolt. It is refused
// whether or not it was closed cleanly before it was cut.
func TestTruncatedStoreIsRefusedOnOpen(t *testing.T) {
	d := buildDamageStore(t, 8)
	pgid, pageSize := highWater(t, d.path)
	full := d.read(t)
	for _, cut := range []struct {
		name string
		size uint64
	}{
		{"half", pgid / 2 * pageSize},
		{"one page", (pgid - 1) * pageSize},
		{"mid page", (pgid-1)*pageSize + pageSize/2},
		{"to the meta pages", 2 * pageSize},
	} {
		t.Run(cut.name, func(t *testing.T) {
			// Cut after a clean close: the marker does not match the
			// file's size, so the open walks it.
			d.write(t, full)
			d.markClean(t)
			d.write(t, full[:cut.size])
			walks := storeOpenChecks.full.Load()
			openMustFail(t, d.path, "cut to "+cut.name, "cut short")
			if storeOpenChecks.full.Load() != walks+1 {
				t.Fatal("the open did not walk the file")
			}
		})
	}
	d.write(t, full)
	d.open(t)
}

// pageDamage is one way of damaging a page of a bucket tree, and what the
// full walk says of it.
type pageDamage struct {
	name, says string
	apply      func(data []byte) // damages a copy of the whole file
}

// pageDamages returns the intact file of d and the ways of damaging its
// pages that TestDamagedPagesAreRefusedOnOpen checks.
func pageDamages(t testing.TB, d *damageStore) (full []byte, cases []pageDamage) {
	t.Helper()
	branches, leaves, pageSize := pagesOf(t, d.path)
	if len(branches) == 0 || len(leaves) < 2 {
		t.Fatalf("test store has %d branch and %d leaf pages; want some of each", len(branches), len(leaves))
	}
	full = d.read(t)
	header := func(p uint64) []byte { return full[p*pageSize : p*pageSize+pageHeaderSize] }
	onHeader := func(name string, p uint64, says string, hdr func(h []byte)) pageDamage {
		return pageDamage{name, says, func(data []byte) { hdr(data[p*pageSize : p*pageSize+pageHeaderSize]) }}
	}
	for _, target := range []struct {
		kind string
		page uint64
	}{{"branch", branches[0]}, {"leaf", leaves[len(leaves)/2]}} {
		kind, p := target.kind, target.page
		other := leaves[0]
		if other == p {
			other = leaves[1]
		}
		cases = append(cases,
			onHeader(kind+" zeroed", p, "is marked as page 0", func(h []byte) { clear(h) }),
			onHeader(kind+" another page's header", p, "is marked as page", func(h []byte) { copy(h, header(other)) }),
			onHeader(kind+" id bit", p, "is marked as page", func(h []byte) { h[0] ^= 1 }),
			onHeader(kind+" unknown type", p, "no valid page type", func(h []byte) { h[8] = 0x03 }),
			onHeader(kind+" meta type", p, "meta page", func(h []byte) { h[8] = metaPageFlag }),
			onHeader(kind+" freelist type", p, "freelist page", func(h []byte) { h[8] = freelistPageFlag }),
			onHeader(kind+" huge count", p, "do not fit", func(h []byte) { h[10], h[11] = 0xff, 0xff }),
			onHeader(kind+" huge overflow", p, "overflow pages", func(h []byte) { h[12], h[13], h[14], h[15] = 0xff, 0xff, 0xff, 0x0f }),
		)
	}
	// Past the header: a branch pointing outside the file, and an entry
	// whose key runs out of its page.
	b, l := branches[0]*pageSize, leaves[len(leaves)/2]*pageSize
	cases = append(cases,
		pageDamage{"branch child out of range", "outside the file's pages", func(data []byte) {
			copy(data[b+pageHeaderSize+8:], u64le(1<<40)) // element 0: pos, ksize, pgid
		}},
		pageDamage{"leaf key past the page", "outside the page", func(data []byte) {
			copy(data[l+pageHeaderSize+8:], []byte{0xff, 0xff, 0, 0}) // element 0: flags, pos, ksize, vsize
		}},
	)
	return full, cases
}

// Page headers overwritten on a branch or a leaf page used to end in
// bbolt's "assertion failed: Page expected to be…" panic in a goroutine of
// its own, where nothing could recover it. A store that was not closed
// cleanly (its clean-close marker is removed, as a crash leaves none) gets
// the full walk at open, which refuses them all.
func TestDamagedPagesAreRefusedOnOpen(t *testing.T) {
	d := buildDamageStore(t, 8)
	full, cases := pageDamages(t, d)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := bytes.Clone(full)
			c.apply(data)
			d.write(t, data)
			d.unclean(t)
			walks := storeOpenChecks.full.Load()
			openMustFail(t, d.path, c.name, c.says)
			if storeOpenChecks.full.Load() != walks+1 {
				t.Fatal("the open did not walk the file")
			}
		})
	}
	d.write(t, full)
	d.open(t)
}

// markClean leaves the marker of a clean close for the store file as it
// is now (as if its last close had been clean, and no damage found since).
func (d *damageStore) markClean(t testing.TB) {
	t.Helper()
	damageSeen.Delete(d.path)
	if err := markClean(d.path); err != nil {
		t.Fatal(err)
	}
	if _, ok := readCleanMarker(d.path); !ok {
		t.Fatal("no clean-close marker written")
	}
}

// unclean removes the clean-close marker of the store, as a node that
// was killed leaves none.
func (d *damageStore) unclean(t testing.TB) {
	t.Helper()
	if err := os.Remove(cleanMarkerPath(d.path)); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
}

func u64le(v uint64) []byte {
	b := make([]byte, 8)
	ne.PutUint64(b, v)
	return b
}
