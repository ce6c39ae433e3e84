package p2p

import (
	"log/slog"
	"time"

	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
)

// Defaults of Config.
const (
	DefaultPort      = 30333
	DefaultLowWater  = 32
	DefaultHighWater = 64
)

// DefaultListen are the listen addresses of a node on a real network.
var DefaultListen = []string{"/ip4/0.0.0.0/tcp/30333", "/ip4/0.0.0.0/udp/30333/quic-v1"}

// LocalListen are the listen addresses of a development node: loopback only.
func LocalListen(port int) []string {
	return []string{
		"/ip4/127.0.0.1/tcp/" + itoa(port),
		"/ip4/127.0.0.1/udp/" + itoa(port) + "/quic-v1",
	}
}

// Config says how a node joins the network.
type Config struct {
	// ChainID and GenesisHash name the chain: topics and protocols are
	// scoped to the chain ID, and the status handshake refuses a peer
	// whose genesis hash differs.
	ChainID     uint64
	GenesisHash common.Hash
	// KeyPath is the node identity's file (<home>/node_key), created with
	// mode 0600 on first start.
	KeyPath string
	// Listen are multiaddrs to listen on (default DefaultListen).
	Listen []string
	// Bootstrap are multiaddrs with /p2p/<id> of peers to dial at start
	// and again whenever the node has no peers.
	Bootstrap []string
	// MDNS finds peers on the local network.
	MDNS bool
	// NoDHT turns off the chain's private Kademlia DHT.
	NoDHT bool
	// LowWater and HighWater bound the connection manager (defaults 32, 64).
	LowWater, HighWater int
	// Source answers peers' status, block and transaction requests.
	Source transport.Source
	// Logger receives the network's logs (default: discard).
	Logger *slog.Logger
	// StatusInterval is how often connected peers are asked for their
	// status again (default 2 s).
	StatusInterval time.Duration
	// Agent is the node's version as peers see it in the user agent
	// "cairn/<Agent>" (default "dev").
	Agent string

	// tuning overrides the transport's timeouts, intervals and buffers; nil in
	// production, set by this package's tests to keep them fast.
	tuning *tuning
}

// DefaultStatusInterval is how often peers are asked for their status.
const DefaultStatusInterval = 2 * time.Second

// tuning holds the transport's timeouts, loop intervals and buffers.
type tuning struct {
	request        time.Duration // one request/response exchange
	handshakeRetry time.Duration // first wait before asking a new peer again
	scoreInspect   time.Duration // how often peer scores are read
	redialMin      time.Duration // first wait before re-dialling the bootstrap peers
	redialMax      time.Duration // longest wait between re-dials
	redialCheck    time.Duration // how often "no peers?" is checked
	find           time.Duration // how often the DHT is asked for peers while few are connected
	advertiseRetry time.Duration // wait after a failed advertisement
	inbox          int           // Messages' buffer
}

var defaultTuning = tuning{
	request:        10 * time.Second,
	handshakeRetry: 250 * time.Millisecond,
	scoreInspect:   time.Second,
	redialMin:      time.Second,
	redialMax:      time.Minute,
	redialCheck:    time.Second,
	find:           30 * time.Second,
	advertiseRetry: 10 * time.Second,
	inbox:          4096,
}

// withDefaults fills in what cfg leaves unset.
func (cfg Config) withDefaults() Config {
	if len(cfg.Listen) == 0 {
		cfg.Listen = DefaultListen
	}
	if cfg.LowWater <= 0 {
		cfg.LowWater = DefaultLowWater
	}
	if cfg.HighWater <= 0 {
		cfg.HighWater = DefaultHighWater
	}
	if cfg.HighWater < cfg.LowWater {
		cfg.HighWater = cfg.LowWater
	}
	if cfg.StatusInterval <= 0 {
		cfg.StatusInterval = DefaultStatusInterval
	}
	if cfg.Agent == "" {
		cfg.Agent = "dev"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	tm := defaultTuning
	if cfg.tuning != nil {
		tm = *cfg.tuning
	}
	cfg.tuning = &tm
	return cfg
}
