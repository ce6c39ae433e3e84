package transport

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/rlp"
)

// inboxSize is how many messages a node's inbox holds; past that, new
// messages to it are dropped (and counted), as a congested link would.
const inboxSize = 4096

// Hub is an in-memory network of nodes for tests. Every pair of joined
// nodes is linked until Cut; data is copied across, never shared.
type Hub struct {
	mu    sync.RWMutex
	nodes map[PeerID]*memTransport
	cut   map[[2]PeerID]bool
}

// NewHub returns an empty network.
func NewHub() *Hub {
	return &Hub{nodes: map[PeerID]*memTransport{}, cut: map[[2]PeerID]bool{}}
}

func link(a, b PeerID) [2]PeerID {
	if a > b {
		a, b = b, a
	}
	return [2]PeerID{a, b}
}

// Join adds a node that answers block requests from src.
func (h *Hub) Join(id PeerID, src BlockSource) (Transport, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.nodes[id]; ok {
		return nil, fmt.Errorf("join: peer %s is already on the hub", id)
	}
	t := &memTransport{hub: h, id: id, src: src, inbox: make(chan Message, inboxSize)}
	h.nodes[id] = t
	return t, nil
}

// Cut breaks the link between a and b (both directions).
func (h *Hub) Cut(a, b PeerID) {
	h.mu.Lock()
	h.cut[link(a, b)] = true
	h.mu.Unlock()
}

// Isolate cuts every link of id.
func (h *Hub) Isolate(id PeerID) {
	h.mu.Lock()
	for other := range h.nodes {
		if other != id {
			h.cut[link(id, other)] = true
		}
	}
	h.mu.Unlock()
}

// Heal restores every link.
func (h *Hub) Heal() {
	h.mu.Lock()
	h.cut = map[[2]PeerID]bool{}
	h.mu.Unlock()
}

// Dropped is how many messages to id were lost to a full inbox.
func (h *Hub) Dropped(id PeerID) uint64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if t, ok := h.nodes[id]; ok {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.dropped
	}
	return 0
}

// reachable are the peers linked to id, in ID order.
func (h *Hub) reachable(id PeerID) []*memTransport {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*memTransport
	for other, t := range h.nodes {
		if other != id && !h.cut[link(id, other)] {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

type memTransport struct {
	hub   *Hub
	id    PeerID
	src   BlockSource
	inbox chan Message

	mu      sync.Mutex
	closed  bool
	dropped uint64
}

func (t *memTransport) Self() PeerID { return t.id }

func (t *memTransport) Broadcast(topic Topic, data []byte) error {
	if t.isClosed() {
		return errors.New("broadcast: transport closed")
	}
	for _, peer := range t.hub.reachable(t.id) {
		peer.deliver(Message{From: t.id, Topic: topic, Data: append([]byte(nil), data...)})
	}
	return nil
}

func (t *memTransport) deliver(m Message) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	select {
	case t.inbox <- m:
	default:
		t.dropped++
	}
}

func (t *memTransport) Messages() <-chan Message { return t.inbox }

func (t *memTransport) FetchBlock(ctx context.Context, height uint64) (*chain.Block, *chain.Commit, error) {
	for _, peer := range t.hub.reachable(t.id) {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if peer.isClosed() || peer.src == nil {
			continue
		}
		b, c, err := peer.src.FinalizedBlock(height)
		if err != nil {
			continue
		}
		// Across the "wire": encode and decode, as a real peer's answer is.
		return copyBlock(b, c)
	}
	return nil, nil, fmt.Errorf("block %d: %w", height, ErrNoPeerHasIt)
}

func copyBlock(b *chain.Block, c *chain.Commit) (*chain.Block, *chain.Commit, error) {
	data, err := b.MarshalBinary()
	if err != nil {
		return nil, nil, err
	}
	var nb chain.Block
	if err := nb.UnmarshalBinary(data); err != nil {
		return nil, nil, err
	}
	cdata, err := rlp.EncodeToBytes(c)
	if err != nil {
		return nil, nil, err
	}
	var nc chain.Commit
	if err := rlp.DecodeBytes(cdata, &nc); err != nil {
		return nil, nil, err
	}
	return &nb, &nc, nil
}

func (t *memTransport) Peers() []PeerID {
	var out []PeerID
	for _, p := range t.hub.reachable(t.id) {
		if !p.isClosed() {
			out = append(out, p.id)
		}
	}
	return out
}

func (t *memTransport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// Close leaves the hub: the node is gone until it joins again (under the
// same ID, as a restarted node does).
func (t *memTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	close(t.inbox)
	t.mu.Unlock()
	t.hub.mu.Lock()
	if t.hub.nodes[t.id] == t {
		delete(t.hub.nodes, t.id)
	}
	t.hub.mu.Unlock()
	return nil
}
