package p2p

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"cairn/node/transport"

	"github.com/libp2p/go-libp2p/core/peer"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// maxGossipMessage is pubsub's cap on one message.
const maxGossipMessage = 10 << 20

// topicSpec is one row of the gossip table: a transport topic, its size
// cap, its weight in peer scores and how its messages are told apart.
type topicSpec struct {
	topic   transport.Topic
	maxSize int
	weight  float64
	id      pubsub.MsgIdFunction
}

// gossipTable is every topic the node gossips on. Both are delivered to
// Messages (the node dispatches by Topic); each has its own validator.
var gossipTable = []topicSpec{
	{topic: transport.TopicConsensus, maxSize: 8 << 20, weight: 1, id: publicationID},
	{topic: transport.TopicTx, maxSize: 128 << 10, weight: 0.5, id: contentID},
}

// topicEntry is a joined topic: its spec, pubsub name and handles, the
// validator the node set, and its traffic counter.
type topicEntry struct {
	topicSpec
	name    string
	handle  *pubsub.Topic
	sub     *pubsub.Subscription
	counter *counter

	mu        sync.RWMutex
	validator transport.Validator
}

func (e *topicEntry) currentValidator() transport.Validator {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.validator
}

// topicName is the chain-scoped pubsub name of a topic:
// /cairn/<chainId>/<topic>/1.
func topicName(chainID uint64, topic transport.Topic) string {
	return fmt.Sprintf("/cairn/%d/%s/1", chainID, topic)
}

// contentID is a gossip message's ID by content: the hash of its data,
// so the same payload from two publishers, or published twice, is one
// message (a transaction two nodes gossip).
func contentID(m *pb.Message) string {
	h := sha256.Sum256(m.GetData())
	return string(h[:])
}

// publicationID is a consensus message's ID: the hash of its data, its
// author and the author's sequence number, so forwarded copies are one
// message but a publication again of the same bytes is new. The engine
// re-sends its votes and proposal while a round stalls, to reach peers
// that missed them; with the content alone as ID, gossipsub would drop
// every re-send as a duplicate (at the sender already) for as long as it
// remembers seen messages, two minutes.
func publicationID(m *pb.Message) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(m.GetFrom())))
	h.Write(n[:])
	h.Write(m.GetFrom())
	binary.BigEndian.PutUint64(n[:], uint64(len(m.GetSeqno())))
	h.Write(n[:])
	h.Write(m.GetSeqno())
	h.Write(m.GetData())
	return string(h.Sum(nil))
}

// startGossip starts gossipsub and joins every topic of the table.
func (t *Transport) startGossip() error {
	weights := map[string]float64{}
	for _, spec := range gossipTable {
		name := topicName(t.cfg.ChainID, spec.topic)
		e := &topicEntry{topicSpec: spec, name: name, counter: t.traffic.add(trafficGossip + string(spec.topic))}
		t.traffic.byTopic[name] = e.counter
		t.topics[spec.topic] = e
		weights[name] = spec.weight
	}
	ps, err := pubsub.NewGossipSub(t.ctx, t.h,
		pubsub.WithMessageIdFn(contentID),
		pubsub.WithMaxMessageSize(maxGossipMessage),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictSign),
		// This node's own messages (its votes, its proposals) go straight
		// to every subscribed peer, not only the mesh, which the first
		// heartbeats are still forming when a node starts.
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerScore(scoreParams(weights, t.appScore), scoreThresholds()),
		pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(t.onScores), t.cfg.tuning.scoreInspect),
		pubsub.WithRawTracer(gossipTracer{tr: t.traffic, mesh: t.mesh}),
		pubsub.WithValidateQueueSize(1024),
		pubsub.WithPeerOutboundQueueSize(128),
		pubsub.WithLogger(t.log.With("part", "gossipsub")),
	)
	if err != nil {
		return fmt.Errorf("start gossipsub: %w", err)
	}
	t.ps = ps
	for _, e := range t.topics {
		if err := ps.RegisterTopicValidator(e.name, t.validator(e)); err != nil {
			return fmt.Errorf("validator of %s: %w", e.name, err)
		}
		if e.handle, err = ps.Join(e.name, pubsub.WithTopicMessageIdFn(e.id)); err != nil {
			return fmt.Errorf("join %s: %w", e.name, err)
		}
		if e.sub, err = e.handle.Subscribe(pubsub.WithBufferSize(256)); err != nil {
			return fmt.Errorf("subscribe to %s: %w", e.name, err)
		}
		t.spawn(func() { t.readTopic(e) })
	}
	return nil
}

// validator is the pubsub validator of a topic: it accepts this node's
// own messages, rejects oversized ones, and otherwise asks the validator
// the node set, passing on what it decoded.
func (t *Transport) validator(e *topicEntry) pubsub.ValidatorEx {
	return func(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if m.Local || from == t.self {
			return pubsub.ValidationAccept
		}
		if len(m.Data) > e.maxSize {
			return pubsub.ValidationReject
		}
		v := e.currentValidator()
		if v == nil {
			return pubsub.ValidationAccept
		}
		// The node's validator reads its store, which it closes after
		// this transport: Close waits for calls in flight.
		if !t.enter() {
			return pubsub.ValidationIgnore
		}
		defer t.wg.Done()
		verdict, decoded := v(transport.PeerID(from.String()), m.Data)
		switch verdict {
		case transport.Accept:
			m.ValidatorData = decoded
			return pubsub.ValidationAccept
		case transport.Ignore:
			return pubsub.ValidationIgnore
		default:
			return pubsub.ValidationReject
		}
	}
}

// readTopic delivers a topic's accepted messages from peers to Messages,
// dropping (and counting) what does not fit.
func (t *Transport) readTopic(e *topicEntry) {
	for {
		m, err := e.sub.Next(t.ctx)
		if err != nil {
			return
		}
		if m.Local || m.ReceivedFrom == t.self || m.GetFrom() == t.self {
			continue // gossipsub hands a node its own messages too
		}
		msg := transport.Message{
			From: transport.PeerID(m.ReceivedFrom.String()), Topic: e.topic,
			Data: m.Data, Decoded: m.ValidatorData,
		}
		select {
		case t.msgs <- msg:
		default:
			t.dropped.Add(1)
		}
	}
}

// SetValidator installs the validator of topic; messages on a topic
// without one are delivered as they are. Unknown topics are ignored.
func (t *Transport) SetValidator(topic transport.Topic, v transport.Validator) {
	e := t.topics[topic]
	if e == nil {
		t.log.Warn("validator for an unknown topic", "topic", topic)
		return
	}
	e.mu.Lock()
	e.validator = v
	e.mu.Unlock()
}

// errClosed is what the transport's methods return after Close.
var errClosed = errors.New("p2p transport closed")

// Broadcast publishes data on topic to the peers. It does not wait for
// slow peers (gossipsub queues per peer and drops past the queue).
func (t *Transport) Broadcast(topic transport.Topic, data []byte) error {
	e := t.topics[topic]
	if e == nil {
		return fmt.Errorf("broadcast: unknown topic %q", topic)
	}
	if t.ctx.Err() != nil {
		return fmt.Errorf("broadcast on %s: %w", topic, errClosed)
	}
	if len(data) > e.maxSize {
		return fmt.Errorf("broadcast on %s: %d bytes exceed the topic's cap of %d", topic, len(data), e.maxSize)
	}
	if err := e.handle.Publish(t.ctx, data); err != nil {
		return fmt.Errorf("broadcast on %s: %w", topic, err)
	}
	return nil
}

// Messages delivers what peers broadcast and the validators accepted,
// until Close closes it.
func (t *Transport) Messages() <-chan transport.Message { return t.msgs }

// Dropped is how many accepted gossip messages were lost because
// Messages was full.
func (t *Transport) Dropped() uint64 { return t.dropped.Load() }

// Rejected is how many gossip messages from peers the validators (or the
// topics' size caps) rejected.
func (t *Transport) Rejected() uint64 {
	var n uint64
	for _, e := range t.topics {
		n += e.counter.rejected.Load()
	}
	return n
}
