package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	bolt "go.etcd.io/bbolt"
)

// pruneGenesis is the devnet with two accounts of equal storage, so one
// storage trie is referenced from two account leaves.
func pruneGenesis() *Genesis {
	g := Devnet()
	slots := map[common.Hash]common.Hash{common.HexToHash("01"): common.HexToHash("2a"), common.HexToHash("02"): common.HexToHash("07")}
	for _, a := range []string{"0xa1", "0xa2"} {
		g.Alloc[common.HexToAddress(a)] = GenesisAccount{Balance: NewBigInt(big.NewInt(1)), Code: []byte{0x00}, Storage: slots}
	}
	return g
}

func openPruningChain(t testing.TB, dir string, opts StoreOptions) (*Chain, *Store) {
	t.Helper()
	store, err := OpenStoreWith(filepath.Join(dir, "chain.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(store, pruneGenesis(), nil)
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	return c, store
}

// produceTransfers adds n blocks, each sending to two new accounts and
// back and forth between two old ones (whose leaves then repeat earlier
// ones: a node stored again after it was pruned, or while still kept).
func produceTransfers(t testing.TB, c *Chain, n int) {
	t.Helper()
	acc0, err := c.Account(DevnetAccounts[0])
	if err != nil {
		t.Fatal(err)
	}
	nonce := acc0.Nonce
	for i := 0; i < n; i++ {
		h := c.Head().Height()
		txs := []*types.Transaction{
			transfer(t, c, devKey0, nonce, common.BigToAddress(common.Big0.SetUint64(h*2+0x1000)), 5),
			transfer(t, c, devKey0, nonce+1, common.BigToAddress(common.Big0.SetUint64(h*2+0x1001)), 5),
		}
		nonce += 2
		b, _ := produce(t, c, txs...)
		if len(b.Txs) != len(txs) {
			t.Fatalf("block %d holds %d of %d transactions", b.Height(), len(b.Txs), len(txs))
		}
	}
}

// checkStateRefs recounts every reference in the store from scratch and
// compares: the counts stored, no trie node that nothing kept reaches, and
// no reference to a node that is not stored. It also checks the kept
// heights are exactly [StateFrom, head]: on disk, then as layers in memory.
func checkStateRefs(t testing.TB, s *Store) {
	t.Helper()
	head, _, err := s.Head()
	if err != nil {
		t.Fatal(err)
	}
	err = s.view(func(tx *bolt.Tx) error {
		want := map[common.Hash]uint64{}
		from := binary.BigEndian.Uint64(tx.Bucket(bucketMeta).Get(keyStateFrom))
		if from != s.StateFrom() {
			return fmt.Errorf("stored lowest kept height %d, in memory %d", from, s.StateFrom())
		}
		next := from
		err := tx.Bucket(bucketRoots).ForEach(func(k, v []byte) error {
			if h := binary.BigEndian.Uint64(k); h != next {
				return fmt.Errorf("kept root at height %d, want %d", h, next)
			}
			next++
			if root := common.BytesToHash(v); root != types.EmptyRootHash {
				want[root]++
			}
			return nil
		})
		if err != nil {
			return err
		}
		// The newest states are layers in memory, one for each height
		// after the last kept root on disk, up to the head.
		for _, h := range s.kv.heldHeights() {
			if h != next {
				return fmt.Errorf("layer in memory for height %d, want %d", h, next)
			}
			next++
		}
		if next != head+1 {
			return fmt.Errorf("kept roots and layers end at %d, head is %d", next-1, head)
		}
		nodes := 0
		err = tx.Bucket(bucketState).ForEach(func(k, v []byte) error {
			if len(k) != common.HashLength {
				return nil
			}
			nodes++
			children, err := trieChildren(v)
			for _, c := range children {
				want[c]++
			}
			return err
		})
		if err != nil {
			return err
		}
		for h, n := range want {
			if tx.Bucket(bucketState).Get(h[:]) == nil {
				return fmt.Errorf("trie node %x is referenced %d times but not stored", h, n)
			}
			got := uint64(1) // a stored node without a count has one reference
			if v := tx.Bucket(bucketRefs).Get(h[:]); v != nil {
				got, _ = binary.Uvarint(v)
			}
			if got != n {
				return fmt.Errorf("trie node %x: stored count %d, references %d", h, got, n)
			}
		}
		if nodes != len(want) {
			return fmt.Errorf("%d trie nodes stored, %d reachable from the kept roots", nodes, len(want))
		}
		return tx.Bucket(bucketRefs).ForEach(func(k, v []byte) error {
			if n, _ := binary.Uvarint(v); n < 2 || want[common.BytesToHash(k)] != n {
				return fmt.Errorf("trie node %x: count %d stored, %d references", k, n, want[common.BytesToHash(k)])
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPruningKeepsExactlyTheWindow(t *testing.T) {
	const window = 4
	c, store := openPruningChain(t, t.TempDir(), StoreOptions{StateWindow: window})
	defer store.Close()
	defer c.Close()
	produceTransfers(t, c, 12)
	checkStateRefs(t, store)

	head := c.Head().Height()
	if got := store.StateFrom(); got != head-window {
		t.Fatalf("state kept from %d, want %d (head %d, window %d)", got, head-window, head, window)
	}
	first := common.BigToAddress(common.Big0.SetUint64(0x1000 + 2*(head-window-1)))
	for h := head - window; h <= head; h++ {
		b, _ := c.BlockByHeight(h)
		st, err := c.StateAt(b.Header)
		if err != nil {
			t.Fatalf("state of kept block %d: %v", h, err)
		}
		// The account created by the block just before the window's
		// first: present in every kept state.
		if bal := st.GetBalance(first); bal.Uint64() != 5 {
			t.Fatalf("block %d: balance %v, want 5", h, bal)
		}
	}
	old, _ := c.BlockByHeight(head - window - 1)
	if _, err := c.StateAt(old.Header); !errors.Is(err, ErrStatePruned) {
		t.Fatalf("state of block %d, out of the window: %v, want ErrStatePruned", old.Height(), err)
	}
	// The pruned root is gone from the file, not only refused.
	err := store.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketState).Get(old.Header.StateRoot[:]) != nil {
			return fmt.Errorf("root of pruned block %d is still stored", old.Height())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestArchiveKeepsEveryState(t *testing.T) {
	c, store := openPruningChain(t, t.TempDir(), StoreOptions{Archive: true})
	defer store.Close()
	defer c.Close()
	produceTransfers(t, c, 6)
	checkStateRefs(t, store)
	for h := uint64(0); h <= c.Head().Height(); h++ {
		b, _ := c.BlockByHeight(h)
		if _, err := c.StateAt(b.Header); err != nil {
			t.Fatalf("archive: state of block %d: %v", h, err)
		}
	}
	if store.StateFrom() != 0 || store.StateWindow() != 0 {
		t.Fatalf("archive keeps from %d with window %d, want 0 and 0", store.StateFrom(), store.StateWindow())
	}
}

func TestArchiveStoreReopenedPruningCatchesUp(t *testing.T) {
	dir := t.TempDir()
	c, store := openPruningChain(t, dir, StoreOptions{Archive: true})
	produceTransfers(t, c, releaseBudget+10)
	c.Close()
	store.Close()

	c, store = openPruningChain(t, dir, StoreOptions{StateWindow: 3})
	defer store.Close()
	defer c.Close()
	produceTransfers(t, c, 1)
	if got := store.StateFrom(); got != releaseBudget {
		t.Fatalf("after one block, state kept from %d, want %d (one budget of releases)", got, releaseBudget)
	}
	checkStateRefs(t, store)
	produceTransfers(t, c, 1)
	if got, want := store.StateFrom(), c.Head().Height()-3; got != want {
		t.Fatalf("after two blocks, state kept from %d, want %d", got, want)
	}
	checkStateRefs(t, store)
}

func TestFailedBlockWriteLeavesCountsUnchanged(t *testing.T) {
	c, store := openPruningChain(t, t.TempDir(), StoreOptions{StateWindow: 2})
	defer store.Close()
	defer c.Close()
	produceTransfers(t, c, 5)
	head := c.Head()

	// A block whose write fails after its state, its counts and the
	// pruning of an old root went into the transaction.
	b, res, _, err := c.Propose(proposal(c), newSource(c, transfer(t, c, devKey0, 10, common.HexToAddress("0xbeef"), 1)))
	if err != nil {
		t.Fatal(err)
	}
	failWrite = func() error { return errors.New("disk full") }
	err = c.Commit(b, res, devnetCommit(c, b))
	failWrite = nil
	if err == nil {
		t.Fatal("commit with a failing write succeeded")
	}
	if c.Head().Hash() != head.Hash() {
		t.Fatalf("head moved to %d on a failed write", c.Head().Height())
	}
	checkStateRefs(t, store)
}
