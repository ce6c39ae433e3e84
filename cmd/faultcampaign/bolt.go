package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
)

// A reader of bbolt's file layout, just enough to aim damage at the pages
// a store really uses: the meta pages, the tree of each bucket, and the
// value of one key. It never trusts the file: every offset is bounds
// checked and a damaged file is an error, not a panic. bbolt writes its
// structures in the machine's byte order; Cairn runs on little-endian
// machines (amd64, arm64), so that is what is read here.

const (
	boltPageHeader  = 16 // id u64, flags u16, count u16, overflow u32
	boltElementSize = 16 // leaf: flags, pos, ksize, vsize (u32 each); branch: pos, ksize u32, pgid u64
	boltBucketHdr   = 16 // root pgid u64, sequence u64
	boltMagic       = 0xED0CDAED

	boltBranch   = 0x01
	boltLeaf     = 0x02
	boltMetaPage = 0x04
	boltFreelist = 0x10

	boltBucketFlag = 0x01 // a leaf element that is a nested bucket

	// Offsets inside a meta page (after its page header).
	metaOffPageSize = 8
	metaOffRoot     = 16
	metaOffFreelist = 32
	metaOffPgid     = 40
	metaOffTxid     = 48
	metaOffChecksum = 56
)

var le = binary.LittleEndian

// boltMeta is one of the two meta pages.
type boltMeta struct {
	Page     int // 0 or 1
	Magic    uint32
	Version  uint32
	PageSize uint32
	Root     uint64 // page of the root bucket's tree
	Freelist uint64
	Pgid     uint64 // high-water mark: pages in use are below it
	Txid     uint64
	Checksum uint64
	Valid    bool // magic and checksum check out
}

// Offset is where the meta page starts in the file.
func (m boltMeta) Offset() int64 { return int64(m.Page) * int64(m.PageSize) }

// ChecksumOffset is where its checksum is in the file.
func (m boltMeta) ChecksumOffset() int64 { return m.Offset() + boltPageHeader + metaOffChecksum }

// parseMeta reads the meta page at offset off of data.
func parseMeta(data []byte, off int64, page int) (boltMeta, error) {
	end := off + boltPageHeader + metaOffChecksum + 8
	if off < 0 || end > int64(len(data)) {
		return boltMeta{}, fmt.Errorf("meta page %d lies beyond the file's %d bytes", page, len(data))
	}
	b := data[off+boltPageHeader : end]
	m := boltMeta{
		Page:     page,
		Magic:    le.Uint32(b[0:]),
		Version:  le.Uint32(b[4:]),
		PageSize: le.Uint32(b[metaOffPageSize:]),
		Root:     le.Uint64(b[metaOffRoot:]),
		Freelist: le.Uint64(b[metaOffFreelist:]),
		Pgid:     le.Uint64(b[metaOffPgid:]),
		Txid:     le.Uint64(b[metaOffTxid:]),
		Checksum: le.Uint64(b[metaOffChecksum:]),
	}
	h := fnv.New64a()
	h.Write(b[:metaOffChecksum])
	flags := le.Uint16(data[off+8:])
	m.Valid = m.Magic == boltMagic && h.Sum64() == m.Checksum && flags == boltMetaPage
	return m, nil
}

// boltFile is a bbolt file read from its newest valid meta page.
type boltFile struct {
	data  []byte
	psize int64
	metas [2]boltMeta
	meta  boltMeta // the newest valid one
}

func parseBolt(data []byte) (*boltFile, error) {
	m0, err := parseMeta(data, 0, 0)
	if err != nil {
		return nil, err
	}
	psize := int64(4096)
	if m0.Valid && m0.PageSize >= 512 && m0.PageSize <= 1<<16 {
		psize = int64(m0.PageSize)
	}
	m1, err := parseMeta(data, psize, 1)
	if err != nil {
		return nil, err
	}
	m1.PageSize = uint32(psize)
	m0.PageSize = uint32(psize)
	f := &boltFile{data: data, psize: psize, metas: [2]boltMeta{m0, m1}}
	switch {
	case m0.Valid && m1.Valid:
		f.meta = m0
		if m1.Txid > m0.Txid {
			f.meta = m1
		}
	case m0.Valid:
		f.meta = m0
	case m1.Valid:
		f.meta = m1
	default:
		return nil, errors.New("neither meta page is valid")
	}
	return f, nil
}

// newestMeta and olderMeta are the meta pages by transaction ID.
func (f *boltFile) newestMeta() boltMeta {
	if f.metas[1].Txid > f.metas[0].Txid {
		return f.metas[1]
	}
	return f.metas[0]
}

// node is a branch or leaf page (or an inline bucket's page) at a file
// offset.
type boltNode struct {
	Off      int64 // where its page header is
	ID       uint64
	Flags    uint16
	Count    uint16
	Overflow uint32
	end      int64 // how far its bytes may reach
}

func (f *boltFile) nodeAt(off, end int64) (boltNode, error) {
	if off < 0 || off+boltPageHeader > end || end > int64(len(f.data)) {
		return boltNode{}, fmt.Errorf("page at offset %d lies beyond the file", off)
	}
	n := boltNode{
		Off:      off,
		ID:       le.Uint64(f.data[off:]),
		Flags:    le.Uint16(f.data[off+8:]),
		Count:    le.Uint16(f.data[off+10:]),
		Overflow: le.Uint32(f.data[off+12:]),
		end:      end,
	}
	if n.Flags != boltBranch && n.Flags != boltLeaf {
		return n, fmt.Errorf("page at offset %d has type %#x, not a branch or leaf", off, n.Flags)
	}
	if off+boltPageHeader+int64(n.Count)*boltElementSize > end {
		return n, fmt.Errorf("page at offset %d: %d elements do not fit", off, n.Count)
	}
	return n, nil
}

// page reads page id of the file's tree.
func (f *boltFile) page(id uint64) (boltNode, error) {
	if id < 2 || id >= f.meta.Pgid {
		return boltNode{}, fmt.Errorf("page %d is outside the pages in use (2..%d)", id, f.meta.Pgid-1)
	}
	off := int64(id) * f.psize
	if off+f.psize > int64(len(f.data)) {
		return boltNode{}, fmt.Errorf("page %d lies beyond the file's %d bytes", id, len(f.data))
	}
	// The overflow count decides the real end; bound it by the file.
	n, err := f.nodeAt(off, off+f.psize)
	if err != nil && n.Overflow == 0 {
		return n, err
	}
	end := off + (1+int64(n.Overflow))*f.psize
	if end > int64(len(f.data)) {
		return n, fmt.Errorf("page %d with %d overflow pages lies beyond the file", id, n.Overflow)
	}
	return f.nodeAt(off, end)
}

// boltElem is one element of a node: its key and, in a leaf, its value,
// as file offsets.
type boltElem struct {
	Flags    uint32 // leaf only
	KeyOff   int64
	KeyLen   int64
	ValOff   int64 // leaf only
	ValLen   int64
	Child    uint64 // branch only
	ElemAddr int64
}

func (f *boltFile) elem(n boltNode, i int) (boltElem, error) {
	a := n.Off + boltPageHeader + int64(i)*boltElementSize
	b := f.data[a : a+boltElementSize]
	var e boltElem
	e.ElemAddr = a
	if n.Flags == boltLeaf {
		e.Flags = le.Uint32(b[0:])
		e.KeyOff = a + int64(le.Uint32(b[4:]))
		e.KeyLen = int64(le.Uint32(b[8:]))
		e.ValOff = e.KeyOff + e.KeyLen
		e.ValLen = int64(le.Uint32(b[12:]))
	} else {
		e.KeyOff = a + int64(le.Uint32(b[0:]))
		e.KeyLen = int64(le.Uint32(b[4:]))
		e.Child = le.Uint64(b[8:])
	}
	if e.KeyOff+e.KeyLen > n.end || e.ValOff+e.ValLen > n.end {
		return e, fmt.Errorf("page at offset %d: element %d points beyond the page", n.Off, i)
	}
	return e, nil
}

func (f *boltFile) bytes(off, n int64) []byte { return f.data[off : off+n] }

// bucketRoot is where a bucket's tree starts: a page, or (Root 0) an
// inline page inside its parent's leaf at InlineOff.
type bucketRoot struct {
	Name      string
	Root      uint64
	InlineOff int64
	InlineEnd int64
}

func (f *boltFile) rootNode(b bucketRoot) (boltNode, error) {
	if b.Root == 0 {
		return f.nodeAt(b.InlineOff, b.InlineEnd)
	}
	return f.page(b.Root)
}

// bucket finds a top-level bucket.
func (f *boltFile) bucket(name string) (bucketRoot, error) {
	top := bucketRoot{Name: "", Root: f.meta.Root}
	var found *bucketRoot
	err := f.walkLeaves(top, func(n boltNode, e boltElem) error {
		if e.Flags&boltBucketFlag != 0 && string(f.bytes(e.KeyOff, e.KeyLen)) == name {
			b, err := f.bucketValue(name, e)
			if err != nil {
				return err
			}
			found = &b
		}
		return nil
	})
	if err != nil {
		return bucketRoot{}, err
	}
	if found == nil {
		return bucketRoot{}, fmt.Errorf("no bucket %q", name)
	}
	return *found, nil
}

func (f *boltFile) bucketValue(name string, e boltElem) (bucketRoot, error) {
	if e.ValLen < boltBucketHdr {
		return bucketRoot{}, fmt.Errorf("bucket %q has a %d-byte header", name, e.ValLen)
	}
	b := bucketRoot{Name: name, Root: le.Uint64(f.data[e.ValOff:])}
	if b.Root == 0 {
		b.InlineOff = e.ValOff + boltBucketHdr
		b.InlineEnd = e.ValOff + e.ValLen
	}
	return b, nil
}

// walkLeaves calls fn for every element of every leaf of a bucket's tree,
// in key order.
func (f *boltFile) walkLeaves(b bucketRoot, fn func(boltNode, boltElem) error) error {
	return f.walkNodes(b, func(n boltNode, depth int) error {
		if n.Flags != boltLeaf {
			return nil
		}
		for i := 0; i < int(n.Count); i++ {
			e, err := f.elem(n, i)
			if err != nil {
				return err
			}
			if err := fn(n, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// walkNodes calls fn for every node of a bucket's tree, parents first.
func (f *boltFile) walkNodes(b bucketRoot, fn func(boltNode, int) error) error {
	n, err := f.rootNode(b)
	if err != nil {
		return fmt.Errorf("bucket %q: %w", b.Name, err)
	}
	seen := map[uint64]bool{}
	var walk func(n boltNode, depth int) error
	walk = func(n boltNode, depth int) error {
		if depth > 64 {
			return fmt.Errorf("bucket %q: tree deeper than 64", b.Name)
		}
		if err := fn(n, depth); err != nil {
			return err
		}
		if n.Flags != boltBranch {
			return nil
		}
		for i := 0; i < int(n.Count); i++ {
			e, err := f.elem(n, i)
			if err != nil {
				return err
			}
			if seen[e.Child] {
				return fmt.Errorf("bucket %q: page %d is reached twice", b.Name, e.Child)
			}
			seen[e.Child] = true
			c, err := f.page(e.Child)
			if err != nil {
				return fmt.Errorf("bucket %q: %w", b.Name, err)
			}
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(n, 0)
}

// boltPage is a page in use: which bucket's tree it is in and what it is.
type boltPage struct {
	ID       uint64
	Flags    uint16
	Overflow uint32
	Bucket   string // "" for the root bucket's own tree
	Depth    int
}

// pagesInUse lists the branch and leaf pages reachable from the newest
// valid meta page (inline buckets have none), sorted by page ID. Nested
// buckets are followed.
func (f *boltFile) pagesInUse() ([]boltPage, error) {
	var out []boltPage
	queue := []bucketRoot{{Name: "", Root: f.meta.Root}}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		err := f.walkNodes(b, func(n boltNode, depth int) error {
			if b.Root != 0 || depth > 0 {
				out = append(out, boltPage{ID: n.ID, Flags: n.Flags, Overflow: n.Overflow, Bucket: b.Name, Depth: depth})
			}
			if n.Flags != boltLeaf {
				return nil
			}
			for i := 0; i < int(n.Count); i++ {
				e, err := f.elem(n, i)
				if err != nil {
					return err
				}
				if e.Flags&boltBucketFlag == 0 {
					continue
				}
				name := string(f.bytes(e.KeyOff, e.KeyLen))
				if b.Name != "" {
					name = b.Name + "/" + name
				}
				nb, err := f.bucketValue(name, e)
				if err != nil {
					return err
				}
				queue = append(queue, nb)
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// lookup finds key in a bucket and returns its value's file offset and
// length.
func (f *boltFile) lookup(b bucketRoot, key []byte) (off, n int64, err error) {
	node, err := f.rootNode(b)
	if err != nil {
		return 0, 0, err
	}
	for depth := 0; depth < 64; depth++ {
		if node.Flags == boltLeaf {
			for i := 0; i < int(node.Count); i++ {
				e, err := f.elem(node, i)
				if err != nil {
					return 0, 0, err
				}
				if bytes.Equal(f.bytes(e.KeyOff, e.KeyLen), key) {
					return e.ValOff, e.ValLen, nil
				}
			}
			return 0, 0, fmt.Errorf("bucket %q: no key %x", b.Name, key)
		}
		// A branch: descend into the last child whose first key <= key.
		child := uint64(0)
		for i := 0; i < int(node.Count); i++ {
			e, err := f.elem(node, i)
			if err != nil {
				return 0, 0, err
			}
			if i > 0 && bytes.Compare(f.bytes(e.KeyOff, e.KeyLen), key) > 0 {
				break
			}
			child = e.Child
		}
		if node, err = f.page(child); err != nil {
			return 0, 0, err
		}
	}
	return 0, 0, fmt.Errorf("bucket %q: tree deeper than 64", b.Name)
}

// pageType names a page's flags.
func pageType(flags uint16) string {
	switch flags {
	case boltBranch:
		return "branch"
	case boltLeaf:
		return "leaf"
	case boltMetaPage:
		return "meta"
	case boltFreelist:
		return "freelist"
	}
	return fmt.Sprintf("type %#x", flags)
}

// flipBit returns a copy of data with one bit at off flipped.
func flipBit(data []byte, off int64, bit uint) ([]byte, error) {
	if off < 0 || off >= int64(len(data)) || bit > 7 {
		return nil, fmt.Errorf("no bit %d at offset %d of %d bytes", bit, off, len(data))
	}
	out := bytes.Clone(data)
	out[off] ^= 1 << bit
	return out, nil
}

// zeroPage returns a copy of data with page id (of psize bytes) zeroed.
func zeroPage(data []byte, id uint64, psize int64) ([]byte, error) {
	off := int64(id) * psize
	if off < 0 || off+psize > int64(len(data)) {
		return nil, fmt.Errorf("page %d is beyond the file's %d bytes", id, len(data))
	}
	out := bytes.Clone(data)
	clear(out[off : off+psize])
	return out, nil
}

// describePage says what page id is: in the tree of which bucket, the
// freelist, or free.
func (f *boltFile) describePage(id uint64) string {
	if id == f.meta.Freelist {
		return "the freelist"
	}
	pages, err := f.pagesInUse()
	if err != nil {
		return "unknown: " + err.Error()
	}
	for _, p := range pages {
		if id >= p.ID && id <= p.ID+uint64(p.Overflow) {
			if p.Bucket == "" {
				return "a " + pageType(p.Flags) + " of the root bucket"
			}
			return fmt.Sprintf("a %s of bucket %q", pageType(p.Flags), p.Bucket)
		}
	}
	return "a free page"
}
