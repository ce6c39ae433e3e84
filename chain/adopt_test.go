package chain

import (
	"errors"
	"testing"

	"cairn/chain/snapshot"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// snapshotInto downloads src's head state into dst's store through a
// snapshot plan, proves src's head with its anchor, and adopts it.
func snapshotInto(t testing.TB, src, dst *Chain) *TrustedAnchor {
	t.Helper()
	a, err := src.Anchor()
	if err != nil {
		t.Fatal(err)
	}
	wire, err := EncodeAnchor(a)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = DecodeAnchor(wire); err != nil {
		t.Fatal(err)
	}
	trusted, err := VerifyAnchor(dst.Genesis(), a)
	if err != nil {
		t.Fatal(err)
	}
	w := dst.store.SnapshotWriter()
	plan, err := snapshot.NewPlan(trusted.Block.Header.StateRoot, w, snapshot.Options{Intervals: 4, MaxBytes: 2 << 10})
	if err != nil {
		t.Fatal(err)
	}
	server := src.SnapshotServer()
	for task := plan.Next(); task != nil; task = plan.Next() {
		c, err := server.Serve(task.Request())
		if err != nil {
			t.Fatal(err)
		}
		if err := task.Done(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := plan.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := dst.AdoptSnapshot(trusted); err != nil {
		t.Fatal(err)
	}
	return trusted
}

// TestSnapshotNodeComputesTheSameNextBlock: a chain that started from a
// snapshot of another's head executes the blocks after it to the same
// state roots and hashes as the chain that replayed them, counts its
// references exactly, refuses the blocks before its base with a clear
// error, and reopens at its head.
func TestSnapshotNodeComputesTheSameNextBlock(t *testing.T) {
	src, srcStore := openPruningChain(t, t.TempDir(), StoreOptions{StateWindow: 4})
	defer func() { src.Close(); srcStore.Close() }()
	produceTransfers(t, src, 300)

	dir := t.TempDir()
	dst, dstStore := openPruningChain(t, dir, StoreOptions{StateWindow: 4})
	trusted := snapshotInto(t, src, dst)
	if dst.Head().Hash() != src.Head().Hash() || dstStore.Base() != 300 || dstStore.StateFrom() != 300 {
		t.Fatalf("head %d (%x), base %d, state from %d; want the source's head 300", dst.Head().Height(), dst.Head().Hash(), dstStore.Base(), dstStore.StateFrom())
	}
	checkStateRefs(t, dstStore)
	if len(trusted.Recent) != anchorRecent {
		t.Fatalf("%d recent headers, want %d", len(trusted.Recent), anchorRecent)
	}
	if got, want := dst.hashAt(100), src.hashAt(100); got != want || got == (common.Hash{}) {
		t.Fatalf("BLOCKHASH(100) is %x, want %x", got, want)
	}

	for range 10 {
		produceTransfers(t, src, 1)
		b, err := src.BlockByHeight(src.Head().Height())
		if err != nil {
			t.Fatal(err)
		}
		commit, err := src.CommitAt(b.Height())
		if err != nil {
			t.Fatal(err)
		}
		res, err := dst.Execute(b)
		if err != nil {
			t.Fatalf("execute block %d on the snapshot node: %v", b.Height(), err)
		}
		if res.Root != b.Header.StateRoot {
			t.Fatalf("block %d: state root %x, the replaying chain has %x", b.Height(), res.Root, b.Header.StateRoot)
		}
		if err := dst.Commit(b, res, commit); err != nil {
			t.Fatal(err)
		}
		checkStateRefs(t, dstStore)
	}
	if _, err := dst.BlockByHeight(150); !errors.Is(err, ErrBeforeBase) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("block 150 before the base: %v, want ErrBeforeBase", err)
	}
	if _, err := dst.StateAt(&Header{Height: 250}); !errors.Is(err, ErrStatePruned) {
		t.Fatalf("state of block 250: %v, want ErrStatePruned", err)
	}

	// The snapshot node proves its own head to the next one.
	next, nextStore := openPruningChain(t, t.TempDir(), StoreOptions{StateWindow: 4})
	defer func() { next.Close(); nextStore.Close() }()
	snapshotInto(t, dst, next)
	if next.Head().Hash() != src.Head().Hash() {
		t.Fatalf("second-hand snapshot at %x, want %x", next.Head().Hash(), src.Head().Hash())
	}

	dst.Close()
	dstStore.Close()
	dst, dstStore = openPruningChain(t, dir, StoreOptions{StateWindow: 4})
	defer func() { dst.Close(); dstStore.Close() }()
	if dst.Head().Hash() != src.Head().Hash() || dstStore.Base() != 300 {
		t.Fatalf("reopened at %d, base %d", dst.Head().Height(), dstStore.Base())
	}
	checkStateRefs(t, dstStore)
}

// TestAdoptDeletesWhatAnInterruptedDownloadLeft: nodes of an earlier,
// unfinished download and the genesis state are gone after adoption,
// and every count is exact.
func TestAdoptDeletesWhatAnInterruptedDownloadLeft(t *testing.T) {
	src, srcStore := openPruningChain(t, t.TempDir(), StoreOptions{StateWindow: 4})
	defer func() { src.Close(); srcStore.Close() }()
	produceTransfers(t, src, 20)
	dst, dstStore := openPruningChain(t, t.TempDir(), StoreOptions{StateWindow: 4})
	defer func() { dst.Close(); dstStore.Close() }()
	// Half a download of another state: a few nodes of block 10's state.
	old, err := srcStore.BlockByHeight(18)
	if err != nil {
		t.Fatal(err)
	}
	w := dstStore.SnapshotWriter()
	plan, err := snapshot.NewPlan(old.Header.StateRoot, w, snapshot.Options{Intervals: 2, MaxBytes: 512})
	if err != nil {
		t.Fatal(err)
	}
	if task := plan.Next(); task != nil {
		c, err := src.SnapshotServer().Serve(task.Request())
		if err != nil {
			t.Fatal(err)
		}
		if err := task.Done(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	produceTransfers(t, src, 2)
	snapshotInto(t, src, dst)
	checkStateRefs(t, dstStore)
	if _, err := dst.StateAt(dst.genesisHeader(t)); !errors.Is(err, ErrStatePruned) {
		t.Fatalf("genesis state after adoption: %v, want ErrStatePruned", err)
	}
	if root := dst.Head().Header.StateRoot; root == types.EmptyRootHash || !dst.state.Has(root) {
		t.Fatal("head state missing")
	}
}

func (c *Chain) genesisHeader(t testing.TB) *Header {
	b, err := c.BlockByHeight(0)
	if err != nil {
		t.Fatal(err)
	}
	return b.Header
}
