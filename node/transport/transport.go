// Package transport is how a node talks to its peers: gossip on topics
// (consensus messages, transactions) and block requests for catching up.
// The node sees only the Transport interface; this package also holds an
// in-memory Hub that connects several nodes in one process for tests,
// with links that can be cut and healed. The libp2p transport implements
// the same interface.
package transport

import (
	"context"
	"errors"

	"cairn/chain"
)

// PeerID names a peer.
type PeerID string

// Topic is a gossip channel.
type Topic string

// The topics a node gossips on.
const (
	TopicConsensus Topic = "consensus"
	TopicTx        Topic = "tx"
)

// Message is a gossip message received from a peer. Data is the
// sender's encoding; the receiver decodes and validates it.
type Message struct {
	From  PeerID
	Topic Topic
	Data  []byte
}

// BlockSource answers other nodes' catch-up requests: the finalized block
// at a height with the commit that finalized it.
type BlockSource interface {
	FinalizedBlock(height uint64) (*chain.Block, *chain.Commit, error)
}

// ErrNoPeerHasIt is returned when no reachable peer has a requested block.
var ErrNoPeerHasIt = errors.New("no reachable peer has the block")

// Transport connects one node to its peers.
type Transport interface {
	// Self is this node's peer ID.
	Self() PeerID
	// Broadcast sends data on topic to every reachable peer. It does not
	// block on slow peers.
	Broadcast(topic Topic, data []byte) error
	// Messages delivers what peers broadcast, until Close.
	Messages() <-chan Message
	// FetchBlock asks reachable peers, in turn, for the finalized block at
	// height. What it returns is unverified: the caller checks the commit.
	FetchBlock(ctx context.Context, height uint64) (*chain.Block, *chain.Commit, error)
	// Peers are the peers reachable now.
	Peers() []PeerID
	// Close leaves the network.
	Close() error
}
