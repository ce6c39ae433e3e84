package p2p

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
)

const testChain = 7

var testGenesis = common.HexToHash("0x6e6573697367")

// fastTuning keeps the tests' loops and timeouts short.
var fastTuning = tuning{
	request:        3 * time.Second,
	handshakeRetry: 20 * time.Millisecond,
	scoreInspect:   50 * time.Millisecond,
	redialMin:      20 * time.Millisecond,
	redialMax:      200 * time.Millisecond,
	redialCheck:    10 * time.Millisecond,
	find:           100 * time.Millisecond,
	advertiseRetry: 100 * time.Millisecond,
	inbox:          4096,
}

// waitFor polls cond every few milliseconds until it holds, failing the
// test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// receive waits for the next message on tr.
func receive(t *testing.T, tr *Transport) transport.Message {
	t.Helper()
	select {
	case m := <-tr.Messages():
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
	return transport.Message{}
}

// fakeSource is a Source with blocks 1..head and proposals by hash; it
// counts the block heights it was asked for.
type fakeSource struct {
	mu        sync.Mutex
	status    transport.Status
	blocks    map[uint64]transport.BlockWithCommit
	proposals map[common.Hash][][]byte
	asked     map[uint64]int
}

func newSource(genesis common.Hash, head uint64) *fakeSource {
	s := &fakeSource{
		status:    transport.Status{ChainID: testChain, GenesisHash: genesis},
		blocks:    map[uint64]transport.BlockWithCommit{},
		proposals: map[common.Hash][][]byte{},
		asked:     map[uint64]int{},
	}
	parent := genesis
	for h := uint64(1); h <= head; h++ {
		b := testBlock(h, parent)
		s.blocks[h] = transport.BlockWithCommit{Block: b, Commit: testCommit(b)}
		parent = b.Hash()
	}
	s.status.Head, s.status.Finalized = head, head
	if head > 0 {
		s.status.HeadHash = parent
	}
	return s
}

func testBlock(height uint64, parent common.Hash) *chain.Block {
	return &chain.Block{Header: &chain.Header{
		ParentHash: parent, Height: height, Time: 1_700_000_000_000 + height*1000,
		Proposer: common.BytesToAddress([]byte{byte(height)}), GasLimit: 30_000_000,
		BaseFee: big.NewInt(1_000_000_000), VRFOutput: []byte{1, 2, 3}, VRFProof: []byte{4, 5, 6},
	}}
}

func testCommit(b *chain.Block) *chain.Commit {
	return &chain.Commit{Height: b.Height(), Round: 1, BlockHash: b.Hash(), Signatures: []chain.CommitSig{
		{Validator: common.HexToAddress("0x01"), Signature: bytes.Repeat([]byte{0xab}, 64)},
	}}
}

func (s *fakeSource) Status() transport.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *fakeSource) setHead(h uint64) {
	s.mu.Lock()
	s.status.Head = h
	s.mu.Unlock()
}

func (s *fakeSource) FinalizedBlock(h uint64) (*chain.Block, *chain.Commit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked[h]++
	bc, ok := s.blocks[h]
	if !ok {
		return nil, nil, fmt.Errorf("no block %d", h)
	}
	return bc.Block, bc.Commit, nil
}

func (s *fakeSource) askedFor(h uint64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[h]
}

func (s *fakeSource) ProposalTxs(block common.Hash, indices []uint32) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	txs, ok := s.proposals[block]
	if !ok {
		return nil, fmt.Errorf("block %s: not a recent proposal", block)
	}
	out := make([][]byte, 0, len(indices))
	for _, i := range indices {
		if int(i) >= len(txs) {
			return nil, fmt.Errorf("no transaction #%d", i)
		}
		out = append(out, txs[i])
	}
	return out, nil
}

// mockNet is a mocknet of transports.
type mockNet struct {
	t  *testing.T
	mn mocknet.Mocknet
}

func newNet(t *testing.T) *mockNet {
	mn := mocknet.New()
	t.Cleanup(func() { _ = mn.Close() })
	return &mockNet{t: t, mn: mn}
}

// node starts a transport on a new mocknet host, without DHT unless cfg
// asks. Defaults: the test chain and genesis, a Source with no blocks.
func (n *mockNet) node(cfg Config) *Transport {
	n.t.Helper()
	h, err := n.mn.GenPeer()
	if err != nil {
		n.t.Fatal(err)
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = testChain
	}
	if cfg.GenesisHash == (common.Hash{}) {
		cfg.GenesisHash = testGenesis
	}
	if cfg.Source == nil {
		cfg.Source = newSource(cfg.GenesisHash, 0)
	}
	if cfg.StatusInterval == 0 {
		cfg.StatusInterval = 50 * time.Millisecond
	}
	if cfg.tuning == nil {
		tn := fastTuning
		cfg.tuning = &tn
	}
	tr, err := newOnHost(cfg, h, newGater())
	if err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// connect links and connects a and b (a dials).
func (n *mockNet) connect(a, b *Transport) {
	n.t.Helper()
	if _, err := n.mn.LinkPeers(a.self, b.self); err != nil {
		n.t.Fatal(err)
	}
	if _, err := n.mn.ConnectPeers(a.self, b.self); err != nil {
		n.t.Fatal(err)
	}
}

// hasPeer says whether tr lists p among its peers.
func hasPeer(tr *Transport, p *Transport) bool {
	for _, info := range tr.Peers() {
		if info.ID == p.Self() {
			return true
		}
	}
	return false
}

// peerInfo is what tr lists of p.
func peerInfo(tr *Transport, p *Transport) (transport.PeerInfo, bool) {
	for _, info := range tr.Peers() {
		if info.ID == p.Self() {
			return info, true
		}
	}
	return transport.PeerInfo{}, false
}

// waitReady waits until every pair of the given nodes that is connected
// sees each other in Peers and as gossip peers on both topics.
func waitReady(t *testing.T, pairs ...[2]*Transport) {
	t.Helper()
	for _, p := range pairs {
		a, b := p[0], p[1]
		waitFor(t, "handshake", 10*time.Second, func() bool { return hasPeer(a, b) && hasPeer(b, a) })
		for _, spec := range gossipTable {
			waitFor(t, "gossip peers on "+string(spec.topic), 10*time.Second, func() bool {
				return topicHasPeer(a, spec.topic, b.self) && topicHasPeer(b, spec.topic, a.self)
			})
		}
	}
}

// waitMesh waits until a and b have each other in their gossip mesh on
// topic: until then a message one of them forwards does not reach the
// other.
func waitMesh(t *testing.T, topic transport.Topic, a, b *Transport) {
	t.Helper()
	waitFor(t, "mesh on "+string(topic), 10*time.Second, func() bool {
		return a.mesh.has(a.topics[topic].name, b.self) && b.mesh.has(b.topics[topic].name, a.self)
	})
}

func topicHasPeer(tr *Transport, topic transport.Topic, p peer.ID) bool {
	for _, q := range tr.topics[topic].handle.ListPeers() {
		if q == p {
			return true
		}
	}
	return false
}

func connected(a, b *Transport) bool {
	return a.h.Network().Connectedness(b.self) == network.Connected
}

// logBuffer is a slog handler's output, safe for the transport's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// without is the log less the lines that contain s.
func (l *logBuffer) without(s string) string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if !strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func isDeadline(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}
