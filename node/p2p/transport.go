package p2p

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"cairn/node/transport"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Transport is a node's libp2p network; see the package comment.
type Transport struct {
	cfg       Config
	log       *slog.Logger
	h         host.Host
	self      peer.ID
	gater     *gater
	bootstrap []peer.AddrInfo
	traffic   *traffic

	ctx    context.Context
	cancel context.CancelFunc

	// goMu guards starting goroutines against Close waiting for them.
	goMu    sync.Mutex
	closing bool
	wg      sync.WaitGroup

	ps      *pubsub.PubSub
	topics  map[transport.Topic]*topicEntry // the gossip table, fixed at start
	msgs    chan transport.Message
	dropped atomic.Uint64
	mesh    *meshView

	dht  *dht.IpfsDHT
	mdns io.Closer

	mu        sync.Mutex
	peers     map[peer.ID]*peerState
	scores    map[peer.ID]float64
	penalties map[peer.ID]penalty

	closeOnce sync.Once
	closeErr  error
}

var _ transport.Transport = (*Transport)(nil)

// newOnHost runs the transport on h, which it then owns (Close closes it):
// the request handlers, gossip, the status handshake, discovery. g is the
// host's connection gater, or a fresh one for a host that has none; the
// transport also drops banned peers that connect.
func newOnHost(cfg Config, h host.Host, g *gater) (*Transport, error) {
	cfg = cfg.withDefaults()
	t := &Transport{
		cfg: cfg, log: cfg.Logger, h: h, self: h.ID(), gater: g, traffic: newTraffic(),
		topics: map[transport.Topic]*topicEntry{}, msgs: make(chan transport.Message, cfg.tuning.inbox), mesh: newMeshView(),
		peers: map[peer.ID]*peerState{}, scores: map[peer.ID]float64{}, penalties: map[peer.ID]penalty{},
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	bs, err := parseBootstrap(cfg.Bootstrap, t.self)
	if err != nil {
		_ = t.Close()
		return nil, err
	}
	t.bootstrap = bs
	for _, name := range []string{protoStatus, protoBlocks, protoTxs, protoSnapshot} {
		t.traffic.add(trafficRequest + name)
	}
	if err := t.start(); err != nil {
		_ = t.Close()
		return nil, err
	}
	return t, nil
}

// start brings up everything but the host, in order.
func (t *Transport) start() error {
	t.handle(protoStatus, t.serveStatus)
	t.handle(protoBlocks, t.serveBlocks)
	t.handle(protoTxs, t.serveTxs)
	t.handle(protoSnapshot, t.serveSnapshot)
	if err := t.startGossip(); err != nil {
		return err
	}
	t.h.Network().Notify(t.notifiee())
	for _, c := range t.h.Network().Conns() {
		t.connected(c)
	}
	t.spawn(t.statusLoop)
	if !t.cfg.NoDHT {
		if err := t.startDHT(); err != nil {
			return err
		}
	}
	if t.cfg.MDNS {
		if err := t.startMDNS(); err != nil {
			return err
		}
	}
	t.spawn(t.bootstrapLoop)
	return nil
}

// enter counts a call Close must wait for (a validator reading the node's
// store, say) and reports false once Close has begun; a true answer must
// be matched by t.wg.Done.
func (t *Transport) enter() bool {
	t.goMu.Lock()
	defer t.goMu.Unlock()
	if t.closing {
		return false
	}
	t.wg.Add(1)
	return true
}

// spawn runs f on a goroutine that Close waits for, unless Close has begun.
func (t *Transport) spawn(f func()) {
	t.goMu.Lock()
	defer t.goMu.Unlock()
	if t.closing {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
}

// Close leaves the network: it stops the loops, mDNS, the DHT, gossip and
// the host, then closes Messages. Calling it again returns the first
// result.
func (t *Transport) Close() error {
	t.closeOnce.Do(func() {
		t.goMu.Lock()
		t.closing = true
		t.goMu.Unlock()
		t.cancel() // stops the loops, gossipsub and pending requests
		var errs []error
		if t.mdns != nil {
			if err := t.mdns.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close mDNS: %w", err))
			}
		}
		if t.dht != nil {
			if err := t.dht.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close DHT: %w", err))
			}
		}
		for _, e := range t.topics {
			if e.sub != nil {
				e.sub.Cancel()
			}
		}
		if err := t.h.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close host: %w", err))
		}
		t.wg.Wait()
		close(t.msgs)
		t.closeErr = errors.Join(errs...)
	})
	return t.closeErr
}

// Self is this node's peer ID.
func (t *Transport) Self() transport.PeerID { return transport.PeerID(t.self.String()) }

// Listen are the host's addresses, each with /p2p/<id>; for a wildcard
// listen address, the interface addresses libp2p resolved it to.
func (t *Transport) Listen() []string {
	addrs, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: t.self, Addrs: t.h.Addrs()})
	if err != nil {
		return nil
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// Peers are the connected peers that passed the status handshake, by ID.
func (t *Transport) Peers() []transport.PeerInfo {
	type ready struct {
		id     peer.ID
		status transport.Status
		score  float64
		since  time.Time
	}
	t.mu.Lock()
	list := make([]ready, 0, len(t.peers))
	for id, st := range t.peers {
		if st.ready {
			list = append(list, ready{id, st.status, t.scores[id], st.since})
		}
	}
	t.mu.Unlock()
	ps := t.h.Peerstore()
	out := make([]transport.PeerInfo, 0, len(list))
	for _, r := range list {
		conns := t.h.Network().ConnsToPeer(r.id)
		if len(conns) == 0 || t.gater.isBanned(r.id) {
			continue
		}
		c := conns[0]
		for _, other := range conns[1:] {
			if other.Stat().Opened.Before(c.Stat().Opened) {
				c = other
			}
		}
		info := transport.PeerInfo{
			ID:        transport.PeerID(r.id.String()),
			Addrs:     []string{c.RemoteMultiaddr().String()},
			Inbound:   c.Stat().Direction == network.DirInbound,
			Latency:   ps.LatencyEWMA(r.id),
			Score:     r.score,
			Status:    r.status,
			Connected: c.Stat().Opened,
		}
		if v, err := ps.Get(r.id, "AgentVersion"); err == nil {
			info.Agent, _ = v.(string)
		}
		if info.Connected.IsZero() {
			info.Connected = r.since
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Bytes is how many bytes went each way, by key: "gossip/consensus" and
// "gossip/tx" count gossip payloads (every copy sent to or received from a
// peer), "req/status", "req/blocks", "req/txs" and "req/snapshot" everything written and
// read on those protocols' streams.
func (t *Transport) Bytes() map[string]Traffic { return t.traffic.snapshot() }
