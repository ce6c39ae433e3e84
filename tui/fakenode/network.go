package fakenode

import (
	"context"
	"slices"

	"cairn/chain"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// Peers implements api.Service: the peers SetNetwork or SetPeers set (none
// at first: the fake runs alone), ordered by ID as the node orders them.
func (n *Node) Peers(context.Context) ([]api.Peer, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.peerCalls++
	out := make([]api.Peer, len(n.peers))
	for i, p := range n.peers {
		p.Addrs = slices.Clone(p.Addrs)
		out[i] = p
	}
	slices.SortFunc(out, func(a, b api.Peer) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// PeersCalls is how many times Peers was called: the console's refreshes.
func (n *Node) PeersCalls() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.peerCalls
}

// SetNetwork sets what Status reports of the fake's network: its peer ID
// and listen addresses ("" and nil: it runs alone) and a block sync in
// progress (nil: in step with its peers).
func (n *Node) SetNetwork(id string, listen []string, sync *api.SyncStatus) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.status.NodeID, n.status.Listen = id, slices.Clone(listen)
	if sync != nil {
		c := *sync
		sync = &c
	}
	n.status.Syncing = sync
}

// SetSnapshot sets the snapshot sync Status reports (nil: none) and the
// first block the fake holds.
func (n *Node) SetSnapshot(snap *api.SnapshotStatus, base uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if snap != nil {
		c := *snap
		snap = &c
	}
	n.status.Snapshot, n.status.State.Base = snap, base
}

// SetPeers replaces the connected peers (Status counts them).
func (n *Node) SetPeers(peers []api.Peer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.peers = slices.Clone(peers)
	n.refreshStatus()
}

// SetConsensus sets the consensus state Status reports (nil: none).
func (n *Node) SetConsensus(cs *api.ConsensusStatus) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if cs != nil {
		c := *cs
		c.Validators = slices.Clone(cs.Validators)
		cs = &c
	}
	n.status.Consensus = cs
}

// Fixture values of a networked fake (see Networked).
const (
	// FixtureNodeID is the fake's own peer ID once Networked.
	FixtureNodeID = "12D3KooWQfGkqvCWFrLMRzQZnDz8hH5GjKf6cJTPbvLyA8XwN3sE"
	// FixtureSyncFrom and FixtureSyncTarget bound the fixture's block sync;
	// it has reached the fake's head (12).
	FixtureSyncFrom   = 4
	FixtureSyncTarget = 40
)

// FixtureListen are the fake's listen addresses once Networked.
var FixtureListen = []string{"/ip4/0.0.0.0/tcp/26656", "/ip4/0.0.0.0/udp/26656/quic-v1", "/ip6/::/tcp/26656"}

// FixturePeers are five peers a networked fake is connected to: both
// directions, a range of latencies and scores, one not measured yet and
// one behind. ConnectedSince is counted back from T0.
func FixturePeers() []api.Peer {
	return []api.Peer{
		{ID: "12D3KooWLRPJAA5o6tJJ3jGfDsK8NEcYPbb3kJBmKEXcTu4yD1wF", Direction: "outbound",
			Addrs:     []string{"/ip4/203.0.113.7/tcp/26656", "/ip4/203.0.113.7/udp/26656/quic-v1"},
			LatencyMs: 18.4, Score: 12.5, Agent: "cairn/0.1.0", Height: 40, Finalized: 40, ConnectedSince: T0 - 3*3600_000 - 12*60_000},
		{ID: "12D3KooWBvS1xZ7mPeg2yrN4kAqH8tU9cWdLfJ3oR6sTnVbXqE5a", Direction: "inbound",
			Addrs:     []string{"/ip4/198.51.100.23/tcp/41873"},
			LatencyMs: 4.2, Score: 3, Agent: "cairn/0.1.0", Height: 39, Finalized: 39, ConnectedSince: T0 - 4*3600_000 - 5*60_000},
		{ID: "12D3KooWHx3ZqGj7fT2cN8vYrL5sKpD4mWbE6uA9oQiRtVyPnC1d", Direction: "outbound",
			Addrs:     []string{"/dns4/seed-1.cairn.example/tcp/26656"},
			LatencyMs: 142.7, Score: 0.5, Agent: "cairn/0.0.9", Height: 40, Finalized: 40, ConnectedSince: T0 - 26*3600_000},
		{ID: "12D3KooWEm8aFhK2rT5yXcV9bN3sLqP7dJ4gW6uZoY1iQtMnRkBv", Direction: "inbound",
			Addrs: []string{"/ip6/2001:db8::5/tcp/50512"},
			Score: -4, Agent: "cairn/0.1.0-dev (linux/arm64)", Height: 9, Finalized: 9, ConnectedSince: T0 + 11_000 - 12_500},
		{ID: "12D3KooWT4nC6pXk9wRy2ZbF7hL3sQmV8dJgE5uA1oYiNtKcPrWq", Direction: "outbound",
			Addrs:     []string{"/ip4/192.0.2.44/tcp/26656", "/ip4/192.0.2.44/udp/26656/quic-v1", "/ip6/2001:db8::44/tcp/26656"},
			LatencyMs: 61, Score: 7.25, Height: 38, Finalized: 38, ConnectedSince: T0 - 9*60_000},
	}
}

// FixtureConsensus is a round in progress at the height after the fake's
// head: round 1's prevote step, bravo proposing, three prevotes and one
// precommit in. The first validator is the fake's own (the devnet
// validator, by its operator's address), unnamed.
func FixtureConsensus() *api.ConsensusStatus {
	own := chain.DevnetAccounts[0]
	bravo := common.HexToAddress("0x5f1C2b7e90A3dE4c8B6a1F0e2D9c7B3a4E5f6081")
	return &api.ConsensusStatus{
		Height: 13, Round: 1, Step: "prevote", Proposer: &bravo,
		Validators: []api.ValidatorVotes{
			{Address: own, Power: 100, Prevote: true, Precommit: true},
			{Address: bravo, Name: "bravo", Power: 100, Prevote: true},
			{Address: common.HexToAddress("0x9A4b6C3d2E1f0a8B7c6D5e4F3a2B1c0D9e8F7a6B"), Name: "charlie", Power: 50, Prevote: true},
			{Address: common.HexToAddress("0x2B3c4D5e6F7a8B9c0D1e2F3a4B5c6D7e8F9a0B1c"), Name: "delta-validator-with-a-long-name", Power: 30},
		},
	}
}

// Networked puts the fake on a network: its ID and listen addresses, the
// fixture peers, a block sync from FixtureSyncFrom to FixtureSyncTarget
// that has reached the head, and the fixture consensus round.
func (n *Node) Networked() *Node {
	n.mu.Lock()
	head := uint64(len(n.blocks) - 1)
	n.mu.Unlock()
	n.SetNetwork(FixtureNodeID, FixtureListen, &api.SyncStatus{From: FixtureSyncFrom, Current: head, Target: FixtureSyncTarget})
	n.SetPeers(FixturePeers())
	n.SetConsensus(FixtureConsensus())
	return n
}
