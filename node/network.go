package node

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cairn/node/api"
	"cairn/node/p2p"
	"cairn/node/transport"
)

// buildTransport takes the configured transport or starts the libp2p one.
func (n *Node) buildTransport() error {
	if n.cfg.Transport != nil {
		n.tr = n.cfg.Transport
		return nil
	}
	if n.cfg.P2P == nil {
		return nil
	}
	pc := *n.cfg.P2P
	pc.ChainID = n.chain.ChainID().Uint64()
	pc.GenesisHash = n.genesisHash
	pc.Source = n
	pc.Logger = n.cfg.Logger.With("part", "p2p")
	if pc.Agent == "" {
		pc.Agent = Version
	}
	if pc.KeyPath == "" {
		pc.KeyPath = NodeKeyPath(n.cfg.Home)
	}
	tr, err := p2p.New(pc)
	if err != nil {
		return fmt.Errorf("start network: %w", err)
	}
	n.tr = tr
	return nil
}

// Transport is how the node reaches its peers, nil when it runs alone.
func (n *Node) Transport() transport.Transport { return n.tr }

// peers are the connected peers as the API shows them, by ID.
func (n *Node) peers() []api.Peer {
	if n.tr == nil {
		return []api.Peer{}
	}
	infos := n.tr.Peers()
	out := make([]api.Peer, 0, len(infos))
	for _, p := range infos {
		dir := "outbound"
		if p.Inbound {
			dir = "inbound"
		}
		ap := api.Peer{
			ID: string(p.ID), Addrs: p.Addrs, Direction: dir, Score: p.Score, Agent: p.Agent,
			LatencyMs: float64(p.Latency.Microseconds()) / 1000,
			Height:    p.Status.Head, Finalized: p.Status.Finalized,
		}
		if !p.Connected.IsZero() {
			ap.ConnectedSince = uint64(p.Connected.UnixMilli())
		}
		if ap.Addrs == nil {
			ap.Addrs = []string{}
		}
		out = append(out, ap)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// trafficLogEvery spaces the log lines on what the network carried.
const trafficLogEvery = time.Minute

// logTraffic logs, every minute until ctx ends, the bytes each gossip
// topic and protocol carried in and out, and what compact proposals saved.
func (n *Node) logTraffic(ctx context.Context) {
	counted, ok := n.tr.(interface{ Bytes() map[string]p2p.Traffic })
	if !ok {
		return
	}
	tick := make(chan struct{}, 1)
	for {
		n.cfg.Clock.AfterFunc(trafficLogEvery, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
		})
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		args := []any{}
		bytes := counted.Bytes()
		keys := make([]string, 0, len(bytes))
		for k := range bytes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			args = append(args, k, fmt.Sprintf("in %d out %d", bytes[k].In, bytes[k].Out))
		}
		w := n.WireStats()
		args = append(args, "proposal bytes sent", w.ProposalBytes, "the same proposals whole", w.ProposalFullBytes,
			"txs filled from mempool", w.TxsFromMempool, "txs fetched", w.TxsFetched)
		n.cfg.Logger.Info("network traffic", args...)
	}
}
