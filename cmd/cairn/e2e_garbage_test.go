package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/p2p"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// genesisSource is what an in-process test peer serves: the status of a
// node of the chain that has nothing past genesis, and no blocks.
type genesisSource struct{ st transport.Status }

func (s genesisSource) Status() transport.Status { return s.st }

func (genesisSource) FinalizedBlock(uint64) (*chain.Block, *chain.Commit, error) {
	return nil, nil, errors.New("this test peer holds no blocks")
}

func (genesisSource) ProposalTxs(common.Hash, []uint32) ([][]byte, error) {
	return nil, errors.New("this test peer proposes nothing")
}

// startTestPeer runs an in-process libp2p peer of the chain st names, on
// TCP on 127.0.0.1, with the identity in keyPath and bootstrap as its only
// peer (no DHT, so it meets no one else). It takes nothing from gossip.
// Its log is shown if the test fails; it is closed at cleanup.
func startTestPeer(t *testing.T, name, keyPath string, st transport.Status, bootstrap string) *p2p.Transport {
	t.Helper()
	logs := &syncBuffer{}
	tr, err := p2p.New(p2p.Config{
		ChainID: st.ChainID, GenesisHash: st.GenesisHash, KeyPath: keyPath,
		Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Bootstrap: []string{bootstrap}, NoDHT: true,
		Source: genesisSource{st}, Agent: "e2e-" + name,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ignore := func(transport.PeerID, []byte) (transport.Verdict, any) { return transport.Ignore, nil }
	tr.SetValidator(transport.TopicTx, ignore)
	tr.SetValidator(transport.TopicConsensus, ignore)
	var closeOnce sync.Once
	t.Cleanup(func() {
		closeOnce.Do(func() { tr.Close() })
		if t.Failed() {
			t.Logf("test peer %s (%s) log:\n%s", name, tr.Self(), logs.String())
		}
	})
	return tr
}

// peerScore is the score p gives the peer id in /v1/peers, and whether it
// lists it at all.
func peerScore(t *testing.T, p *nodeProc, id string) (float64, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	peers, err := p.client.Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range peers {
		if pr.ID == id {
			return pr.Score, true
		}
	}
	return 0, false
}

// garbage makes the n-th junk gossip message of each kind, each one
// unique (the transaction topic drops repeated content as duplicates).
type garbage struct {
	validator common.Address // a validator of the chain, to forge a vote of
	head      func() uint64
	n         int
}

// next returns the next junk message and its topic, cycling through: a
// transaction batch that is not an RLP list, a batch whose one
// transaction does not decode, consensus bytes that are not JSON, and a
// vote of a real validator at the next height with a made-up signature.
func (g *garbage) next(t *testing.T) (transport.Topic, []byte, string) {
	g.n++
	switch g.n % 4 {
	case 1:
		return transport.TopicTx, fmt.Appendf(nil, "not an RLP list %d", g.n), "tx: not an RLP list"
	case 2:
		data, err := rlp.EncodeToBytes([][]byte{fmt.Appendf([]byte{0x02}, "undecodable %d", g.n)})
		if err != nil {
			t.Fatal(err)
		}
		return transport.TopicTx, data, "tx: a list with an undecodable transaction"
	case 3:
		return transport.TopicConsensus, fmt.Appendf(nil, `{"vote": not JSON %d`, g.n), "consensus: not JSON"
	}
	sig := make([]byte, 64)
	var block common.Hash
	rand.Read(sig)
	rand.Read(block[:])
	vote := &chain.Vote{Type: chain.Prevote, Height: g.head() + 1, BlockHash: block, Validator: g.validator, Signature: sig}
	data, err := json.Marshal(map[string]any{"vote": vote})
	if err != nil {
		t.Fatal(err)
	}
	return transport.TopicConsensus, data, "consensus: a vote with a bad signature"
}

// testGarbagePeer connects an in-process peer to node1 that passes the
// status handshake (same chain ID and genesis) and then gossips junk on
// both topics. node1 must score it negative, then disconnect it and ban
// it: a new connection under its identity is refused while a fresh peer
// is let in. The chain goes on throughout.
func testGarbagePeer(t *testing.T, dp *devnetProcs) {
	ctx := context.Background()
	n1 := dp.nodes[0]
	st, err := n1.client.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	startHeight := st.Height
	peerSt := transport.Status{ChainID: st.ChainID, GenesisHash: st.GenesisHash, HeadHash: st.GenesisHash}
	keyPath := filepath.Join(t.TempDir(), "hostile_key")
	bad := startTestPeer(t, "hostile", keyPath, peerSt, dp.net.Nodes[0].P2P)
	id := string(bad.Self())
	waitPeerListed(t, n1, id, 30*time.Second)

	g := &garbage{validator: dp.net.Nodes[1].Validator, head: func() uint64 {
		st, err := n1.client.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.Height
	}}
	// One junk message at a time, leaving node1 time to score it (it
	// reads scores once a second), until the score is negative: well
	// before the few rejects that ban.
	var sent []string
	deadline := time.Now().Add(30 * time.Second)
	for negative := false; !negative; {
		topic, data, what := g.next(t)
		if err := bad.Broadcast(topic, data); err != nil {
			t.Fatalf("broadcast %s: %v", what, err)
		}
		sent = append(sent, what)
		for wait := time.Now().Add(1500 * time.Millisecond); time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
			score, listed := peerScore(t, n1, id)
			if !listed {
				t.Fatalf("node1 dropped the peer before its score was seen negative, after %q", sent)
			}
			if score < 0 {
				t.Logf("node1 scores the peer %.1f after %q", score, sent)
				negative = true
				break
			}
		}
		if !negative && time.Now().After(deadline) {
			t.Fatalf("node1 still scores the peer non-negative after %q", sent)
		}
	}
	// Then a stream of junk of every kind until node1 drops the peer.
	deadline = time.Now().Add(30 * time.Second)
	for {
		if _, listed := peerScore(t, n1, id); !listed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node1 still lists the peer 30s after %d junk messages", len(sent))
		}
		for range 4 {
			topic, data, what := g.next(t)
			if err := bad.Broadcast(topic, data); err != nil {
				t.Fatalf("broadcast %s: %v", what, err)
			}
			sent = append(sent, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	line, ok := n1.logLineWith("banned peer", id)
	if !ok {
		t.Fatalf("node1 dropped the peer without logging a ban:\n%s", n1.logTail())
	}
	t.Logf("node1 dropped the peer after %d junk messages: %s", len(sent), line)
	waitFor(t, 10*time.Second, "the hostile peer to see node1 gone", func() bool { return len(bad.Peers()) == 0 })
	bad.Close()

	// The ban holds: the same identity dialling again is refused, while a
	// peer never seen before is let in at the same time.
	again := startTestPeer(t, "hostile-again", keyPath, peerSt, dp.net.Nodes[0].P2P)
	if string(again.Self()) != id {
		t.Fatalf("the same key gave peer ID %s, want %s", again.Self(), id)
	}
	fresh := startTestPeer(t, "fresh", filepath.Join(t.TempDir(), "fresh_key"), peerSt, dp.net.Nodes[0].P2P)
	waitPeerListed(t, n1, string(fresh.Self()), 30*time.Second)
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if slices.Contains(peerIDs(t, n1), id) {
			t.Fatal("node1 lists the banned peer again")
		}
		if ps := again.Peers(); len(ps) != 0 {
			t.Fatalf("the banned peer is connected to %v again", ps[0].ID)
		}
	}
	// The chain went on.
	waitHeights(t, dp.nodes, startHeight+3, 3, 30*time.Second)
}

// waitPeerListed waits, bounded, until p lists the peer id in /v1/peers.
func waitPeerListed(t *testing.T, p *nodeProc, id string, bound time.Duration) {
	t.Helper()
	waitFor(t, bound, "the node to list peer "+id, func() bool {
		_, listed := peerScore(t, p, id)
		return listed
	})
}
