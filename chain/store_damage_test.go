package chain

import (
	"bytes"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	bolt "go.etcd.io/bbolt"
)

// damageStore is a closed store of a few blocks, ready to be damaged.
type damageStore struct {
	dir, path string
	blocks    []*Block // blocks[h] is the block at height h (blocks[0] genesis)
	receipts  [][]*types.Receipt
}

// buildDamageStore commits blocks 1..n; block h holds h transfers, each to
// a recipient of its own, so every block's transactions and receipts are
// bytes found once in the file (up to stale copies in free pages).
func buildDamageStore(t testing.TB, n int) *damageStore {
	t.Helper()
	dir := t.TempDir()
	c, store := openTestChain(t, dir)
	d := &damageStore{dir: dir, path: filepath.Join(dir, "chain.db")}
	d.blocks = append(d.blocks, c.Head())
	d.receipts = append(d.receipts, nil)
	nonce := uint64(0)
	for h := 1; h <= n; h++ {
		var txs []*types.Transaction
		for i := 0; i < h; i++ {
			to := common.BigToAddress(big.NewInt(int64(0xd00000 + 100*h + i)))
			txs = append(txs, transfer(t, c, devKey0, nonce, to, int64(1+i)))
			nonce++
		}
		b, _ := produce(t, c, txs...)
		rs, err := c.Receipts(b)
		if err != nil {
			t.Fatal(err)
		}
		d.blocks = append(d.blocks, b)
		d.receipts = append(d.receipts, rs)
	}
	writeAllLayers(t, store) // the damage is met by reads of the open store, not by Open's replay
	c.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *damageStore) read(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(d.path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func (d *damageStore) write(t testing.TB, data []byte) {
	t.Helper()
	if err := os.WriteFile(d.path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// flipEverywhere flips bit 0 of the byte at offset within every copy of
// needle in the file, and returns how many it changed.
func (d *damageStore) flipEverywhere(t testing.TB, needle []byte, offset int) int {
	t.Helper()
	data := d.read(t)
	n := 0
	for from := 0; ; {
		i := bytes.Index(data[from:], needle)
		if i < 0 {
			break
		}
		data[from+i+offset] ^= 1
		from += i + len(needle)
		n++
	}
	if n == 0 {
		t.Fatalf("%x is not in the file", needle)
	}
	d.write(t, data)
	return n
}

// open opens the store and the chain on it; both must open.
func (d *damageStore) open(t testing.TB) (*Chain, *Store) {
	t.Helper()
	store, err := OpenStore(d.path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	c, err := Open(store, Devnet(), nil)
	if err != nil {
		store.Close()
		t.Fatalf("open chain: %v", err)
	}
	t.Cleanup(func() { c.Close(); store.Close() })
	return c, store
}

func wantDamaged(t testing.TB, err error, what string, parts ...string) {
	t.Helper()
	if !errors.Is(err, ErrStoreDamaged) {
		t.Fatalf("%s: %v, want an error wrapping ErrStoreDamaged", what, err)
	}
	msg := err.Error()
	for _, p := range append(parts, "store damaged: ", "from a backup", "--resync") {
		if !strings.Contains(msg, p) {
			t.Fatalf("%s: %q does not say %q", what, msg, p)
		}
	}
}

// A flipped bit in a stored transaction used to be served as another
// transaction (another recipient, another hash) under the same block hash
// and transactions root. Now reading the block says the store is damaged
// and which block; the blocks around it still read.
func TestDamagedTransactionIsAnErrorNotAnotherTransaction(t *testing.T) {
	d := buildDamageStore(t, 6)
	victim := d.blocks[5].Txs[2]
	enc, err := victim.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	to := victim.To()
	d.flipEverywhere(t, enc, bytes.Index(enc, to[:])+len(to)-1)

	c, _ := d.open(t)
	b, err := c.BlockByHeight(5)
	if err == nil {
		t.Fatalf("damaged block 5 served: tx 2 to %s hash %s (stored to %s hash %s)",
			b.Txs[2].To(), b.Txs[2].Hash(), to, victim.Hash())
	}
	wantDamaged(t, err, "block 5", "block 5: ", "transactions root")
	if _, err := c.BlockByHash(d.blocks[5].Hash()); !errors.Is(err, ErrStoreDamaged) {
		t.Fatalf("block 5 by hash: %v", err)
	}
	for _, tx := range d.blocks[5].Txs {
		if got, err := c.Transaction(tx.Hash()); err == nil {
			t.Fatalf("transaction of damaged block 5 served: %s", got.Tx.Hash())
		} else {
			wantDamaged(t, err, "transaction lookup", "block 5: ")
		}
	}
	for _, h := range []uint64{4, 6} {
		b, err := c.BlockByHeight(h)
		if err != nil || b.Hash() != d.blocks[h].Hash() {
			t.Fatalf("block %d next to the damage: %v", h, err)
		}
		if _, err := c.Transaction(d.blocks[h].Txs[0].Hash()); err != nil {
			t.Fatalf("transaction of block %d: %v", h, err)
		}
	}
}

// A flipped bit in a stored receipt (the cumulative gas of one) is caught
// against the header's receipts root.
func TestDamagedReceiptIsAnError(t *testing.T) {
	d := buildDamageStore(t, 6)
	stored := make([]*types.ReceiptForStorage, len(d.receipts[5]))
	for i, r := range d.receipts[5] {
		stored[i] = (*types.ReceiptForStorage)(r)
	}
	list, err := rlp.EncodeToBytes(stored)
	if err != nil {
		t.Fatal(err)
	}
	one, err := rlp.EncodeToBytes(stored[2])
	if err != nil {
		t.Fatal(err)
	}
	// [status, cumulative gas, logs=0xc0]: the last byte of the gas.
	d.flipEverywhere(t, list, bytes.Index(list, one)+len(one)-2)

	c, _ := d.open(t)
	b, err := c.BlockByHeight(5)
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := c.Receipts(b); err == nil {
		t.Fatalf("damaged receipts served: receipt 2 cumulative gas %d, stored %d", rs[2].CumulativeGasUsed, stored[2].CumulativeGasUsed)
	} else {
		wantDamaged(t, err, "receipts", "block 5: ", "receipts root")
	}
	if _, err := c.Transaction(b.Txs[0].Hash()); !errors.Is(err, ErrStoreDamaged) {
		t.Fatalf("transaction with a damaged receipt: %v", err)
	}
	b4, _ := c.BlockByHeight(4)
	if _, err := c.Receipts(b4); err != nil {
		t.Fatalf("receipts of block 4: %v", err)
	}
}

// An index entry that puts a transaction where another one is must not
// serve the other one.
func TestDamagedTxIndexIsAnError(t *testing.T) {
	d := buildDamageStore(t, 6)
	asked := d.blocks[5].Txs[3].Hash()
	db, err := bolt.Open(d.path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		loc := append(u64(5), 0, 0, 0, 1)
		return tx.Bucket(bucketTxs).Put(asked[:], loc)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	c, _ := d.open(t)
	got, err := c.Transaction(asked)
	if err == nil {
		t.Fatalf("asked for %s, served %s", asked, got.Tx.Hash())
	}
	wantDamaged(t, err, "transaction lookup", "block 5: ", "transaction index")
	if _, err := c.Transaction(d.blocks[5].Txs[1].Hash()); err != nil {
		t.Fatalf("the transaction the entry points at: %v", err)
	}
}

// A header or a hash index entry that does not match makes the block read
// fail too.
func TestDamagedBlockHashIsAnError(t *testing.T) {
	d := buildDamageStore(t, 6)
	db, err := bolt.Open(d.path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	h3, h4 := d.blocks[3].Hash(), d.blocks[4].Hash()
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketHashes).Put(h3[:], u64(4))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	c, _ := d.open(t)
	if _, err := c.BlockByHeight(3); err == nil {
		t.Fatal("block 3, not in the index at its height, was served")
	} else {
		wantDamaged(t, err, "block 3", "block 3: ", "hash index")
	}
	if b, err := c.BlockByHash(h3); err == nil {
		t.Fatalf("block %x asked, %x served", h3, b.Hash())
	} else {
		wantDamaged(t, err, "block 3 by hash", "block 4: ")
	}
	if b, err := c.BlockByHash(h4); err != nil || b.Hash() != h4 {
		t.Fatalf("block 4 by hash: %v", err)
	}
}

// A page damaged while the store is open (here: overwritten underneath
// it, as a failing disk would) is an error of the read or write that
// meets it, not a crash: bbolt's assertion panics in our goroutine, and a
// page past the end of a file cut short faults, and both are recovered.
func TestDamageWhileOpenIsAnError(t *testing.T) {
	d := buildDamageStore(t, 8)
	_, leaves, pageSize := pagesOf(t, d.path)
	c, store := d.open(t)

	f, err := os.OpenFile(d.path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Zero the header of every leaf page.
	zero := make([]byte, pageHeaderSize)
	for _, p := range leaves {
		if _, err := f.WriteAt(zero, int64(p*pageSize)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = store.BlockByHeight(3)
	wantDamaged(t, err, "read of a damaged page", "bbolt")
	_, err = store.kv.Get(c.Head().Header.StateRoot[:])
	wantDamaged(t, err, "state read of a damaged page", "bbolt")
	it := store.kv.NewIterator(nil, nil)
	wantDamaged(t, it.Error(), "state iteration over a damaged page", "bbolt")
	it.Release()
	// The write fails on the page; its rollback (which in bbolt walks
	// every page in a goroutine of its own) is not attempted on a damaged
	// file, and the store takes no more writes.
	err = store.writeBlock(&Block{Header: &Header{Height: 99}}, nil, nil, false, nil)
	wantDamaged(t, err, "write to a damaged page", "is marked as page 0")
	err2 := store.writeBlock(&Block{Header: &Header{Height: 99}}, nil, nil, false, nil)
	if !errors.Is(err2, ErrStoreDamaged) || !strings.Contains(err2.Error(), err.Error()[len("write block 99: "):]) {
		t.Fatalf("second write to a broken store: %v", err2)
	}
	if err := store.Close(); !errors.Is(err, ErrStoreDamaged) {
		t.Fatalf("close of a broken store: %v", err)
	}

	// Cut short under the mapping: the read faults.
	if err := f.Truncate(int64(2 * pageSize)); err != nil {
		t.Fatal(err)
	}
	_, err = store.BlockByHeight(2)
	wantDamaged(t, err, "read past the end of the file") // a fault where the kernel raises SIGBUS
	t.Logf("read past the end of the file: %v", err)
}

// The guard restores the goroutine's panic-on-fault setting and turns a
// panic into ErrStoreDamaged.
func TestGuardRestoresPanicOnFault(t *testing.T) {
	for _, before := range []bool{false, true} {
		debug.SetPanicOnFault(before)
		err := guard("x.db", func() error { panic("assertion failed: test") })
		wantDamaged(t, err, "panic", "assertion failed: test", "restore x.db")
		if got := debug.SetPanicOnFault(false); got != before {
			t.Fatalf("panic on fault %v after guard, was %v", got, before)
		}
		if err := guard("x.db", func() error { return ErrNotFound }); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrStoreDamaged) {
			t.Fatalf("plain error through guard: %v", err)
		}
	}
}

// An intact store passes the check and reads whole; an empty file and a
// missing one open as new stores.
func TestIntactStorePassesTheChecks(t *testing.T) {
	d := buildDamageStore(t, 8)
	if err := checkStoreFile(d.path); err != nil {
		t.Fatalf("intact store: %v", err)
	}
	c, _ := d.open(t)
	for h, want := range d.blocks {
		b, err := c.BlockByHeight(uint64(h))
		if err != nil || b.Hash() != want.Hash() {
			t.Fatalf("block %d: %v", h, err)
		}
		if _, err := c.Receipts(b); err != nil {
			t.Fatalf("receipts %d: %v", h, err)
		}
		for _, tx := range want.Txs {
			got, err := c.Transaction(tx.Hash())
			if err != nil || got.Tx.Hash() != tx.Hash() {
				t.Fatalf("transaction %s: %v", tx.Hash(), err)
			}
		}
		if h > 0 {
			if _, err := c.BlockByHash(want.Hash()); err != nil {
				t.Fatalf("block %d by hash: %v", h, err)
			}
		}
	}
	produce(t, c, transfer(t, c, devKey0, 36, common.HexToAddress("0x01"), 1))

	for _, name := range []string{"empty.db", "missing.db"} {
		path := filepath.Join(t.TempDir(), name)
		if name == "empty.db" {
			os.WriteFile(path, nil, 0o600)
		}
		s, err := OpenStore(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.Close()
	}
}

// A store held by another open is still reported as locked, not damaged.
func TestLockedStoreIsReportedAsLocked(t *testing.T) {
	d := buildDamageStore(t, 1)
	d.open(t)
	defer func(old time.Duration) { storeLockTimeout = old }(storeLockTimeout)
	storeLockTimeout = 20 * time.Millisecond
	_, err := OpenStore(d.path)
	if err == nil || !strings.Contains(err.Error(), "locked by another process") || errors.Is(err, ErrStoreDamaged) {
		t.Fatalf("second open: %v", err)
	}
}

// A write that fails on an intact store is rolled back as before, and the
// store goes on.
func TestFailedWriteOnIntactStoreRollsBack(t *testing.T) {
	d := buildDamageStore(t, 2)
	c, store := d.open(t)
	boom := errors.New("boom")
	if err := store.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyHead, u64(77)); err != nil {
			return err
		}
		return boom
	}); err != boom {
		t.Fatalf("failed write: %v", err)
	}
	if h, _, err := store.Head(); err != nil || h != 2 {
		t.Fatalf("head after a rolled-back write: %d, %v", h, err)
	}
	produce(t, c, transfer(t, c, devKey0, 3, common.HexToAddress("0x01"), 1))
}
