package snapshot

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
)

var (
	smallOnce sync.Once
	small     *testState
)

// smallState is 200 accounts, one of them with 500 slots.
func smallState(t testing.TB) *testState {
	smallOnce.Do(func() { small = buildState(t, 200, 500, 2) })
	return small
}

func cloneChunk(c *Chunk) *Chunk {
	d := &Chunk{}
	for _, e := range c.Entries {
		d.Entries = append(d.Entries, Entry{Key: e.Key, Value: bytes.Clone(e.Value)})
	}
	for _, n := range c.Proof {
		d.Proof = append(d.Proof, bytes.Clone(n))
	}
	return d
}

// corruptions turn an honest chunk of at least three entries, not the
// last of its range, into a dishonest one.
var corruptions = map[string]func(c *Chunk){
	"flip value byte": func(c *Chunk) { c.Entries[1].Value[len(c.Entries[1].Value)-1] ^= 1 },
	"flip key byte":   func(c *Chunk) { c.Entries[1].Key[31] ^= 1 },
	"drop entry":      func(c *Chunk) { c.Entries = append(c.Entries[:1], c.Entries[2:]...) },
	"drop first":      func(c *Chunk) { c.Entries = c.Entries[1:] },
	"truncate tail":   func(c *Chunk) { c.Entries = c.Entries[:len(c.Entries)-1] },
	"swap two":        func(c *Chunk) { c.Entries[0], c.Entries[1] = c.Entries[1], c.Entries[0] },
	"duplicate":       func(c *Chunk) { c.Entries = append(c.Entries[:2], c.Entries[1:]...) },
	"extra entry": func(c *Chunk) {
		e := c.Entries[len(c.Entries)-1]
		e.Key[31]++
		c.Entries = append(c.Entries, Entry{Key: e.Key, Value: bytes.Clone(e.Value)})
	},
	"forge proof node":   func(c *Chunk) { c.Proof[0][len(c.Proof[0])-1] ^= 1 },
	"drop proof node":    func(c *Chunk) { c.Proof = c.Proof[1:] },
	"no more (no proof)": func(c *Chunk) { c.Proof = nil },
	"no more (empty)":    func(c *Chunk) { c.Entries = nil },
}

// faulty serves from s, corrupting the first chunk of kind that has at
// least three entries and is not its range's last.
func faulty(t *testing.T, s *Server, kind Kind, corrupt func(*Chunk)) (source, *bool) {
	honest := roundTrip(s)
	done := false
	return func(req *Request) (*Chunk, error) {
		c, err := honest(req)
		if err != nil || done || req.Kind != kind || len(c.Entries) < 3 || len(c.Proof) == 0 {
			return c, err
		}
		root := req.Root
		if kind == KindStorage {
			acc, err := s.account(req.Root, req.Account)
			if err != nil {
				return nil, err
			}
			root = acc.Root
		}
		if r, err := verify(root, req, c); err != nil || r.Complete {
			return c, err
		}
		done = true
		bad := cloneChunk(c)
		corrupt(bad)
		if _, err := verify(root, req, bad); !errors.Is(err, ErrInvalidChunk) {
			t.Errorf("corrupted %s chunk from %x: verify says %v, want ErrInvalidChunk", kind, req.Origin, err)
		}
		return bad, nil
	}, &done
}

func verify(root common.Hash, req *Request, c *Chunk) (*Range, error) {
	if req.Kind == KindAccounts {
		return VerifyAccountRange(root, req, c)
	}
	return VerifyStorageRange(root, req, c)
}

// TestCorruptChunkRefused corrupts one chunk in every way a peer could and
// checks it is refused and the download completes from an honest source.
func TestCorruptChunkRefused(t *testing.T) {
	ts := smallState(t)
	for _, kind := range []Kind{KindAccounts, KindStorage} {
		for name, corrupt := range corruptions {
			t.Run(kind.String()+"/"+name, func(t *testing.T) {
				dst := rawdb.NewMemoryDatabase()
				plan, err := NewPlan(ts.root, dst, Options{Intervals: 4, MaxBytes: 2 << 10})
				if err != nil {
					t.Fatal(err)
				}
				src, hit := faulty(t, NewKVServer(ts.kv), kind, corrupt)
				refused := download(t, plan, src)
				if !*hit {
					t.Fatal("no chunk was corrupted")
				}
				if refused != 1 {
					t.Fatalf("%d chunks refused, want 1", refused)
				}
				checkSame(t, ts, dst)
			})
		}
	}
}

func TestCorruptCodeRefused(t *testing.T) {
	ts := smallState(t)
	s := NewKVServer(ts.kv)
	honest := roundTrip(s)
	for name, corrupt := range map[string]func(c *Chunk){
		"flip byte":  func(c *Chunk) { c.Entries[0].Value[0] ^= 1 },
		"other code": func(c *Chunk) { c.Entries[0].Value = []byte{0x60} },
		"swap":       func(c *Chunk) { c.Entries[0], c.Entries[1] = c.Entries[1], c.Entries[0] },
		"extra":      func(c *Chunk) { c.Entries = append(c.Entries, c.Entries[0]) },
		"none":       func(c *Chunk) { c.Entries = nil },
	} {
		t.Run(name, func(t *testing.T) {
			dst := rawdb.NewMemoryDatabase()
			plan, err := NewPlan(ts.root, dst, Options{Intervals: 2})
			if err != nil {
				t.Fatal(err)
			}
			hit := false
			refused := download(t, plan, func(req *Request) (*Chunk, error) {
				c, err := honest(req)
				if err != nil || hit || req.Kind != KindCode || len(c.Entries) < 2 {
					return c, err
				}
				hit = true
				bad := cloneChunk(c)
				corrupt(bad)
				return bad, nil
			})
			if !hit || refused != 1 {
				t.Fatalf("corrupted: %v, refused %d, want 1", hit, refused)
			}
			checkSame(t, ts, dst)
		})
	}
}

// TestWrongRootRefused feeds a plan the chunks of another state: every
// one is refused, and the plan then completes from the right state.
func TestWrongRootRefused(t *testing.T) {
	ts, other := smallState(t), buildState(t, 400, 10, 3)
	dst := rawdb.NewMemoryDatabase()
	plan, err := NewPlan(ts.root, dst, Options{Intervals: 4, MaxBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	wrong := roundTrip(NewKVServer(other.kv))
	for range 4 {
		task := plan.Next()
		req := task.Request()
		req.Root = other.root
		c, err := wrong(req)
		if err != nil {
			t.Fatal(err)
		}
		if err := task.Done(c); !errors.Is(err, ErrInvalidChunk) {
			t.Fatalf("chunk of root %x fed to a plan of %x: %v, want ErrInvalidChunk", other.root, ts.root, err)
		}
	}
	if _, err := VerifyAccountRange(ts.root, &Request{Kind: KindAccounts, Root: other.root, Limit: maxHash}, &Chunk{}); !errors.Is(err, ErrInvalidChunk) {
		t.Fatalf("request of another root: %v", err)
	}
	if pr := plan.Progress(); pr.Accounts != 0 {
		t.Fatalf("%d accounts kept from refused chunks", pr.Accounts)
	}
	if err := plan.Finish(); !errors.Is(err, ErrNotComplete) {
		t.Fatalf("Finish of an incomplete plan: %v", err)
	}
	download(t, plan, roundTrip(NewKVServer(ts.kv)))
	checkSame(t, ts, dst)
}

// TestTinyStates rebuilds states whose top nodes collapse (no account, one,
// two) with every interval count, which exercises mounting the partitions.
func TestTinyStates(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 17, 60} {
		ts := buildState(t, n, 3, uint64(10+n))
		for _, k := range []int{1, 16, 256} {
			dst := rawdb.NewMemoryDatabase()
			plan, err := NewPlan(ts.root, dst, Options{Intervals: k})
			if err != nil {
				t.Fatal(err)
			}
			download(t, plan, roundTrip(NewKVServer(ts.kv)))
			if n > 0 {
				checkSame(t, ts, dst)
			}
		}
	}
}

func TestTaskLifecycle(t *testing.T) {
	ts := smallState(t)
	plan, err := NewPlan(ts.root, rawdb.NewMemoryDatabase(), Options{Intervals: 2})
	if err != nil {
		t.Fatal(err)
	}
	a, b := plan.Next(), plan.Next()
	if a == nil || b == nil || plan.Next() != nil {
		t.Fatal("want exactly two interval tasks")
	}
	a.Failed()
	if plan.Next() != a {
		t.Fatal("a failed task is handed out again")
	}
	c, err := NewKVServer(ts.kv).Serve(a.Request())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Done(c); err != nil {
		t.Fatal(err)
	}
	if err := a.Done(c); err == nil {
		t.Fatal("a task done twice is refused")
	}
	for _, n := range []int{0, 3, 257, 100} {
		if _, err := NewPlan(ts.root, rawdb.NewMemoryDatabase(), Options{Intervals: n}); (err == nil) != (n == 0) {
			t.Fatalf("NewPlan with %d intervals: %v", n, err)
		}
	}
}
