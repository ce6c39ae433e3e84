package p2p

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Traffic is how many bytes went each way on one protocol or topic.
type Traffic struct {
	In, Out uint64
}

// The keys of Bytes: "gossip/<topic>" for the payloads of gossip
// messages on a transport.Topic (each copy sent or received counts), and
// "req/<name>" for everything written and read on a request/response
// protocol's streams.
const (
	trafficGossip  = "gossip/"
	trafficRequest = "req/"
)

// counter is one key's byte counts, and for a gossip topic how many
// messages its validator rejected and ignored.
type counter struct {
	in, out           atomic.Uint64
	rejected, ignored atomic.Uint64
}

// traffic counts bytes per protocol and topic. Its keys are fixed when the
// transport starts, so the map is only read afterwards.
type traffic struct {
	byKey   map[string]*counter
	byTopic map[string]*counter // pubsub topic name -> its gossip counter
}

func newTraffic() *traffic {
	return &traffic{byKey: map[string]*counter{}, byTopic: map[string]*counter{}}
}

// add creates the counter of key (before the transport starts).
func (tr *traffic) add(key string) *counter {
	c := &counter{}
	tr.byKey[key] = c
	return c
}

// snapshot copies the counts.
func (tr *traffic) snapshot() map[string]Traffic {
	out := make(map[string]Traffic, len(tr.byKey))
	for k, c := range tr.byKey {
		out[k] = Traffic{In: c.in.Load(), Out: c.out.Load()}
	}
	return out
}

// countedStream counts what is read from and written to a stream.
type countedStream struct {
	network.Stream
	c *counter
}

func (s countedStream) Read(p []byte) (int, error) {
	n, err := s.Stream.Read(p)
	s.c.in.Add(uint64(n))
	return n, err
}

func (s countedStream) Write(p []byte) (int, error) {
	n, err := s.Stream.Write(p)
	s.c.out.Add(uint64(n))
	return n, err
}

// gossipTracer is the pubsub raw tracer that counts gossip payload bytes
// and verdicts per topic, and follows the mesh. pubsub calls it from its
// own goroutines.
type gossipTracer struct {
	tr   *traffic
	mesh *meshView
}

// meshView is, per pubsub topic, the peers in this node's mesh.
type meshView struct {
	mu    sync.Mutex
	peers map[string]map[peer.ID]bool
}

func newMeshView() *meshView { return &meshView{peers: map[string]map[peer.ID]bool{}} }

func (m *meshView) set(topic string, p peer.ID, in bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if in {
		if m.peers[topic] == nil {
			m.peers[topic] = map[peer.ID]bool{}
		}
		m.peers[topic][p] = true
	} else {
		delete(m.peers[topic], p)
	}
}

func (m *meshView) has(topic string, p peer.ID) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peers[topic][p]
}

var _ pubsub.RawTracer = gossipTracer{}

func (g gossipTracer) count(rpc *pubsub.RPC, out bool) {
	for _, m := range rpc.GetPublish() {
		c := g.tr.byTopic[m.GetTopic()]
		if c == nil {
			continue
		}
		if out {
			c.out.Add(uint64(len(m.GetData())))
		} else {
			c.in.Add(uint64(len(m.GetData())))
		}
	}
}

// RejectMessage counts the messages a validator rejected or ignored (not
// those dropped for a full queue or a bad signature). pubsub calls it once
// the verdict is final: such a message is neither delivered nor forwarded.
func (g gossipTracer) RejectMessage(m *pubsub.Message, reason string) {
	c := g.tr.byTopic[m.GetTopic()]
	if c == nil {
		return
	}
	switch reason {
	case pubsub.RejectValidationFailed:
		c.rejected.Add(1)
	case pubsub.RejectValidationIgnored:
		c.ignored.Add(1)
	}
}

func (g gossipTracer) Graft(p peer.ID, topic string) { g.mesh.set(topic, p, true) }
func (g gossipTracer) Prune(p peer.ID, topic string) { g.mesh.set(topic, p, false) }

func (g gossipTracer) RecvRPC(rpc *pubsub.RPC)                            { g.count(rpc, false) }
func (g gossipTracer) SendRPC(rpc *pubsub.RPC, _ peer.ID)                 { g.count(rpc, true) }
func (gossipTracer) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (gossipTracer) OnClosedOutboundStream(peer.ID)                       {}
func (gossipTracer) Join(string)                                          {}
func (gossipTracer) Leave(string)                                         {}
func (gossipTracer) ValidateMessage(*pubsub.Message)                      {}
func (gossipTracer) DeliverMessage(*pubsub.Message)                       {}
func (gossipTracer) DuplicateMessage(*pubsub.Message)                     {}
func (gossipTracer) ThrottlePeer(peer.ID)                                 {}
func (gossipTracer) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
func (gossipTracer) DropRPC(*pubsub.RPC, peer.ID)                         {}
func (gossipTracer) UndeliverableMessage(*pubsub.Message)                 {}
