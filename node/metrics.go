package node

import (
	"context"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/events"
	"cairn/node/metrics"
	"cairn/node/p2p"
)

// metricsQueue is how many node events the metrics feeder may have
// waiting. The bus carries every admitted transaction as well as blocks,
// so it is as deep as an API event stream's queue.
const metricsQueue = 8192

// metricsRefill is the longest run of blocks the feeder reads back from
// the chain when their events were lost; a longer jump (a snapshot
// adopted) is skipped.
const metricsRefill = 1024

// metricsSource is the node as its metrics read it at scrape time.
type metricsSource struct{ n *Node }

// Status is the node's API status.
func (s metricsSource) Status(ctx context.Context) (*api.Status, error) {
	return s.n.service.Status(ctx)
}

// Traffic is the transport's bytes per topic and protocol, if it counts
// them (the libp2p one does).
func (s metricsSource) Traffic() map[string]metrics.Traffic {
	counted, ok := s.n.tr.(interface{ Bytes() map[string]p2p.Traffic })
	if !ok {
		return nil
	}
	bytes := counted.Bytes()
	out := make(map[string]metrics.Traffic, len(bytes))
	for k, t := range bytes {
		out[k] = metrics.Traffic{In: t.In, Out: t.Out}
	}
	return out
}

// startMetrics builds the node's metrics and feeds them its committed
// blocks until ctx ends.
//
// Blocks come from the event bus rather than from a call in the commit
// path: the metrics stay outside the code that commits, and a slow scrape
// can never hold a commit up. The bus drops events for a full subscriber;
// the feeder reads any blocks it missed back from the chain, so the block
// histograms and the missed-block counter still count every block.
func (n *Node) startMetrics(ctx context.Context) *metrics.Metrics {
	sub := n.bus.Subscribe(metricsQueue)
	m := metrics.New(metricsSource{n}, metrics.Options{
		Log: n.cfg.Logger.With("part", "metrics"), EventsLost: sub.Missed,
	})
	head := n.chain.Head() // after subscribing: no block falls between
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer sub.Close()
		n.feedMetrics(ctx, m, sub, head)
	}()
	return m
}

// feedMetrics observes every block committed after head, in order.
func (n *Node) feedMetrics(ctx context.Context, m *metrics.Metrics, sub *events.Subscription, head *chain.Block) {
	prev := head.Header
	for {
		var b *chain.Block
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			b = e.Block
		}
		if b == nil || b.Height() <= prev.Height {
			continue
		}
		committed := n.cfg.Clock.Now()
		if n.catchingUp() {
			committed = time.Time{}
		}
		if gap := b.Height() - prev.Height - 1; gap > 0 && gap <= metricsRefill {
			for h := prev.Height + 1; h < b.Height(); h++ {
				lost, err := n.chain.BlockByHeight(h)
				if err != nil {
					break
				}
				m.ObserveBlock(n.blockMetrics(lost, prev, time.Time{}))
				prev = lost.Header
			}
		}
		m.ObserveBlock(n.blockMetrics(b, prev, committed))
		prev = b.Header
	}
}

// catchingUp says the node is committing blocks behind its peers, whose
// finality latency would measure how far behind it was.
func (n *Node) catchingUp() bool {
	return n.snapping.Load() || (n.sync != nil && n.sync.Status() != nil)
}

// blockMetrics is what the metrics learn from b; prev is the header of the
// block observed before it, its parent unless blocks were skipped.
func (n *Node) blockMetrics(b *chain.Block, prev *chain.Header, committed time.Time) metrics.Block {
	out := metrics.Block{
		Height: b.Height(), Time: time.UnixMilli(int64(b.Header.Time)), Txs: len(b.Txs),
		Committed: committed, Signing: n.signing(b.LastCommit),
	}
	if prev != nil && prev.Height+1 == b.Height() {
		out.ParentTime = time.UnixMilli(int64(prev.Time))
	} else if b.Height() > 0 {
		if parent, err := n.chain.BlockByHeight(b.Height() - 1); err == nil {
			out.ParentTime = time.UnixMilli(int64(parent.Header.Time))
		}
	}
	return out
}

// signing is this node's part in commit: whether its validator, if it was
// in the set of the committed height, signed it. This is the commit the
// chain counts for rewards and for jailing on missed blocks.
func (n *Node) signing(commit *chain.Commit) metrics.Signing {
	self := n.self.Load()
	if self == nil || commit == nil {
		return metrics.NotExpected
	}
	set, err := n.chain.ValidatorsAt(commit.Height)
	if err != nil || set.ByAddress(self.Address) == nil {
		return metrics.NotExpected
	}
	for _, s := range commit.Signatures {
		if s.Validator == self.Address {
			return metrics.Signed
		}
	}
	return metrics.Missed
}
