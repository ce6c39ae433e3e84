package chain

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// storedRoots returns the heights whose state roots the file keeps, and
// whether the trie node of each block's root in blocks is in the file.
func storedRoots(t *testing.T, s *Store, blocks []*Block) (heights []uint64, onDisk map[uint64]bool) {
	t.Helper()
	onDisk = map[uint64]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketRoots).ForEach(func(k, _ []byte) error {
			heights = append(heights, binary.BigEndian.Uint64(k))
			return nil
		})
		for _, b := range blocks {
			onDisk[b.Height()] = tx.Bucket(bucketState).Get(b.Header.StateRoot[:]) != nil
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return heights, onDisk
}

func heightsFrom(from, to uint64) []uint64 {
	var out []uint64
	for h := from; h <= to; h++ {
		out = append(out, h)
	}
	return out
}

// The window's newest states are layers in memory: the file holds the
// window's oldest state only, every kept state is served, and a reopened
// store re-executes the layers' blocks to the same states.
func TestRecentStatesStayInMemoryAndReplayAtOpen(t *testing.T) {
	const window = 4
	dir := t.TempDir()
	c, store := openPruningChain(t, dir, StoreOptions{StateWindow: window})
	produceTransfers(t, c, 10)
	head := c.Head()
	h := head.Height()

	if got, want := store.kv.heldHeights(), heightsFrom(h-window+1, h); !slices.Equal(got, want) {
		t.Fatalf("layers in memory for heights %v, want %v", got, want)
	}
	var kept []*Block
	for k := h - window; k <= h; k++ {
		b, err := c.BlockByHeight(k)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, b)
	}
	roots, onDisk := storedRoots(t, store, kept)
	if want := []uint64{h - window}; !slices.Equal(roots, want) {
		t.Fatalf("the file keeps roots of heights %v, want %v", roots, want)
	}
	for _, b := range kept {
		if want := b.Height() == h-window; onDisk[b.Height()] != want {
			t.Fatalf("root node of block %d in the file: %v, want %v", b.Height(), onDisk[b.Height()], want)
		}
	}
	checkStateRefs(t, store)
	// The transactions of the layers' blocks are found by hash from
	// memory, those of the block on disk from the file.
	txIndexed := func(s *Store) {
		t.Helper()
		for _, b := range kept {
			for i, tx := range b.Txs {
				if got, idx, err := s.TxLocation(tx.Hash()); err != nil || got != b.Height() || idx != uint32(i) {
					t.Fatalf("transaction %d of block %d: at %d/%d, %v", i, b.Height(), got, idx, err)
				}
			}
		}
	}
	txIndexed(store)
	err := store.view(func(tx *bolt.Tx) error {
		for _, b := range kept {
			onFile := tx.Bucket(bucketTxs).Get(b.Txs[0].Hash().Bytes()) != nil
			if want := b.Height() == h-window; onFile != want {
				t.Errorf("index entry of block %d's transaction in the file: %v, want %v", b.Height(), onFile, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The account each kept block's second transfer created, read at
	// every kept height: present from its block on, absent before.
	balances := func(c *Chain) [][]uint64 {
		var out [][]uint64
		for _, b := range kept {
			st, err := c.StateAt(b.Header)
			if err != nil {
				t.Fatalf("state of kept block %d: %v", b.Height(), err)
			}
			var row []uint64
			for _, o := range kept {
				row = append(row, st.GetBalance(common.BigToAddress(common.Big0.SetUint64((o.Height()-1)*2+0x1001))).Uint64())
			}
			out = append(out, row)
		}
		return out
	}
	before := balances(c)
	if before[len(before)-1][len(kept)-1] != 5 || before[0][len(kept)-1] != 0 {
		t.Fatalf("balances at the kept heights: %v", before)
	}
	c.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	c, store = openPruningChain(t, dir, StoreOptions{StateWindow: window})
	defer store.Close()
	defer c.Close()
	if c.Head().Hash() != head.Hash() {
		t.Fatalf("reopened at block %d %x, closed at %d %x", c.Head().Height(), c.Head().Hash(), h, head.Hash())
	}
	if got, want := store.kv.heldHeights(), heightsFrom(h-window+1, h); !slices.Equal(got, want) {
		t.Fatalf("after the replay, layers for heights %v, want %v", got, want)
	}
	if after := balances(c); !slices.EqualFunc(before, after, slices.Equal) {
		t.Fatalf("balances after the replay %v, before %v", after, before)
	}
	txIndexed(store)
	checkStateRefs(t, store)
	produceTransfers(t, c, 1)
	checkStateRefs(t, store)
}

// Layers past the memory bound are written before they leave the window,
// oldest first, and the window is kept all the same.
func TestLayersPastTheBoundAreWrittenEarly(t *testing.T) {
	const window = 16
	c, store := openPruningChain(t, t.TempDir(), StoreOptions{StateWindow: window})
	defer store.Close()
	defer c.Close()
	produceTransfers(t, c, 4)
	if n := len(store.kv.heldHeights()); n != 4 {
		t.Fatalf("%d layers in memory after 4 blocks, want 4", n)
	}
	store.kv.mu.RLock()
	per := store.kv.layerBytes / 4
	store.kv.mu.RUnlock()
	store.kv.budget = per*2 + per/2

	produceTransfers(t, c, 4)
	h := c.Head().Height()
	held := store.kv.heldHeights()
	if want := heightsFrom(h-1, h); !slices.Equal(held, want) {
		t.Fatalf("layers for heights %v within a bound of %d bytes (%d a layer), want %v", held, store.kv.budget, per, want)
	}
	roots, _ := storedRoots(t, store, nil)
	if want := heightsFrom(0, h-2); !slices.Equal(roots, want) {
		t.Fatalf("the file keeps roots of heights %v, want %v", roots, want)
	}
	checkStateRefs(t, store)
	for k := uint64(0); k <= h; k++ {
		b, _ := c.BlockByHeight(k)
		if _, err := c.StateAt(b.Header); err != nil {
			t.Fatalf("state of block %d: %v", k, err)
		}
	}
}

// An archive store writes every state with its block.
func TestArchiveHoldsNoLayers(t *testing.T) {
	c, store := openPruningChain(t, t.TempDir(), StoreOptions{Archive: true})
	defer store.Close()
	defer c.Close()
	produceTransfers(t, c, 3)
	if held := store.kv.heldHeights(); len(held) != 0 {
		t.Fatalf("archive store holds layers for %v", held)
	}
	roots, _ := storedRoots(t, store, nil)
	if want := heightsFrom(0, c.Head().Height()); !slices.Equal(roots, want) {
		t.Fatalf("archive file keeps roots of heights %v, want %v", roots, want)
	}
}

// A block that does not re-execute on the state stored before it means
// that state is not what was written: Open says the store is damaged.
func TestReplayOnDamagedStateIsStoreDamage(t *testing.T) {
	const window = 2
	dir := t.TempDir()
	c, store := openPruningChain(t, dir, StoreOptions{StateWindow: window})
	produceTransfers(t, c, 6)
	base, err := c.BlockByHeight(c.Head().Height() - window)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	// Every trie node but the base state's root goes.
	s, err := OpenStoreWith(dir+"/chain.db", StoreOptions{StateWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketState)
		var doomed [][]byte
		b.ForEach(func(k, _ []byte) error {
			if len(k) == common.HashLength && common.BytesToHash(k) != base.Header.StateRoot {
				doomed = append(doomed, k)
			}
			return nil
		})
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(s, pruneGenesis(), nil)
	if !errors.Is(err, ErrStoreDamaged) || !strings.Contains(err.Error(), "does not re-execute") {
		t.Fatalf("open on a gutted state: %v, want store damage saying the block does not re-execute", err)
	}
	s.Close()
}

// A transaction of the block being written is found a moment before the
// block is: until the block's write commits it is not found, not damage.
func TestTransactionOfABlockBeingWrittenIsNotFoundYet(t *testing.T) {
	c, store := openPruningChain(t, t.TempDir(), StoreOptions{})
	defer store.Close()
	defer c.Close()
	produceTransfers(t, c, 1)
	h := common.HexToHash("0x5eed")
	store.kv.layerOf(c.Head().Height()+1, c.Head().Header.StateRoot, []common.Hash{h})
	if p, ok := store.kv.recentTx(h); !ok || p.height != c.Head().Height()+1 {
		t.Fatalf("transaction of the block being written: %+v %v", p, ok)
	}
	if _, _, err := store.TxLocation(h); !errors.Is(err, ErrNotFound) {
		t.Fatalf("transaction of a block not stored yet: %v, want ErrNotFound", err)
	}
	store.kv.reset()
	if _, ok := store.kv.recentTx(h); ok {
		t.Fatal("a failed write left its transactions findable")
	}
}
