package p2p

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/discovery"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"

	dht "github.com/libp2p/go-libp2p-kad-dht"
)

// dialTimeout bounds one dial of a discovered or bootstrap peer.
const dialTimeout = 10 * time.Second

// parseBootstrap reads the bootstrap multiaddrs (each with /p2p/<id>),
// merging addresses of the same peer and leaving out this node.
func parseBootstrap(addrs []string, self peer.ID) ([]peer.AddrInfo, error) {
	var out []peer.AddrInfo
	index := map[peer.ID]int{}
	for _, s := range addrs {
		ai, err := peer.AddrInfoFromString(s)
		if err != nil {
			return nil, fmt.Errorf("bootstrap address %q (want a multiaddr ending in /p2p/<peer id>): %w", s, err)
		}
		if ai.ID == self {
			continue
		}
		if i, ok := index[ai.ID]; ok {
			out[i].Addrs = append(out[i].Addrs, ai.Addrs...)
			continue
		}
		index[ai.ID] = len(out)
		out = append(out, *ai)
	}
	return out, nil
}

// namespace is the discovery namespace peers of this chain advertise
// under: cairn/<chainId>/<genesis hash hex>.
func (t *Transport) namespace() string {
	return fmt.Sprintf("cairn/%d/%x", t.cfg.ChainID, t.cfg.GenesisHash[:])
}

// mdnsService is the chain's mDNS service name: a DNS-SD service label
// (at most 15 characters) naming the chain ID and genesis by their hash.
func mdnsService(chainID uint64, genesis [32]byte) string {
	var buf [40]byte
	binary.BigEndian.PutUint64(buf[:8], chainID)
	copy(buf[8:], genesis[:])
	h := sha256.Sum256(buf[:])
	return fmt.Sprintf("_cairn-%x._udp", h[:4])
}

// dial connects to a peer unless it is this node, banned or connected.
func (t *Transport) dial(ai peer.AddrInfo) {
	if ai.ID == t.self || ai.ID == "" || t.gater.isBanned(ai.ID) ||
		t.h.Network().Connectedness(ai.ID) == network.Connected {
		return
	}
	ctx, cancel := context.WithTimeout(t.ctx, dialTimeout)
	defer cancel()
	if err := t.h.Connect(ctx, ai); err != nil {
		t.log.Debug("dial peer", "peer", ai.ID, "err", err)
	}
}

// bootstrapLoop dials the bootstrap peers at start, and again, with a
// doubling wait, whenever the node has no peers.
func (t *Transport) bootstrapLoop() {
	if len(t.bootstrap) == 0 {
		return
	}
	tm := t.cfg.tuning
	for _, ai := range t.bootstrap {
		t.h.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
		if cm := t.h.ConnManager(); cm != nil {
			cm.Protect(ai.ID, "bootstrap")
		}
	}
	wait := tm.redialMin
	next := time.Now()
	tick := time.NewTicker(tm.redialCheck)
	defer tick.Stop()
	for {
		if len(t.h.Network().Peers()) > 0 {
			wait = tm.redialMin
		} else if !time.Now().Before(next) {
			t.dialBootstrap()
			next = time.Now().Add(wait)
			wait = min(2*wait, tm.redialMax)
		}
		select {
		case <-t.ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// dialBootstrap dials every bootstrap peer at once and waits for them.
func (t *Transport) dialBootstrap() {
	done := make(chan struct{}, len(t.bootstrap))
	for _, ai := range t.bootstrap {
		// The swarm's dial backoff would refuse a re-dial of a peer that
		// was down a moment ago.
		if sw, ok := t.h.Network().(*swarm.Swarm); ok {
			sw.Backoff().Clear(ai.ID)
		}
		t.spawn(func() { t.dial(ai); done <- struct{}{} })
	}
	for range t.bootstrap {
		select {
		case <-done:
		case <-t.ctx.Done():
			return
		}
	}
}

// startDHT starts the chain's private Kademlia DHT (its own protocol
// prefix and bootstrap peers, never the public IPFS ones) and the loops
// that advertise this node and find peers on the chain's namespace.
func (t *Transport) startDHT() error {
	kdht, err := dht.New(t.h,
		dht.Mode(dht.ModeServer),
		dht.ProtocolPrefix(protocol.ID(fmt.Sprintf("/cairn/%d", t.cfg.ChainID))),
		dht.BootstrapPeers(t.bootstrap...),
	)
	if err != nil {
		return fmt.Errorf("start DHT: %w", err)
	}
	t.dht = kdht
	if err := kdht.Bootstrap(t.ctx); err != nil {
		return fmt.Errorf("bootstrap DHT: %w", err)
	}
	rd := drouting.NewRoutingDiscovery(kdht)
	t.spawn(func() { t.advertiseLoop(rd) })
	t.spawn(func() { t.findLoop(rd) })
	return nil
}

// advertiseLoop advertises this node on the chain's namespace, again
// before the advertisement expires, and soon after a failure (there is
// no one to tell until the routing table has peers).
func (t *Transport) advertiseLoop(rd *drouting.RoutingDiscovery) {
	for {
		wait := t.cfg.tuning.advertiseRetry
		if t.dht.RoutingTable().Size() > 0 {
			ttl, err := rd.Advertise(t.ctx, t.namespace())
			if err == nil {
				wait = ttl * 7 / 8
			} else {
				t.log.Debug("advertise on the DHT", "err", err)
			}
		}
		select {
		case <-t.ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// findLoop asks the DHT for peers of the chain while the node has fewer
// than LowWater, and dials them.
func (t *Transport) findLoop(rd *drouting.RoutingDiscovery) {
	for {
		if len(t.h.Network().Peers()) < t.cfg.LowWater && t.dht.RoutingTable().Size() > 0 {
			t.find(rd)
		}
		select {
		case <-t.ctx.Done():
			return
		case <-time.After(t.cfg.tuning.find):
		}
	}
}

func (t *Transport) find(rd *drouting.RoutingDiscovery) {
	ctx, cancel := context.WithTimeout(t.ctx, time.Minute)
	defer cancel()
	found, err := rd.FindPeers(ctx, t.namespace(), discovery.Limit(t.cfg.HighWater))
	if err != nil {
		t.log.Debug("find peers on the DHT", "err", err)
		return
	}
	for ai := range found {
		if len(ai.Addrs) > 0 {
			t.spawn(func() { t.dial(ai) })
		}
	}
}

// startMDNS finds peers of the chain on the local network.
func (t *Transport) startMDNS() error {
	svc := mdns.NewMdnsService(t.h, mdnsService(t.cfg.ChainID, t.cfg.GenesisHash), mdnsNotifee{t})
	if err := svc.Start(); err != nil {
		return fmt.Errorf("start mDNS: %w", err)
	}
	t.mdns = svc
	return nil
}

type mdnsNotifee struct{ t *Transport }

// HandlePeerFound dials a peer mDNS found.
func (n mdnsNotifee) HandlePeerFound(ai peer.AddrInfo) {
	n.t.log.Debug("mDNS found a peer", "peer", ai.ID, "addrs", ai.Addrs)
	n.t.spawn(func() { n.t.dial(ai) })
}
