package p2p

import (
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
)

// New starts the host, joins the chain's topics and dials the bootstrap
// peers. Close stops it.
func New(cfg Config) (*Transport, error) {
	cfg = cfg.withDefaults()
	if cfg.KeyPath == "" {
		return nil, errors.New("start p2p: no node key path")
	}
	key, _, err := LoadOrCreateIdentity(cfg.KeyPath)
	if err != nil {
		return nil, fmt.Errorf("start p2p: %w", err)
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(resourceLimits()))
	if err != nil {
		return nil, fmt.Errorf("start p2p: resource manager: %w", err)
	}
	cm, err := connmgr.NewConnManager(cfg.LowWater, cfg.HighWater, connmgr.WithGracePeriod(time.Minute))
	if err != nil {
		_ = rm.Close()
		return nil, fmt.Errorf("start p2p: connection manager: %w", err)
	}
	g := newGater()
	h, err := libp2p.New(
		libp2p.Identity(key),
		libp2p.ListenAddrStrings(cfg.Listen...),
		// Dials from ephemeral ports: with the listen port reused, two
		// nodes that dial each other at once (both found by mDNS, both
		// each other's bootstrap peer) make one TCP connection by
		// simultaneous open, which both then fail to secure.
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionManager(cm),
		libp2p.ConnectionGater(g),
		libp2p.UserAgent("cairn/"+cfg.Agent),
		libp2p.DisableRelay(),
	)
	if err != nil {
		_ = cm.Close()
		_ = rm.Close()
		return nil, fmt.Errorf("start p2p host on %v: %w", cfg.Listen, err)
	}
	t, err := newOnHost(cfg, h, g)
	if err != nil {
		return nil, fmt.Errorf("start p2p: %w", err)
	}
	t.log.Info("p2p started", "peer", t.self, "listen", t.Listen())
	return t, nil
}

// resourceLimits are the host's resource limits, set for a node with up
// to about a hundred peers whatever the machine: libp2p's defaults scaled
// to 1 GiB and 1024 file descriptors, with explicit caps on connections,
// streams and memory for the whole node, for connections not yet tied to
// a peer, and per peer.
func resourceLimits() rcmgr.ConcreteLimitConfig {
	scaling := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&scaling)
	base := scaling.Scale(1<<30, 1024)
	explicit := rcmgr.PartialLimitConfig{
		System: rcmgr.ResourceLimits{
			Conns: 256, ConnsInbound: 192, ConnsOutbound: 128,
			Streams: 4096, StreamsInbound: 2048, StreamsOutbound: 2048,
			FD: 512, Memory: 1 << 30,
		},
		Transient: rcmgr.ResourceLimits{
			Conns: 64, ConnsInbound: 32, ConnsOutbound: 32,
			Streams: 256, StreamsInbound: 128, StreamsOutbound: 128,
			FD: 128, Memory: 64 << 20,
		},
		PeerDefault: rcmgr.ResourceLimits{
			Conns: 8, ConnsInbound: 4, ConnsOutbound: 4,
			Streams: 512, StreamsInbound: 256, StreamsOutbound: 256,
			FD: 8, Memory: 256 << 20,
		},
	}
	return explicit.Build(base)
}
