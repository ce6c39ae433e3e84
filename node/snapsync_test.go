package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"cairn/chain"
	"cairn/chain/snapshot"
	"cairn/node/api"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// snapProxy is a peer that serves what a validator node serves. A liar
// corrupts every state chunk; an honest proxy answers chunks only once
// the liar has served one, so that the test knows a corrupted chunk
// reached the new node.
type snapProxy struct {
	n          *Node
	liar       bool
	liarServed chan struct{}
	once       *sync.Once
}

func (p *snapProxy) Status() transport.Status { return p.n.Status() }

func (p *snapProxy) FinalizedBlock(h uint64) (*chain.Block, *chain.Commit, error) {
	return p.n.FinalizedBlock(h)
}

func (p *snapProxy) ProposalTxs(b common.Hash, idx []uint32) ([][]byte, error) {
	return p.n.ProposalTxs(b, idx)
}

func (p *snapProxy) ServeSnapshot(raw []byte) ([]byte, error) {
	var req snapRequest
	if err := rlp.DecodeBytes(raw, &req); err != nil || req.Kind != snapChunk {
		return p.n.ServeSnapshot(raw)
	}
	if !p.liar {
		select {
		case <-p.liarServed:
		case <-time.After(waitLimit):
			return nil, errors.New("the liar was never asked")
		}
		return p.n.ServeSnapshot(raw)
	}
	ans, err := p.n.ServeSnapshot(raw)
	if err != nil {
		return nil, err
	}
	c, err := snapshot.DecodeChunk(ans)
	if err != nil {
		return nil, err
	}
	if len(c.Entries) > 0 {
		v := append([]byte(nil), c.Entries[0].Value...)
		v[len(v)-1] ^= 1
		c.Entries[0].Value = v
	} else {
		c.Proof = nil
	}
	defer p.once.Do(func() { close(p.liarServed) })
	return snapshot.EncodeChunk(c)
}

// TestSnapshotSyncRefusesACorruptedChunkAndFollows: a new node with
// --sync snapshot, reaching the chain only through two honest peers and
// one that corrupts every chunk, refuses the corrupted chunk, scores the
// liar down, finishes from the others, and then executes the next blocks
// to the same hashes (so the same state roots) as the validators.
func TestSnapshotSyncRefusesACorruptedChunkAndFollows(t *testing.T) {
	tn := newTestNet(t)
	var recipients []common.Address
	for i := range 40 {
		to := common.BigToAddress(common.Big0.SetUint64(uint64(0x5000 + i)))
		if err := tn.nodes[0].Pool().Add(signedTransfer(t, tn.nodes[0], uint64(i), to, int64(100+i))); err != nil {
			t.Fatal(err)
		}
		recipients = append(recipients, to)
	}
	tn.waitBalance(recipients[39], 139, 0)
	tn.waitHeight(tn.head(0)+3, 0)

	served, once := make(chan struct{}), &sync.Once{}
	proxies := map[transport.PeerID]*snapProxy{
		"mirror1": {n: tn.nodes[0], liarServed: served, once: once},
		"mirror2": {n: tn.nodes[1], liarServed: served, once: once},
		"liar":    {n: tn.nodes[2], liar: true, liarServed: served, once: once},
	}
	for id, p := range proxies {
		if _, err := tn.hub.Join(id, p); err != nil {
			t.Fatal(err)
		}
	}
	src := &lazySource{}
	tr, err := tn.hub.Join("newcomer", src)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tn.nodes {
		tn.hub.Cut("newcomer", transport.PeerID(fmt.Sprintf("v%d", i)))
	}
	f, err := New(Config{Home: t.TempDir(), Genesis: tn.genesis, BlockTime: testBlockTime, Transport: tr, Logger: testLogger(8), Sync: SyncSnapshot})
	if err != nil {
		t.Fatal(err)
	}
	src.n.Store(f)
	sub := f.Events().Subscribe(1 << 16)
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close(); f.Close() })

	waitFor(t, sub, "the snapshot adopted", func() bool { return f.store.Base() > 0 })
	base := f.store.Base()
	waitFor(t, sub, "the new node executing blocks past its snapshot", func() bool { return f.Chain().Head().Height() >= base+5 })

	st := f.snap.Status()
	if st.Phase != api.SnapshotDone || st.Refused < 1 || st.Height != base {
		t.Fatalf("snapshot status %+v, want done at %d with a refused chunk", st, base)
	}
	if tn.hub.Penalties("newcomer", "liar") == 0 {
		t.Fatal("the liar was not scored down")
	}
	for _, id := range []transport.PeerID{"mirror1", "mirror2"} {
		if tn.hub.Penalties("newcomer", id) != 0 {
			t.Fatalf("honest peer %s was scored down", id)
		}
	}
	for h := base; h <= base+5; h++ {
		mine, err := f.Chain().BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := tn.nodes[0].Chain().BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		if mine.Hash() != theirs.Hash() {
			t.Fatalf("block %d: %x on the new node, %x on the validators", h, mine.Hash(), theirs.Hash())
		}
	}
	for i, to := range recipients {
		acc, err := f.Chain().Account(to)
		if err != nil || acc.Balance.Int64() != int64(100+i) {
			t.Fatalf("balance of %s on the new node: %v (%v)", to, acc.Balance, err)
		}
	}
	if _, err := f.Chain().BlockByHeight(1); !errors.Is(err, chain.ErrBeforeBase) {
		t.Fatalf("block 1 on the new node: %v, want ErrBeforeBase", err)
	}
	info := f.info()
	if info.State.Base != base || info.Snapshot == nil || info.Snapshot.Phase != api.SnapshotDone {
		t.Fatalf("status %+v %+v", info.State, info.Snapshot)
	}
}

// TestSnapshotSyncOnANodeWithBlocksFollowsFromItsHead: --sync snapshot on
// a store past genesis changes nothing: the node goes on from its head.
func TestSnapshotSyncOnANodeWithBlocksFollowsFromItsHead(t *testing.T) {
	tn := newTestNet(t)
	tn.waitHeight(3, 0)
	tn.stop(3)
	n, err := tn.open(3, func(c *Config) { c.Sync = SyncSnapshot })
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.snap != nil || n.store.Base() != 0 {
		t.Fatal("a node with blocks prepared a snapshot sync")
	}
}

// TestSnapshotSyncOnANewNetworkFollowsFromGenesis: a node started with
// --sync snapshot whose peers have finalized nothing does not wait for a
// snapshot that cannot come (it may be a validator the chain needs to
// leave genesis): it says so and follows from genesis.
func TestSnapshotSyncOnANewNetworkFollowsFromGenesis(t *testing.T) {
	hub := transport.NewHub()
	g := chain.Devnet()
	start := func(id transport.PeerID, sync string) (*Node, *eventsSub) {
		src := &lazySource{}
		tr, err := hub.Join(id, src)
		if err != nil {
			t.Fatal(err)
		}
		n, err := New(Config{Home: t.TempDir(), Genesis: g, BlockTime: testBlockTime, Transport: tr, Logger: testLogger(8), Sync: sync})
		if err != nil {
			t.Fatal(err)
		}
		src.n.Store(n)
		sub := n.Events().Subscribe(16)
		if err := n.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sub.Close(); n.Close() })
		return n, sub
	}
	start("at-genesis", SyncFull)
	f, _ := start("newcomer", SyncSnapshot)
	deadline := time.Now().Add(waitLimit)
	for f.snap.Status().Running() {
		if time.Now().After(deadline) {
			t.Fatalf("still %q after %s with a peer at genesis", f.snap.Status().Phase, waitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := f.snap.Status(); st.Phase != api.SnapshotSkipped || f.snapping.Load() || f.Chain().Head().Height() != 0 {
		t.Fatalf("phase %q, snapping %v, head %d", st.Phase, f.snapping.Load(), f.Chain().Head().Height())
	}
}
