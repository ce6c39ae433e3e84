package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// ErrStoreDamaged is wrapped by every error that comes of a store file
// whose contents are not what was written: a page bbolt cannot read, a
// file cut short, or a block, receipt list or index entry that does not
// match what it is committed to. The node must not go on with such a file.
var ErrStoreDamaged = errors.New("store damaged")

// damaged is the error for a damaged store file at path: what is wrong,
// and the way out. It notes the path as damaged (damageSeen), so that
// closing it leaves no clean-close marker.
func damaged(path, format string, args ...any) error {
	damageSeen.Store(path, struct{}{})
	return fmt.Errorf("%w: %s; restore %s from a backup, or move it aside and start with --resync to rebuild it from peers",
		ErrStoreDamaged, fmt.Sprintf(format, args...), path)
}

func lockedError(path string) error {
	return fmt.Errorf("open store %s: locked by another process (is a node already running with this home?)", path)
}

// guard runs fn, one bbolt call on the file at path, so that what bbolt
// cannot survive becomes an error: a fault on its memory map (a page past
// the end of a file cut short, an unreadable disk block) is turned into a
// panic for this goroutine, and a panic — that one, or one of bbolt's
// assertions on a damaged page — into an error wrapping ErrStoreDamaged.
// bbolt rolls its transaction back on the way out, so the file is not
// changed by a call that failed this way.
func guard(path string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			var fault interface{ Addr() uintptr }
			if e, ok := r.(runtime.Error); ok && errors.As(e, &fault) {
				err = damaged(path, "reading the file failed (fault at address %#x): it is shorter than its pages or unreadable", fault.Addr())
			} else {
				err = damaged(path, "bbolt: %v", r)
			}
		}
	}()
	return fn()
}

// boltView is how the store and the state KV run read transactions;
// Store.update runs the write transactions, also in guard.
func boltView(db *bolt.DB, fn func(*bolt.Tx) error) error {
	return guard(db.Path(), func() error { return db.View(fn) })
}

// checkStoreFile checks an existing store file before bbolt opens it for
// writing, so that damage is an error wrapping ErrStoreDamaged with the
// way out rather than a crash inside bbolt, and removes the marker a clean
// close left (cleanMarkerPath), syncing the directory, before anything
// writes to the file: a crash after the open is never taken for a clean
// close.
//
// A file that was not closed cleanly — no marker (a process killed leaves
// none), or one that does not describe the file as it is now (another
// meta page, size or free list page: something wrote to it since, or it
// is another file), or one damage was found in while open — gets the full
// walk (walkPages). The file is read rather than mapped, and all that
// bbolt's walk and its cursors will trust is checked: the file reaches the
// meta page's high-water mark, each page is where its parent says and of
// the right type, no page is used twice, every element lies within its
// page, keys are in the order bbolt's own check demands, bucket headers
// are whole, and the free list lists only pages that exist and are not in
// use (bbolt would hand those out to be overwritten). A store written
// before the free list was persisted has none, and bbolt rebuilds it by
// walking every page, once, in a goroutine of its own where a damaged page
// is an assertion panic and a page past the end of a cut-short file a
// SIGBUS, either of which kills the process with no word of what to do; so
// such a file always gets the full walk first. (bbolt's tx.Check cannot do
// it: it loads the free list first, which starts that same walk.)
//
// A file its marker matches gets the quick check (quickCheck): what bbolt
// reads at open — both meta pages, the high-water mark against the size,
// the free list page (the same bytes as at the close) and its entries.
// The rest of the file is trusted to be as it was when it was closed:
// damage done to it while the node was stopped (a failing disk, a hand
// edit) is not found at open, but when the page is read. Every bbolt
// transaction of the store runs in guard (boltView, Store.update), and
// with the free list persisted nothing of bbolt walks pages outside it, so
// such a page is an error wrapping ErrStoreDamaged then, not a crash; a
// block read is checked against its header as always; and a store damage
// was found in is closed without a marker, so its next open walks it and
// refuses it. What only the walk finds — a page header's overflow count
// or a key size changed so that bbolt reads or frees past the page — may
// go unnoticed until a write frees that page.
//
// A missing or empty file (a new store) is not checked; nor is one whose
// meta pages are both invalid, which bbolt refuses with an error of its
// own. The file is read under bbolt's shared lock, so a node that has it
// open is reported as such, not read mid-write.
func checkStoreFile(path string) error {
	damageSeen.Delete(path)
	info, err := os.Stat(path)
	if err != nil || info.Size() == 0 {
		return removeCleanMarker(path)
	}
	var ro *bolt.DB
	err = guard(path, func() (err error) {
		ro, err = bolt.Open(path, 0o600, &bolt.Options{
			ReadOnly: true, Timeout: storeLockTimeout,
			NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
		})
		return err
	})
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return lockedError(path)
	case errors.Is(err, ErrStoreDamaged):
		return err
	case err != nil:
		// Not a bbolt file, or unreadable: the writable open says so.
		return removeCleanMarker(path)
	}
	defer ro.Close()
	err = guard(path, func() error {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open store %s: %w", path, err)
		}
		defer f.Close()
		var what error
		if mark, ok := readCleanMarker(path); ok && mark.matches(f) {
			storeOpenChecks.quick.Add(1)
			what = quickCheck(f)
		} else {
			storeOpenChecks.full.Add(1)
			what = walkPages(f, nil)
		}
		switch {
		case errors.Is(what, errNoValidMeta):
			return nil // bbolt refuses it with an error of its own
		case what != nil:
			return damaged(path, "%v", what)
		}
		return nil
	})
	if rerr := removeCleanMarker(path); err == nil {
		err = rerr
	}
	return err
}

// damageSeen holds the store paths damage was found in since they were
// last opened: Store.Close leaves such a file no clean-close marker, so
// the next open walks all of it again.
var damageSeen sync.Map

// storeOpenChecks counts the checks checkStoreFile made, by kind (for
// tests, and for a benchmark to say which one it measured).
var storeOpenChecks struct{ full, quick atomic.Uint64 }

// The on-disk layout of bbolt 1.x (go.etcd.io/bbolt/internal/common), in
// the machine's byte order as bbolt writes it.
const (
	pageHeaderSize   = 16 // id u64, flags u16, count u16, overflow u32
	pageElementSize  = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	bucketHeaderSize = 16 // root pgid u64, sequence u64

	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01

	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pgidNoFreelist = ^uint64(0)

	maxTreeDepth = 64 // far above any real tree; a deeper one is a loop
)

var ne = binary.NativeEndian

type boltMeta struct {
	pageSize                   uint64
	root, freelist, pgid, txid uint64
	valid                      bool
}

// parseMeta reads the meta of a meta page (its header included); valid is
// what bbolt's Meta.Validate says.
func parseMeta(p []byte) boltMeta {
	if len(p) < pageHeaderSize+64 {
		return boltMeta{}
	}
	m := p[pageHeaderSize:]
	h := fnv.New64a()
	h.Write(m[:56])
	return boltMeta{
		pageSize: uint64(ne.Uint32(m[8:])),
		root:     ne.Uint64(m[16:]),
		freelist: ne.Uint64(m[32:]),
		pgid:     ne.Uint64(m[40:]),
		txid:     ne.Uint64(m[48:]),
		valid:    ne.Uint32(m[0:]) == boltMagic && ne.Uint32(m[4:]) == boltVersion && ne.Uint64(m[56:]) == h.Sum64(),
	}
}

// readMeta finds the meta bbolt will use, as bbolt's Open does: the page
// size from the first valid meta page, then the valid one of the two with
// the higher transaction id. ok is false where bbolt's open fails by
// itself.
func readMeta(f *os.File, size int64) (boltMeta, bool) {
	var buf [0x1000]byte
	pageSize := uint64(0)
	if n, _ := f.ReadAt(buf[:], 0); n == len(buf) {
		if m := parseMeta(buf[:]); m.valid {
			pageSize = m.pageSize
		}
	}
	canRead := false
	for i := 0; pageSize == 0 && i <= 14; i++ {
		pos := int64(1024) << i
		if pos >= size-1024 {
			break
		}
		n, err := f.ReadAt(buf[:], pos)
		if n == len(buf) || (err == io.EOF && int64(n) == size-pos) {
			canRead = true
			if m := parseMeta(buf[:n]); m.valid {
				pageSize = m.pageSize
			}
		}
	}
	if pageSize == 0 && canRead {
		pageSize = uint64(os.Getpagesize())
	}
	if pageSize < 1024 || uint64(size) < 2*pageSize {
		return boltMeta{}, false
	}
	pages := make([]byte, 2*pageSize)
	if _, err := f.ReadAt(pages, 0); err != nil {
		return boltMeta{}, false
	}
	m0, m1 := parseMeta(pages[:pageSize]), parseMeta(pages[pageSize:])
	a, b := m0, m1
	if m1.txid > m0.txid {
		a, b = m1, m0
	}
	for _, m := range []boltMeta{a, b} {
		if m.valid {
			m.pageSize = pageSize
			return m, true
		}
	}
	return boltMeta{}, false
}

// page is one page as read from the file, overflow pages included.
type page struct {
	id       uint64
	flags    uint16
	count    int
	overflow uint64
	data     []byte // header first
}

func (p *page) elem(i int) []byte {
	off := pageHeaderSize + i*pageElementSize
	return p.data[off : off+pageElementSize]
}

// span returns data[off+pos : off+pos+n] for the element at off, or false
// where that runs out of the page.
func (p *page) span(off int, pos, n uint64) ([]byte, bool) {
	start := uint64(off) + pos
	if start > uint64(len(p.data)) || n > uint64(len(p.data))-start {
		return nil, false
	}
	return p.data[start : start+n], true
}

func (p *page) branch(i int) (key []byte, child uint64, err error) {
	e := p.elem(i)
	key, ok := p.span(pageHeaderSize+i*pageElementSize, uint64(ne.Uint32(e[0:])), uint64(ne.Uint32(e[4:])))
	if !ok {
		return nil, 0, fmt.Errorf("page %d: key %d lies outside the page", p.id, i)
	}
	return key, ne.Uint64(e[8:]), nil
}

func (p *page) leaf(i int) (flags uint32, key, value []byte, err error) {
	e := p.elem(i)
	off := pageHeaderSize + i*pageElementSize
	pos, ksize, vsize := uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
	kv, ok := p.span(off, pos, ksize+vsize)
	if !ok {
		return 0, nil, nil, fmt.Errorf("page %d: entry %d lies outside the page", p.id, i)
	}
	return ne.Uint32(e[0:]), kv[:ksize], kv[ksize:], nil
}

func parsePageHeader(data []byte) page {
	return page{
		id:       ne.Uint64(data[0:]),
		flags:    ne.Uint16(data[8:]),
		count:    int(ne.Uint16(data[10:])),
		overflow: uint64(ne.Uint32(data[12:])),
		data:     data,
	}
}

func pageType(flags uint16) string {
	switch flags {
	case branchPageFlag:
		return "branch"
	case leafPageFlag:
		return "leaf"
	case metaPageFlag:
		return "meta"
	case freelistPageFlag:
		return "freelist"
	}
	return ""
}

// pageWalk is one walk of a file's pages.
type pageWalk struct {
	f        *os.File
	pageSize uint64
	hwm      uint64      // the meta's page count: pages are 0..hwm-1
	seen     []uint64    // bit set of the pages reached
	bufs     [][]byte    // one read buffer per tree depth
	buckets  []uint64    // roots of buckets found, still to walk
	visit    func(*page) // if set, called with each tree page read (for tests)
}

// errNoValidMeta is walkPages' error for a file with no valid meta page.
var errNoValidMeta = errors.New("no valid meta page")

// walkPages walks f as described at checkStoreFile, calling visit (if not
// nil) with each page of a bucket tree; nil means bbolt can walk it
// safely, else the error says what is wrong.
func walkPages(f *os.File, visit func(*page)) error {
	w, m, err := newPageWalk(f, visit)
	if err != nil {
		return err
	}
	var free []uint64
	if m.freelist != pgidNoFreelist {
		if free, err = w.freelist(m.freelist); err != nil {
			return err
		}
	}
	w.buckets = append(w.buckets, m.root)
	for len(w.buckets) > 0 {
		root := w.buckets[len(w.buckets)-1]
		w.buckets = w.buckets[:len(w.buckets)-1]
		if _, err := w.tree(root, nil, nil, 0); err != nil {
			return err
		}
	}
	return w.markFree(m.freelist, free)
}

// newPageWalk reads f's meta, checks that the file reaches its high-water
// mark, and starts a walk with the meta pages marked as reached.
func newPageWalk(f *os.File, visit func(*page)) (*pageWalk, boltMeta, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, boltMeta{}, err
	}
	size := info.Size()
	m, ok := readMeta(f, size)
	if !ok {
		return nil, m, errNoValidMeta
	}
	if m.pgid < 2 || m.pgid > uint64(size)/m.pageSize {
		return nil, m, fmt.Errorf("the file is %d bytes, but its meta page counts %d pages of %d bytes (%d bytes): it was cut short",
			size, m.pgid, m.pageSize, m.pgid*m.pageSize)
	}
	w := &pageWalk{f: f, pageSize: m.pageSize, hwm: m.pgid, seen: make([]uint64, (m.pgid+63)/64), visit: visit}
	w.mark(0, 1)
	return w, m, nil
}

// markFree marks the pages the free list (page id) lists as reached: each
// must be one of the file's pages and not reached already — a page in use
// that bbolt took for free would be handed out and overwritten.
func (w *pageWalk) markFree(id uint64, ids []uint64) error {
	for _, p := range ids {
		if p < 2 || p >= w.hwm {
			return fmt.Errorf("free list page %d lists page %d, outside the file's pages 2..%d", id, p, w.hwm-1)
		}
		if !w.mark(p, 0) {
			return fmt.Errorf("free list page %d lists page %d, which is in use or listed twice", id, p)
		}
	}
	return nil
}

// mark records pages id..id+overflow as reached; false if one already was.
func (w *pageWalk) mark(id, overflow uint64) bool {
	fresh := true
	for p := id; p <= id+overflow; p++ {
		word, bit := p/64, uint64(1)<<(p%64)
		if w.seen[word]&bit != 0 {
			fresh = false
		}
		w.seen[word] |= bit
	}
	return fresh
}

// read reads page id into the buffer of depth and checks what bbolt
// asserts of every page it touches (it is where it should be, of one
// known type) and that it fits below the high-water mark.
func (w *pageWalk) read(id uint64, depth int) (*page, error) {
	if id < 2 || id >= w.hwm {
		return nil, fmt.Errorf("a page points at page %d, outside the file's pages 2..%d", id, w.hwm-1)
	}
	for len(w.bufs) <= depth {
		w.bufs = append(w.bufs, make([]byte, w.pageSize))
	}
	buf := w.bufs[depth][:w.pageSize]
	if _, err := w.f.ReadAt(buf, int64(id*w.pageSize)); err != nil {
		return nil, fmt.Errorf("page %d: %v", id, err)
	}
	p := parsePageHeader(buf)
	if p.id != id {
		return nil, fmt.Errorf("page %d is marked as page %d: its header was overwritten", id, p.id)
	}
	if pageType(p.flags) == "" {
		return nil, fmt.Errorf("page %d has no valid page type (flags %#x): its header was overwritten", id, p.flags)
	}
	if p.overflow >= w.hwm-id {
		return nil, fmt.Errorf("page %d claims %d overflow pages, past the file's last page %d", id, p.overflow, w.hwm-1)
	}
	if !w.mark(id, p.overflow) {
		return nil, fmt.Errorf("page %d is used twice", id)
	}
	if p.overflow > 0 {
		n := (1 + p.overflow) * w.pageSize
		if uint64(cap(w.bufs[depth])) < n {
			w.bufs[depth] = append(w.bufs[depth][:w.pageSize], make([]byte, n-w.pageSize)...)
		}
		buf = w.bufs[depth][:n]
		if _, err := w.f.ReadAt(buf[w.pageSize:], int64((id+1)*w.pageSize)); err != nil {
			return nil, fmt.Errorf("page %d: %v", id, err)
		}
		p.data = buf
	}
	if p.flags != freelistPageFlag && pageHeaderSize+p.count*pageElementSize > len(p.data) { // a free list's entries are 8 bytes: see freelist
		return nil, fmt.Errorf("page %d: its %d entries do not fit in it", id, p.count)
	}
	return &p, nil
}

// freelist reads the free list page id and returns the pages it lists.
func (w *pageWalk) freelist(id uint64) ([]uint64, error) {
	p, err := w.read(id, 0)
	if err != nil {
		return nil, fmt.Errorf("free list: %w", err)
	}
	if p.flags != freelistPageFlag {
		return nil, fmt.Errorf("free list page %d is a %s page", id, pageType(p.flags))
	}
	first, n := uint64(0), uint64(p.count)
	if p.count == 0xFFFF {
		first, n = 1, ne.Uint64(p.data[pageHeaderSize:])
	}
	if n > uint64(len(p.data)-pageHeaderSize)/8-first {
		return nil, fmt.Errorf("free list page %d: %d entries do not fit in it", id, n)
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = ne.Uint64(p.data[pageHeaderSize+8*(first+uint64(i)):])
	}
	return ids, nil
}

// tree walks the bucket tree under page id, whose keys must lie in
// [minClosed, maxOpen), and returns its largest key — the rules and order
// of bbolt's recursivelyCheckPageKeyOrderInternal, so what bbolt's walk
// would report (and panic over) is reported here first.
func (w *pageWalk) tree(id uint64, minClosed, maxOpen []byte, depth int) ([]byte, error) {
	if depth > maxTreeDepth {
		return nil, fmt.Errorf("page %d: the page tree is more than %d levels deep", id, maxTreeDepth)
	}
	p, err := w.read(id, depth)
	if err != nil {
		return nil, err
	}
	if w.visit != nil {
		w.visit(p)
	}
	switch p.flags {
	case branchPageFlag:
		running, maxKey := minClosed, []byte(nil)
		for i := 0; i < p.count; i++ {
			key, child, err := p.branch(i)
			if err != nil {
				return nil, err
			}
			if err := keyOrder(p.id, i, key, running, maxOpen); err != nil {
				return nil, err
			}
			next := maxOpen
			if i < p.count-1 {
				if next, _, err = p.branch(i + 1); err != nil {
					return nil, err
				}
			}
			if maxKey, err = w.tree(child, key, next, depth+1); err != nil {
				return nil, err
			}
			running = maxKey
		}
		return maxKey, nil
	case leafPageFlag:
		return w.leaf(p, minClosed, maxOpen)
	}
	return nil, fmt.Errorf("page %d is a %s page inside a bucket's tree", id, pageType(p.flags))
}

// leaf checks the entries of a leaf page (or of an inline bucket's page)
// and the headers of the buckets in it, and queues those buckets' trees.
func (w *pageWalk) leaf(p *page, minClosed, maxOpen []byte) ([]byte, error) {
	running := minClosed
	for i := 0; i < p.count; i++ {
		flags, key, value, err := p.leaf(i)
		if err != nil {
			return nil, err
		}
		if err := keyOrder(p.id, i, key, running, maxOpen); err != nil {
			return nil, err
		}
		running = key
		if flags&bucketLeafFlag == 0 {
			continue
		}
		if len(value) < bucketHeaderSize {
			return nil, fmt.Errorf("page %d: bucket %q has a %d-byte header", p.id, key, len(value))
		}
		if root := ne.Uint64(value); root != 0 {
			w.buckets = append(w.buckets, root)
			continue
		}
		// An inline bucket: its one leaf page follows its header.
		if len(value) < bucketHeaderSize+pageHeaderSize {
			return nil, fmt.Errorf("page %d: inline bucket %q is %d bytes", p.id, key, len(value))
		}
		in := parsePageHeader(value[bucketHeaderSize:])
		in.id = p.id // for messages: inline pages carry no id of their own
		if in.flags != leafPageFlag || in.overflow != 0 || pageHeaderSize+in.count*pageElementSize > len(in.data) {
			return nil, fmt.Errorf("page %d: inline bucket %q has a damaged page header", p.id, key)
		}
		if _, err := w.leaf(&in, nil, nil); err != nil {
			return nil, err
		}
	}
	if p.count == 0 {
		return nil, nil
	}
	return bytes.Clone(running), nil
}

// keyOrder is bbolt's verifyKeyOrder.
func keyOrder(id uint64, i int, key, previous, maxOpen []byte) error {
	switch {
	case i == 0 && previous != nil && bytes.Compare(previous, key) > 0,
		i > 0 && bytes.Compare(previous, key) >= 0,
		maxOpen != nil && bytes.Compare(key, maxOpen) >= 0:
		return fmt.Errorf("page %d: key %d (%x) is out of order", id, i, key)
	}
	return nil
}
