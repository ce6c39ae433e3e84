package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"cairn/node/api"

	"github.com/prometheus/client_golang/prometheus"
)

// The numbers cairn_consensus_step takes, one per step of a round.
var stepNumbers = map[string]float64{"propose": 1, "prevote": 2, "precommit": 3, "commit": 4}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
}

// statusCollector reads the node's status once per scrape and turns it
// into gauges and counters: nothing is copied between scrapes, so a value
// is never staler than the scrape that shows it.
type statusCollector struct {
	src     Source
	timeout time.Duration
	log     *slog.Logger

	info, height, headTime                          *prometheus.Desc
	consHeight, consRound, consStep                 *prometheus.Desc
	mempoolTxs, mempoolBytes, peers                 *prometheus.Desc
	recvBytes, sentBytes                            *prometheus.Desc
	syncing, syncTarget                             *prometheus.Desc
	snapHeight, snapEntries, snapBytes, snapRefused *prometheus.Desc
	snapPeers, validatorInSet                       *prometheus.Desc
}

func newStatusCollector(src Source, timeout time.Duration, log *slog.Logger) *statusCollector {
	return &statusCollector{
		src: src, timeout: timeout, log: log,
		info:           desc("node_info", "Always 1; the labels name the node's software version and chain ID.", "version", "chain_id"),
		height:         desc("height", "Height of the last committed (and so finalized) block."),
		headTime:       desc("head_time_seconds", "Header time of the last committed block, in seconds since the Unix epoch."),
		consHeight:     desc("consensus_height", "Height the consensus engine is working on."),
		consRound:      desc("consensus_round", "Round the consensus engine is in at that height (0 is the first)."),
		consStep:       desc("consensus_step", "Step of the round: 1 propose, 2 prevote, 3 precommit, 4 commit (the height is decided; 0 unknown)."),
		mempoolTxs:     desc("mempool_transactions", "Transactions in the mempool: pending ones are ready to be included, queued ones wait behind a nonce gap.", "state"),
		mempoolBytes:   desc("mempool_bytes", "Encoded size of every transaction in the mempool."),
		peers:          desc("peers", "Peers connected now."),
		recvBytes:      desc("p2p_received_bytes_total", "Bytes received from peers, by gossip topic (gossip/...) or request protocol (req/...).", "topic"),
		sentBytes:      desc("p2p_sent_bytes_total", "Bytes sent to peers, by gossip topic (gossip/...) or request protocol (req/...).", "topic"),
		syncing:        desc("syncing", "1 while the node catches up: block sync fetches blocks it is behind on, or a snapshot sync has not finished."),
		syncTarget:     desc("sync_target_height", "Height the node syncs towards: the highest head its peers report while syncing, the snapshot's block during a snapshot sync, else its own height."),
		snapHeight:     desc("snapshot_height", "Block whose state a snapshot sync downloads (0 until chosen); only on a node started from a snapshot."),
		snapEntries:    desc("snapshot_verified_entries", "State entries a snapshot sync verified and wrote, by kind (accounts, slots, codes).", "kind"),
		snapBytes:      desc("snapshot_verified_bytes", "Bytes of state entries a snapshot sync verified."),
		snapRefused:    desc("snapshot_refused_chunks", "Snapshot chunks refused because they did not verify."),
		snapPeers:      desc("snapshot_peers", "Peers a snapshot sync downloads from."),
		validatorInSet: desc("validator_in_set", "1 while this node's validator is in the set of the height consensus works on."),
	}
}

// Describe sends every descriptor the collector may use.
func (c *statusCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.info, c.height, c.headTime, c.consHeight, c.consRound, c.consStep,
		c.mempoolTxs, c.mempoolBytes, c.peers, c.recvBytes, c.sentBytes,
		c.syncing, c.syncTarget, c.snapHeight, c.snapEntries, c.snapBytes, c.snapRefused,
		c.snapPeers, c.validatorInSet,
	} {
		ch <- d
	}
}

// Collect reads the status and traffic and sends their metrics.
func (c *statusCollector) Collect(ch chan<- prometheus.Metric) {
	c.collectTraffic(ch)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.src.Status(ctx)
	if err == nil && st == nil {
		err = fmt.Errorf("no status")
	}
	if err != nil {
		err = fmt.Errorf("read node status: %w", err)
		c.log.Warn("metrics scrape", "err", err)
		ch <- prometheus.NewInvalidMetric(c.height, err)
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(c.info, 1, st.NodeVersion, strconv.FormatUint(st.ChainID, 10))
	gauge(c.height, float64(st.Height))
	gauge(c.headTime, float64(st.HeadTime)/1000)
	gauge(c.mempoolTxs, float64(st.Mempool.Pending), "pending")
	gauge(c.mempoolTxs, float64(st.Mempool.Queued), "queued")
	gauge(c.mempoolBytes, float64(st.Mempool.Bytes))
	gauge(c.peers, float64(st.Peers))
	inSet := false
	if cs := st.Consensus; cs != nil {
		gauge(c.consHeight, float64(cs.Height))
		gauge(c.consRound, float64(cs.Round))
		gauge(c.consStep, stepNumbers[cs.Step])
		if st.Validator != nil {
			inSet = slices.ContainsFunc(cs.Validators, func(v api.ValidatorVotes) bool { return v.Address == *st.Validator })
		}
	}
	gauge(c.validatorInSet, boolFloat(inSet))
	syncing, target := false, st.Height
	if s := st.Syncing; s != nil {
		syncing, target = true, max(target, s.Target)
	}
	if sn := st.Snapshot; sn != nil {
		if sn.Running() {
			syncing, target = true, max(target, sn.Height)
		}
		gauge(c.snapHeight, float64(sn.Height))
		gauge(c.snapEntries, float64(sn.Accounts), "accounts")
		gauge(c.snapEntries, float64(sn.Slots), "slots")
		gauge(c.snapEntries, float64(sn.Codes), "codes")
		gauge(c.snapBytes, float64(sn.Bytes))
		gauge(c.snapRefused, float64(sn.Refused))
		gauge(c.snapPeers, float64(sn.Peers))
	}
	gauge(c.syncing, boolFloat(syncing))
	gauge(c.syncTarget, float64(target))
}

func (c *statusCollector) collectTraffic(ch chan<- prometheus.Metric) {
	for topic, t := range c.src.Traffic() {
		ch <- prometheus.MustNewConstMetric(c.recvBytes, prometheus.CounterValue, float64(t.In), topic)
		ch <- prometheus.MustNewConstMetric(c.sentBytes, prometheus.CounterValue, float64(t.Out), topic)
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
