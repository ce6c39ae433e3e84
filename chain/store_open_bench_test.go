//go:build linux && (amd64 || arm64)

package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// benchStoreMBEnv sizes the store BenchmarkOpenStore builds, in MB of
// file (default 64: a benchmark run that did not ask for more stays
// quick). CAIRN_BENCH_STORE_MB=400 is a store of a node some months old.
const benchStoreMBEnv = "CAIRN_BENCH_STORE_MB"

// benchStateKey is the key of the i-th state entry of a bench store: a
// hash, as trie nodes are keyed, so entries land all over the tree.
func benchStateKey(i int) []byte {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(i))
	h := sha256.Sum256(n[:])
	return h[:]
}

// benchStore is a store file in the store's layout holding about mb MB:
// a third of it blocks (20 KB each, on overflow pages), the rest state
// entries of 100–700 bytes under hashed keys, a tenth of which are then
// deleted (as pruning does) so the file has free pages. It is written as
// the store wrote before the freelist was persisted (NoFreelistSync), then
// opened and closed once through OpenStore, so it is a store as the code
// under test leaves it after a clean stop.
type benchStore struct {
	path   string
	blocks int // blocks 1..blocks are stored
	states int // state entries 0..states-1 were written
}

func buildBenchStore(b *testing.B, dir string, mb int) *benchStore {
	b.Helper()
	start := time.Now()
	bs := &benchStore{path: filepath.Join(dir, "chain.db")}
	s, err := OpenStore(bs.path)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := bolt.Open(bs.path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	val := make([]byte, 20<<10)
	for i := range val {
		val[i] = byte(rng.Uint32())
	}
	target := int64(mb) << 20
	blockBytes := target / 3
	for written := int64(0); written < blockBytes; {
		if err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket(bucketBlocks)
			for i := 0; i < 500 && written < blockBytes; i++ {
				bs.blocks++
				if err := bk.Put(u64(uint64(bs.blocks)), val); err != nil {
					return err
				}
				written += int64(len(val))
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	for {
		info, err := os.Stat(bs.path)
		if err != nil {
			b.Fatal(err)
		}
		if info.Size() >= target {
			break
		}
		if err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket(bucketState)
			for i := 0; i < 50_000; i++ {
				n := 100 + rng.IntN(600)
				if err := bk.Put(benchStateKey(bs.states), val[rng.IntN(len(val)-n):][:n]); err != nil {
					return err
				}
				bs.states++
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketState)
		for i := 0; i < bs.states; i += 10 {
			if err := bk.Delete(benchStateKey(i)); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyHead, u64(uint64(bs.blocks)))
	}); err != nil {
		b.Fatal(err)
	}
	if err := db.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if s, err = OpenStore(bs.path); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(bs.path)
	b.Logf("bench store: %d MB, %d blocks, %d state entries (%d deleted), built in %v",
		info.Size()>>20, bs.blocks, bs.states, (bs.states+9)/10, time.Since(start).Round(time.Millisecond))
	return bs
}

// evict drops the file's pages from the page cache, so the next open
// reads it from the disk as after a reboot.
func evict(b *testing.B, path string) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	const posixFadvDontneed = 4
	if _, _, e := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, posixFadvDontneed, 0, 0); e != 0 {
		b.Fatalf("fadvise: %v", e)
	}
}

// BenchmarkOpenStore measures OpenStore and Close of a store of
// $CAIRN_BENCH_STORE_MB MB (default 64) and the cost of one block-sized
// commit on it:
//
//	CAIRN_BENCH_STORE_MB=400 go test ./chain -run '^$' -bench OpenStore -benchtime 10x
//
// clean opens a store that was closed cleanly; unclean one whose last
// close did not happen (the marker a clean close leaves is removed first,
// as a kill leaves none); -cold evicts the file from the page cache before
// each open. commit writes a block of 20 KB, 300 new state entries and
// deletes 300 old ones in one store transaction, fsync included;
// commit-nosync the same without bbolt's fsyncs.
func BenchmarkOpenStore(b *testing.B) {
	mb := 64
	if v := os.Getenv(benchStoreMBEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a number of MB", benchStoreMBEnv, v)
		}
		mb = n
	}
	bs := buildBenchStore(b, b.TempDir(), mb)
	for _, c := range []struct {
		name          string
		unclean, cold bool
	}{{"clean", false, false}, {"unclean", true, false}, {"clean-cold", false, true}, {"unclean-cold", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if c.unclean {
					if err := os.Remove(bs.path + ".clean"); err != nil && !os.IsNotExist(err) {
						b.Fatal(err)
					}
				}
				if c.cold {
					evict(b, bs.path)
				}
				b.StartTimer()
				s, err := OpenStore(bs.path)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, sync := range []bool{true, false} {
		name := "commit"
		if !sync {
			name = "commit-nosync"
		}
		b.Run(name, func(b *testing.B) { benchCommit(b, bs, sync) })
	}
	info, _ := os.Stat(bs.path)
	b.Logf("store after the runs: %d MB", info.Size()>>20)
}

// benchCommit commits blocks to the bench store; without sync, bbolt
// does not fsync, so what is measured is the CPU and the writes.
func benchCommit(b *testing.B, bs *benchStore, sync bool) {
	s, err := OpenStore(bs.path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.db.NoSync = !sync
	rng := rand.New(rand.NewPCG(3, 4))
	val := make([]byte, 20<<10)
	for i := range val {
		val[i] = byte(rng.Uint32())
	}
	next, gone := bs.states, 1
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bs.blocks++
		if err := s.update(func(tx *bolt.Tx) error {
			if err := tx.Bucket(bucketBlocks).Put(u64(uint64(bs.blocks)), val); err != nil {
				return err
			}
			st := tx.Bucket(bucketState)
			for j := 0; j < 300; j++ {
				n := 100 + rng.IntN(600)
				if err := st.Put(benchStateKey(next), val[rng.IntN(len(val)-n):][:n]); err != nil {
					return err
				}
				next++
				if gone%10 == 0 {
					gone++
				}
				if err := st.Delete(benchStateKey(gone)); err != nil {
					return err
				}
				gone++
			}
			return tx.Bucket(bucketMeta).Put(keyHead, u64(uint64(bs.blocks)))
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	free := s.db.Stats().FreePageN + s.db.Stats().PendingPageN
	b.ReportMetric(float64(free), "freepages")
	if info, err := os.Stat(bs.path); err == nil {
		b.ReportMetric(float64(info.Size())/(1<<20), "fileMB")
	}
}
