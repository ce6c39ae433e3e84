package node

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/events"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// joinFollower starts a keyless node on the test network's hub.
func (tn *testNet) joinFollower(id transport.PeerID) (*Node, *eventsSub) {
	t := tn.t
	t.Helper()
	src := &lazySource{}
	tr, err := tn.hub.Join(id, src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Config{Home: t.TempDir(), Genesis: tn.genesis, BlockTime: testBlockTime, Transport: tr, Logger: testLogger(8)})
	if err != nil {
		t.Fatal(err)
	}
	src.n.Store(f)
	sub := f.Events().Subscribe(1 << 16)
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close(); f.Close() })
	return f, sub
}

// waitFor waits, on the node's block events, until ok holds.
func waitFor(t testing.TB, sub *eventsSub, what string, ok func() bool) {
	t.Helper()
	deadline := time.After(waitLimit)
	for !ok() {
		select {
		case <-sub.C:
		case <-deadline:
			t.Fatalf("%s: not within %s", what, waitLimit)
		}
	}
}

// TestLateFollowerSyncsThenFollows: a keyless node that joins after the
// validators finalized many blocks syncs them (reporting its progress),
// then follows the chain as it grows.
func TestLateFollowerSyncsThenFollows(t *testing.T) {
	tn := newTestNet(t)
	tn.waitHeight(40, 0)
	f, sub := tn.joinFollower("follower")
	waitFor(t, sub, "follower reaches the validators' head", func() bool { return f.Chain().Head().Height() >= 40 })
	if f.sync.runs.Load() == 0 {
		t.Fatal("the follower never reported a sync in progress")
	}
	h := f.Chain().Head().Height()
	waitFor(t, sub, "follower follows new blocks", func() bool { return f.Chain().Head().Height() >= h+5 })
	tn.waitHeight(h+5, 0)
	for i := uint64(1); i <= h+5; i++ {
		got, _ := f.Chain().BlockByHeight(i)
		want, err := tn.nodes[0].Chain().BlockByHeight(i)
		if err != nil || got.Hash() != want.Hash() {
			t.Fatalf("block %d differs from validator 0's", i)
		}
	}
	waitFor(t, sub, "sync status cleared", func() bool { return f.sync.Status() == nil })
}

// TestPeerServingBadBlocksIsBlamedAndNotAskedAgain: a peer that claims the
// highest head and serves blocks whose commits do not verify is scored
// down and passed over; the node syncs from the honest ones.
func TestPeerServingBadBlocksIsBlamedAndNotAskedAgain(t *testing.T) {
	tn := newTestNet(t)
	tn.waitHeight(10, 0)
	liar := &forger{real: tn.nodes[0]}
	if _, err := tn.hub.Join("liar", liar); err != nil {
		t.Fatal(err)
	}
	f, sub := tn.joinFollower("follower")
	waitFor(t, sub, "follower syncs past the liar", func() bool { return f.Chain().Head().Height() >= 10 })
	if tn.hub.Penalties("follower", "liar") == 0 {
		t.Fatal("the liar was not penalized")
	}
	for _, v := range []transport.PeerID{"v0", "v1", "v2", "v3"} {
		if n := tn.hub.Penalties("follower", v); n != 0 {
			t.Fatalf("honest %s penalized %d times", v, n)
		}
	}
	tn.checkAgreement()
	for i := uint64(1); i <= 10; i++ {
		got, _ := f.Chain().BlockByHeight(i)
		want, _ := tn.nodes[0].Chain().BlockByHeight(i)
		if got.Hash() != want.Hash() {
			t.Fatalf("block %d differs", i)
		}
	}
}

// forger serves real blocks with forged commits and claims to be far ahead.
type forger struct{ real *Node }

func (f *forger) Status() transport.Status {
	st := f.real.Status()
	st.Head, st.Finalized = st.Head+1000, st.Finalized+1000
	return st
}

func (f *forger) FinalizedBlock(h uint64) (*chain.Block, *chain.Commit, error) {
	b, c, err := f.real.FinalizedBlock(h)
	if err != nil {
		return nil, nil, err
	}
	forged := *c
	forged.Signatures = append([]chain.CommitSig(nil), c.Signatures...)
	for i := range forged.Signatures {
		forged.Signatures[i].Signature = make([]byte, 64)
	}
	return b, &forged, nil
}

func (f *forger) ProposalTxs(common.Hash, []uint32) ([][]byte, error) {
	return nil, errors.New("nothing")
}

// TestFatalConsensusErrorStopsTheNode: when the consensus WAL refuses a
// write, the node stops by itself with the error, and stops serving a
// head that no longer moves.
func TestFatalConsensusErrorStopsTheNode(t *testing.T) {
	n, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
		BlockTime: 10 * time.Millisecond, APIAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	sub := n.Events().Subscribe(64)
	defer sub.Close()
	waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= 2 })
	url := "http://" + n.APIAddr() + "/v1/status"
	if _, err := http.Get(url); err != nil {
		t.Fatal(err)
	}
	if n.Err() != nil {
		t.Fatal("Err before any failure")
	}
	n.engine.(*bftEngine).wal.Close() // the next append fails, as on a dead disk
	select {
	case <-n.Done():
	case <-time.After(waitLimit):
		t.Fatal("the node did not stop")
	}
	if err := n.Err(); err == nil || !errContains(err, "consensus") {
		t.Fatalf("Err = %v", err)
	}
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Fatal("the API still serves after the node stopped")
	}
}

type eventsSub = events.Subscription

func errContains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }

// TestSyncRangesShrinkForHeavyBlocks: the blocks a range asks for fit the
// sync's memory budget at the weight of the blocks fetched before, from
// one block a range for huge blocks to syncBatch for empty ones.
func TestSyncRangesShrinkForHeavyBlocks(t *testing.T) {
	heavy := &chain.Block{Header: &chain.Header{}, Txs: make([]*types.Transaction, 10_000)}
	empty := &chain.Block{Header: &chain.Header{}}
	r := &syncRun{weight: syncFirstWeight}
	if n := rangeSize(r.weight); n != syncMemory/syncWindow/syncFirstWeight {
		t.Fatalf("first range of %d blocks", n)
	}
	r.weigh([]transport.BlockWithCommit{{Block: heavy}, {Block: heavy}})
	n := rangeSize(r.weight)
	if n < 1 || n*syncWindow*blockWeight(heavy) > syncMemory {
		t.Fatalf("%d blocks of 10,000 transactions a range: %d ranges hold %d MiB, over %d MiB", n, syncWindow, n*syncWindow*blockWeight(heavy)>>20, syncMemory>>20)
	}
	r.weigh([]transport.BlockWithCommit{{Block: empty}})
	if n := rangeSize(r.weight); n != syncBatch {
		t.Fatalf("%d empty blocks a range, want %d", n, syncBatch)
	}
	huge := &chain.Block{Header: &chain.Header{}, Txs: make([]*types.Transaction, 100_000)}
	r.weigh([]transport.BlockWithCommit{{Block: huge}})
	if n := rangeSize(r.weight); n != 1 {
		t.Fatalf("%d huge blocks a range, want 1", n)
	}
}
