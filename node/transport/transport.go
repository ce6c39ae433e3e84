// Package transport is how a node talks to its peers: gossip on topics
// (consensus messages, transactions), request/response for blocks and for
// the transactions a compact proposal lacks, and what the node knows of
// each peer. The node sees only the Transport interface; this package also
// holds an in-memory Hub that connects several nodes in one process for
// tests, with links that can be cut and healed. node/p2p implements the
// same interface over libp2p.
package transport

import (
	"context"
	"errors"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// PeerID names a peer.
type PeerID string

// Topic is a gossip channel.
type Topic string

// The topics a node gossips on. A libp2p transport scopes them to the
// chain (/cairn/<chainId>/tx/1).
const (
	TopicConsensus Topic = "consensus"
	TopicTx        Topic = "tx"
)

// Message is a gossip message received from a peer. Data is the
// sender's encoding; Decoded is what the topic's Validator made of it
// (nil without one), so the handler need not decode twice.
type Message struct {
	From    PeerID
	Topic   Topic
	Data    []byte
	Decoded any
}

// Verdict is a topic validator's judgement of a gossip message.
type Verdict int

// Verdicts. Only Accept delivers a message and lets it be forwarded;
// Reject also lowers the sender's score (a peer that keeps sending
// rejected messages is disconnected and banned for a while); Ignore drops
// the message without blame (a duplicate, a height long past).
const (
	Accept Verdict = iota
	Ignore
	Reject
)

func (v Verdict) String() string {
	switch v {
	case Accept:
		return "accept"
	case Ignore:
		return "ignore"
	case Reject:
		return "reject"
	}
	return "unknown"
}

// Validator judges a message on a topic before it is delivered or
// forwarded, and returns what it decoded for the handler. It runs on the
// transport's goroutines, concurrently with itself and the node: it must
// be safe for concurrent use and must not block for long.
type Validator func(from PeerID, data []byte) (Verdict, any)

// Status is what two nodes tell each other when they connect, and again
// from time to time: which chain they are on and how far along it.
type Status struct {
	ChainID     uint64      `json:"chainId"`
	GenesisHash common.Hash `json:"genesisHash"`
	Head        uint64      `json:"head"`
	HeadHash    common.Hash `json:"headHash"`
	Finalized   uint64      `json:"finalized"`
}

// BlockWithCommit is a finalized block and the commit that finalized it.
type BlockWithCommit struct {
	Block  *chain.Block
	Commit *chain.Commit
}

// Source is what a node serves to its peers. The transport calls it from
// its own goroutines; it must be safe for concurrent use.
type Source interface {
	// Status is this node's chain and head.
	Status() Status
	// FinalizedBlock is the committed block at height and its commit.
	FinalizedBlock(height uint64) (*chain.Block, *chain.Commit, error)
	// ProposalTxs returns, in the encoding of Transaction.MarshalBinary,
	// the transactions at the given indices of a block this node proposed
	// or rebuilt (for peers filling in a compact proposal).
	ProposalTxs(block common.Hash, indices []uint32) ([][]byte, error)
}

// SnapshotSource is a Source that also serves state snapshots to new
// nodes. A transport answers peers' snapshot requests only if its Source
// is one; the requests and answers are the node's encoding, carried as
// they are.
type SnapshotSource interface {
	// ServeSnapshot answers one snapshot request.
	ServeSnapshot(req []byte) ([]byte, error)
}

// ErrNoPeerHasIt is returned when no reachable peer has a requested block.
var ErrNoPeerHasIt = errors.New("no reachable peer has the block")

// PeerInfo is what a node knows of one connected peer.
type PeerInfo struct {
	ID        PeerID
	Addrs     []string // multiaddrs (or hub names) the peer is reached at
	Inbound   bool     // the peer dialled us
	Latency   time.Duration
	Score     float64
	Agent     string
	Status    Status    // from its last status answer; zero until the first
	Connected time.Time // when the current connection opened
}

// Transport connects one node to its peers.
type Transport interface {
	// Self is this node's peer ID.
	Self() PeerID
	// Listen are the addresses peers can dial this node at.
	Listen() []string
	// SetValidator installs the validator of topic. The node sets them
	// before it reads Messages; messages on a topic without one are
	// delivered as they are.
	SetValidator(topic Topic, v Validator)
	// Broadcast sends data on topic to the peers. It does not block on
	// slow peers.
	Broadcast(topic Topic, data []byte) error
	// Messages delivers what peers broadcast and validators accepted,
	// until Close.
	Messages() <-chan Message
	// FetchBlock asks reachable peers, in turn, for the finalized block at
	// height. What it returns is unverified: the caller checks the commit.
	FetchBlock(ctx context.Context, height uint64) (*chain.Block, *chain.Commit, error)
	// FetchBlocks asks one peer for up to count finalized blocks from
	// height from on, in order. Fewer (even none) is not an error: the
	// peer may not have them. Unverified, as with FetchBlock.
	FetchBlocks(ctx context.Context, peer PeerID, from uint64, count int) ([]BlockWithCommit, error)
	// FetchTxs asks one peer for transactions of a proposed block by index
	// (Source.ProposalTxs on its side).
	FetchTxs(ctx context.Context, peer PeerID, block common.Hash, indices []uint32) ([][]byte, error)
	// FetchSnapshot sends one snapshot request to peer and returns its
	// answer (SnapshotSource.ServeSnapshot on its side), unverified.
	FetchSnapshot(ctx context.Context, peer PeerID, req []byte) ([]byte, error)
	// Peers are the peers connected now, with what is known of them.
	Peers() []PeerInfo
	// Penalize lowers a peer's score for a fault the node found itself (a
	// block whose commit does not verify); reason is logged.
	Penalize(peer PeerID, reason string)
	// Close leaves the network.
	Close() error
}
