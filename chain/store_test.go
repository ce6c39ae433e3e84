package chain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

func TestReopenResumesAtLastCommittedBlock(t *testing.T) {
	dir := t.TempDir()
	c, store := openTestChain(t, dir)
	to := common.HexToAddress("0xdd")
	var last *Block
	for i := uint64(0); i < 5; i++ {
		last, _ = produce(t, c, transfer(t, c, devKey0, i, to, 10))
	}
	c.Close()
	store.Close()

	c2, store2 := openTestChain(t, dir)
	defer store2.Close()
	defer c2.Close()
	if c2.Head().Hash() != last.Hash() {
		t.Fatalf("reopened at %d, want %d", c2.Head().Height(), last.Height())
	}
	acc, _ := c2.Account(to)
	if acc.Balance.Int64() != 50 {
		t.Fatalf("balance after reopen %v, want 50", acc.Balance)
	}
	if _, err := c2.Transaction(last.Txs[0].Hash()); err != nil {
		t.Fatalf("tx lookup after reopen: %v", err)
	}
	// And the chain goes on from there.
	produce(t, c2, transfer(t, c2, devKey0, 5, to, 10))
}

func TestReopenReexecutesBlocksWhoseStateIsMissing(t *testing.T) {
	dir := t.TempDir()
	c, store := openTestChain(t, dir)
	to := common.HexToAddress("0xee")
	for i := uint64(0); i < 3; i++ {
		produce(t, c, transfer(t, c, devKey0, i, to, 1))
	}
	head := c.Head()
	c.Close()
	store.Close()

	// Remove the state root node of the head: the state now lags the blocks.
	db, err := bolt.Open(filepath.Join(dir, "chain.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketState).Delete(head.Header.StateRoot[:])
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	c2, store2 := openTestChain(t, dir)
	defer store2.Close()
	defer c2.Close()
	if c2.Head().Hash() != head.Hash() {
		t.Fatalf("head %d after recovery, want %d", c2.Head().Height(), head.Height())
	}
	acc, err := c2.Account(to)
	if err != nil || acc.Balance.Int64() != 3 {
		t.Fatalf("balance after replay %v (%v), want 3", acc.Balance, err)
	}
}

func TestStoreOfAnotherGenesisIsRefused(t *testing.T) {
	dir := t.TempDir()
	c, store := openTestChain(t, dir)
	c.Close()
	store.Close()
	store, err := OpenStore(filepath.Join(dir, "chain.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g := Devnet()
	g.ChainID = 9999
	if _, err := Open(store, g, nil); err == nil || !strings.Contains(err.Error(), "genesis") {
		t.Fatalf("other genesis accepted: %v", err)
	}
}

func TestCorruptStoreFileIsAClearError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chain.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a bbolt file ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	_, err := OpenStore(path)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("corrupt store: %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("opening a corrupt store changed the file")
	}
}

func TestBlockEncodingRoundTrip(t *testing.T) {
	c := newTestChain(t)
	b, _ := produce(t, c, transfer(t, c, devKey0, 0, common.HexToAddress("0x01"), 1))
	b.LastCommit = &Commit{Height: 0, BlockHash: b.Header.ParentHash,
		Signatures: []CommitSig{{Validator: common.HexToAddress("0x02"), Signature: []byte{1, 2, 3}}}}
	data, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Block
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.Hash() != b.Hash() || len(got.Txs) != 1 || got.Txs[0].Hash() != b.Txs[0].Hash() {
		t.Fatal("round trip changed the block")
	}
	if got.LastCommit == nil || CommitHash(got.LastCommit) != CommitHash(b.LastCommit) {
		t.Fatal("round trip lost the last commit")
	}
	for _, bad := range [][]byte{nil, {0xc0}, data[:len(data)/2], {0xff, 0xff}} {
		if err := new(Block).UnmarshalBinary(bad); err == nil {
			t.Errorf("decoded garbage %x", bad)
		}
	}
}
