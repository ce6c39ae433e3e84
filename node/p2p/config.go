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
}
