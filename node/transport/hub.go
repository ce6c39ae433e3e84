package transport

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
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

// Join adds a node that answers peers' requests from src.
func (h *Hub) Join(id PeerID, src Source) (Transport, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.nodes[id]; ok {
		return nil, fmt.Errorf("join: peer %s is already on the hub", id)
	}
	t := &memTransport{
		hub: h, id: id, src: src, inbox: make(chan Message, inboxSize),
		validators: map[Topic]Validator{}, joined: time.Now(), penalties: map[PeerID]int{},
	}
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

// Rejected is how many messages to id its validators rejected.
func (h *Hub) Rejected(id PeerID) uint64 {
	return h.read(id, func(t *memTransport) uint64 { return t.rejected })
}

// Penalties is how many times id penalized peer.
func (h *Hub) Penalties(id, peer PeerID) int {
	return int(h.read(id, func(t *memTransport) uint64 { return uint64(t.penalties[peer]) }))
}

// Dropped is how many messages to id were lost to a full inbox.
func (h *Hub) Dropped(id PeerID) uint64 {
	return h.read(id, func(t *memTransport) uint64 { return t.dropped })
}

// read reads a counter of node id under its lock (0 for a node not on the hub).
func (h *Hub) read(id PeerID, f func(*memTransport) uint64) uint64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	t, ok := h.nodes[id]
	if !ok {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return f(t)
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
	hub    *Hub
	id     PeerID
	src    Source
	inbox  chan Message
	joined time.Time

	mu         sync.Mutex
	closed     bool
	inflight   sync.WaitGroup // validator calls Close waits for
	dropped    uint64
	rejected   uint64
	validators map[Topic]Validator
	penalties  map[PeerID]int
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

func (t *memTransport) Listen() []string { return []string{"hub/" + string(t.id)} }

func (t *memTransport) SetValidator(topic Topic, v Validator) {
	t.mu.Lock()
	t.validators[topic] = v
	t.mu.Unlock()
}

// deliver runs the receiver's validator, as a libp2p transport does before
// delivering, and queues what it accepts.
func (t *memTransport) deliver(m Message) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	v := t.validators[m.Topic]
	t.inflight.Add(1) // Close waits: the validator may read the receiver's store
	t.mu.Unlock()
	defer t.inflight.Done()
	if v != nil {
		verdict, decoded := v(m.From, m.Data)
		if verdict != Accept {
			if verdict == Reject {
				t.mu.Lock()
				t.rejected++
				t.mu.Unlock()
			}
			return
		}
		m.Decoded = decoded
	}
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

// peer finds a reachable, open peer by ID.
func (t *memTransport) peer(id PeerID) (*memTransport, error) {
	for _, p := range t.hub.reachable(t.id) {
		if p.id == id && !p.isClosed() && p.src != nil {
			return p, nil
		}
	}
	return nil, fmt.Errorf("peer %s: not reachable", id)
}

func (t *memTransport) FetchBlocks(ctx context.Context, id PeerID, from uint64, count int) ([]BlockWithCommit, error) {
	p, err := t.peer(id)
	if err != nil {
		return nil, err
	}
	var out []BlockWithCommit
	for h := from; h < from+uint64(count); h++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, c, err := p.src.FinalizedBlock(h)
		if err != nil {
			break
		}
		if b, c, err = copyBlock(b, c); err != nil {
			return nil, err
		}
		out = append(out, BlockWithCommit{Block: b, Commit: c})
	}
	return out, nil
}

func (t *memTransport) FetchTxs(ctx context.Context, id PeerID, block common.Hash, indices []uint32) ([][]byte, error) {
	p, err := t.peer(id)
	if err != nil {
		return nil, err
	}
	txs, err := p.src.ProposalTxs(block, indices)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(txs))
	for i, tx := range txs {
		out[i] = append([]byte(nil), tx...)
	}
	return out, nil
}

func (t *memTransport) FetchSnapshot(ctx context.Context, id PeerID, req []byte) ([]byte, error) {
	p, err := t.peer(id)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ss, ok := p.src.(SnapshotSource)
	if !ok {
		return nil, fmt.Errorf("peer %s does not serve snapshots", id)
	}
	out, err := ss.ServeSnapshot(append([]byte(nil), req...))
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), out...), nil
}

func (t *memTransport) Peers() []PeerInfo {
	var out []PeerInfo
	for _, p := range t.hub.reachable(t.id) {
		if p.isClosed() {
			continue
		}
		info := PeerInfo{ID: p.id, Addrs: p.Listen(), Inbound: p.id < t.id, Agent: "hub", Connected: p.joined}
		if p.src != nil {
			info.Status = p.src.Status()
		}
		t.mu.Lock()
		info.Score = -float64(t.penalties[p.id])
		t.mu.Unlock()
		out = append(out, info)
	}
	return out
}

func (t *memTransport) Penalize(peer PeerID, _ string) {
	t.mu.Lock()
	t.penalties[peer]++
	t.mu.Unlock()
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
	t.inflight.Wait()
	t.hub.mu.Lock()
	if t.hub.nodes[t.id] == t {
		delete(t.hub.nodes, t.id)
	}
	t.hub.mu.Unlock()
	return nil
}
