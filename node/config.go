// Package node assembles a Cairn node: the chain and its store, the
// mempool, the engine that decides blocks, the event bus and the API, with
// one lifecycle.
package node

import (
	"crypto/ed25519"
	"log/slog"
	"path/filepath"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/clock"
	"cairn/node/p2p"
	"cairn/node/transport"
)

// Defaults a node starts with.
const (
	DefaultAPIAddr     = "127.0.0.1:8545"
	DefaultTxTimeBound = 5 * time.Second
	DefaultCallTimeout = 5 * time.Second
)

// Config says how to run a node.
type Config struct {
	// Home holds the node's files: data/chain.db, genesis.json,
	// validator_key.json.
	Home string
	// Genesis is the chain to run.
	Genesis *chain.Genesis
	// ValidatorKey is the consensus key; nil runs a node that follows
	// but does not propose or vote.
	ValidatorKey ed25519.PrivateKey
	// APIAddr is where the REST API listens; empty disables it.
	APIAddr string
	// RPCCORSOrigins are the browser origins the JSON-RPC endpoint lets in
	// (CORS and WebSocket); "*" allows any. Empty lets none in.
	RPCCORSOrigins []string
	// BlockTime overrides the genesis block interval when non-zero.
	BlockTime time.Duration
	// Sync is how a new node catches up: SyncFull (the default) executes
	// every block from genesis; SyncSnapshot downloads the state of a
	// peer's head, verified, and executes from there. A node whose store
	// holds blocks already goes on from its head either way.
	Sync string
	// StateWindow is how many blocks before the head keep their state
	// (default chain.DefaultStateWindow); older state is pruned.
	StateWindow uint64
	// Archive keeps the state of every block.
	Archive bool
	// TxTimeBound cuts off a transaction that runs longer while this node
	// builds a block (default 5 s).
	TxTimeBound time.Duration
	// CallTimeout bounds read-only calls (default 5 s).
	CallTimeout time.Duration
	// Logger receives the node's logs (default: discard).
	Logger *slog.Logger
	// Logs, when set, is where the node's API reads the node's recent log
	// lines (GET /v1/logs and its stream), for consoles attached over it:
	// the buffer that Logger also writes to (cairn/node/logs).
	Logs api.LogSource
	// Transport connects the node to its peers: consensus messages,
	// transactions and catch-up. Nil runs the node alone (a one-validator
	// chain such as the devnet), unless P2P is set. The node closes it in
	// Close.
	Transport transport.Transport
	// P2P, when set and Transport is nil, puts the node on a libp2p
	// network. The node fills in ChainID, GenesisHash, Source and Logger,
	// and KeyPath when empty (NodeKeyPath of Home).
	P2P *p2p.Config
	// Resync lets the node start on a store that is behind what its
	// consensus WAL and sign state show was committed (the store was lost
	// or rolled back): it rebuilds the chain from its peers, and the sign
	// state still refuses whatever this validator signed. Without it such
	// a store is an error (ErrStoreBehind).
	Resync bool
	// SignStateGone is the operator's word that this validator's sign
	// state is lost. If the file is missing, damaged or behind the
	// signatures the store and WAL hold, the node replaces it with a floor
	// above every height the home shows and signs nothing until the chain
	// is past it; without it that is an error (ErrSignStateLost). An intact
	// sign state is kept either way.
	SignStateGone bool
	// Clock is the time source of consensus and block sync (default: the
	// wall clock).
	Clock clock.Clock
}

func (c Config) withDefaults() Config {
	if c.TxTimeBound == 0 {
		c.TxTimeBound = DefaultTxTimeBound
	}
	if c.CallTimeout == 0 {
		c.CallTimeout = DefaultCallTimeout
	}
	if c.BlockTime == 0 && c.Genesis != nil {
		c.BlockTime = time.Duration(c.Genesis.Params.BlockTimeMs) * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = clock.Wall{}
	}
	if c.Sync == "" {
		c.Sync = SyncFull
	}
	return c
}

// StorePath is where a home keeps its chain database.
func StorePath(home string) string { return filepath.Join(home, "data", "chain.db") }

// GenesisPath is where a home keeps its genesis file.
func GenesisPath(home string) string { return filepath.Join(home, "genesis.json") }

// NodeKeyPath is where a home keeps its network identity.
func NodeKeyPath(home string) string { return filepath.Join(home, "node_key") }

// ConfigPath is where a home keeps its settings.
func ConfigPath(home string) string { return filepath.Join(home, "config.toml") }

// ValidatorKeyPath is where a home keeps its consensus key.
func ValidatorKeyPath(home string) string { return filepath.Join(home, "validator_key.json") }

// The ways a new node catches up (Config.Sync).
const (
	SyncFull     = "full"
	SyncSnapshot = "snapshot"
)
