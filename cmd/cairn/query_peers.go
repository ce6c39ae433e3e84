package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"cairn/node/api"

	"github.com/spf13/cobra"
)

// newQueryPeersCmd is `cairn query peers`: the node's connected peers.
func newQueryPeersCmd(qf *queryFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "peers",
		Short: "List the node's connected peers",
		Long: "peers lists the peers the node is connected to: short peer ID, direction,\n" +
			"latency, gossip score, reported head height, connection uptime and agent.",
		Args: queryArgs("peers", ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error {
				peers, err := c.Peers(ctx)
				if err != nil {
					return err
				}
				if peers == nil {
					peers = []api.Peer{}
				}
				return p.show(api.PeerList{Peers: peers}, func() { p.peers(peers, time.Now()) })
			})
		},
	}
}

// peers prints one row per peer; now is the clock uptimes are measured on.
func (p *queryPrinter) peers(peers []api.Peer, now time.Time) {
	if len(peers) == 0 {
		fmt.Fprintln(p.w, "no peers connected")
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tDIRECTION\tLATENCY\tSCORE\tHEIGHT\tUPTIME\tAGENT")
	for _, pe := range peers {
		latency := "-"
		if pe.LatencyMs > 0 {
			latency = fmt.Sprintf("%.1fms", pe.LatencyMs)
		}
		uptime := "-"
		if pe.ConnectedSince > 0 {
			uptime = now.Sub(time.UnixMilli(int64(pe.ConnectedSince))).Round(time.Second).String()
		}
		agent := pe.Agent
		if agent == "" {
			agent = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%d\t%s\t%s\n",
			shortPeerID(pe.ID), pe.Direction, latency, pe.Score, pe.Height, uptime, agent)
	}
	tw.Flush()
}

// network prints the status fields of a node on a network: its peer ID,
// listen addresses, peer count and sync progress.
func (p *queryPrinter) network(st *api.Status) {
	if st.NodeID == "" {
		p.kv("network", "none (this node runs alone)")
		return
	}
	p.kv("node id", "%s", st.NodeID)
	if len(st.Listen) == 0 {
		p.kv("listen", "none")
	}
	for i, a := range st.Listen {
		key := "listen"
		if i > 0 {
			key = ""
		}
		p.kv(key, "%s", a)
	}
	p.kv("peers", "%d connected", st.Peers)
	if s := st.Syncing; s != nil {
		p.kv("syncing", "at %d of %d (started at %d)", s.Current, s.Target, s.From)
	} else {
		p.kv("syncing", "no, in step with its peers")
	}
}

// shortPeerID cuts a peer ID in the middle ("12D3Koo…a1b2c3").
func shortPeerID(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:7] + "…" + id[len(id)-6:]
}
