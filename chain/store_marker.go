package chain

// The clean-close marker: what lets a store closed cleanly reopen with the
// quick check instead of the walk of every page (see checkStoreFile).

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

// cleanMarkerPath is the file a clean Store.Close leaves next to the
// store file at path. It says which meta page and size the file had when
// bbolt closed it; it is removed at the next open, before bbolt writes.
func cleanMarkerPath(path string) string { return path + ".clean" }

// cleanMarker is what the marker records: the meta bbolt will use (as
// readMeta finds it), the file's size, and a CRC-32C of the free list
// page (the page bbolt reads at open, and whose entries it hands out to be
// overwritten: a free list changed since the close gets the full walk,
// which checks that it lists no page in use).
type cleanMarker struct {
	meta    boltMeta
	size    int64
	freeCRC uint32
}

const cleanMarkerMagic = "cairn store closed cleanly v1"

func (c cleanMarker) encode() []byte {
	body := fmt.Sprintf("%s pagesize=%d txid=%d root=%d freelist=%d pgid=%d size=%d freecrc=%08x",
		cleanMarkerMagic, c.meta.pageSize, c.meta.txid, c.meta.root, c.meta.freelist, c.meta.pgid, c.size, c.freeCRC)
	return fmt.Appendf(nil, "%s crc=%08x\n", body, crc32.Checksum([]byte(body), castagnoli))
}

// readCleanMarker reads the marker next to the store file at path; ok is
// false if there is none or it is not whole.
func readCleanMarker(path string) (c cleanMarker, ok bool) {
	data, err := os.ReadFile(cleanMarkerPath(path))
	if err != nil || len(data) > 512 {
		return c, false
	}
	var sum uint32
	_, err = fmt.Sscanf(string(data), cleanMarkerMagic+" pagesize=%d txid=%d root=%d freelist=%d pgid=%d size=%d freecrc=%x crc=%x\n",
		&c.meta.pageSize, &c.meta.txid, &c.meta.root, &c.meta.freelist, &c.meta.pgid, &c.size, &c.freeCRC, &sum)
	if err != nil {
		return c, false
	}
	c.meta.valid = true
	return c, bytes.Equal(c.encode(), data)
}

// matches says whether f is the file the marker describes: the file as
// markerOf sees it now is the one it saw at the close.
func (c cleanMarker) matches(f *os.File) bool {
	now, ok := markerOf(f)
	return ok && now == c
}

// markerOf reads what a marker records of f. ok is false where a file
// must get the full walk whatever its marker says: a meta page is not
// valid (one that is not is damage since the close), or the free list is
// not persisted (bbolt then walks every page at open), or its page cannot
// be read.
func markerOf(f *os.File) (c cleanMarker, ok bool) {
	info, err := f.Stat()
	if err != nil {
		return c, false
	}
	c.size = info.Size()
	if c.meta, ok = readMeta(f, c.size); !ok || c.meta.freelist == pgidNoFreelist {
		return c, false
	}
	ps := c.meta.pageSize
	pages := make([]byte, 2*ps)
	if _, err := f.ReadAt(pages, 0); err != nil || !parseMeta(pages[:ps]).valid || !parseMeta(pages[ps:]).valid {
		return c, false
	}
	var hdr [pageHeaderSize]byte
	if c.meta.freelist >= c.meta.pgid {
		return c, false
	}
	if _, err := f.ReadAt(hdr[:], int64(c.meta.freelist*ps)); err != nil {
		return c, false
	}
	n := 1 + uint64(parsePageHeader(hdr[:]).overflow)
	if n > c.meta.pgid-c.meta.freelist || (c.meta.freelist+n)*ps > uint64(c.size) {
		return c, false
	}
	page := make([]byte, n*ps)
	if _, err := f.ReadAt(page, int64(c.meta.freelist*ps)); err != nil {
		return c, false
	}
	c.freeCRC = crc32.Checksum(page, castagnoli)
	return c, true
}

// markClean writes the marker for the store file at path, which bbolt
// has just closed: atomically (a temporary file, synced, renamed over the
// marker, the directory synced), so that a marker that is there is whole.
// A marker lost to a crash only costs the next open the full walk. A file
// damage was found in while it was open gets none.
func markClean(path string) error {
	if _, seen := damageSeen.LoadAndDelete(path); seen {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	mark, ok := markerOf(f)
	f.Close()
	if !ok {
		return nil // a file that gets the full walk anyway: no marker
	}
	marker := cleanMarkerPath(path)
	tmp := marker + ".tmp"
	w, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = w.Write(mark.encode())
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, marker)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// removeCleanMarker removes the marker next to the store file at path,
// if there is one, and syncs the directory so that the removal is on disk
// before bbolt writes to the file: a crash after that is never taken for
// a clean close.
func removeCleanMarker(path string) error {
	err := os.Remove(cleanMarkerPath(path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("open store %s: remove its clean-close marker: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("open store %s: remove its clean-close marker: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// quickCheck is checkStoreFile's check of a file its marker matches (so
// both meta pages are valid): what bbolt reads when it opens it. The file
// must reach the meta page's high-water mark, and the free list page must
// be whole and list only pages that exist, none twice.
func quickCheck(f *os.File) error {
	w, m, err := newPageWalk(f, nil)
	if err != nil {
		return err
	}
	ids, err := w.freelist(m.freelist)
	if err != nil {
		return err
	}
	return w.markFree(m.freelist, ids)
}
