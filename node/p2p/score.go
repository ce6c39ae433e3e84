package p2p

import (
	"math"
	"net"
	"time"

	"cairn/node/transport"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Gossip score thresholds. A rejected message costs its sender
// 100 × (rejects)² × the topic's weight, decaying over about ten minutes,
// so four rejects on the consensus topic (or five on tx) in a short while
// graylist a peer, and the transport then bans it for banScore.
const (
	gossipThreshold   = -200
	publishThreshold  = -400
	graylistThreshold = -1000
)

// Application-specific score (Penalize): each call costs penaltyStep,
// and what a peer has lost heals by half every penaltyHalfLife.
const (
	penaltyStep     = 100
	penaltyHalfLife = 2 * time.Minute
)

// scoreThresholds are the gossipsub thresholds.
func scoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             gossipThreshold,
		PublishThreshold:            publishThreshold,
		GraylistThreshold:           graylistThreshold,
		AcceptPXThreshold:           100, // PX is off; no peer is trusted with it
		OpportunisticGraftThreshold: 2,
	}
}

// loopback are the addresses exempt from the IP colocation penalty: a
// devnet runs all its nodes on one machine.
var loopback = []*net.IPNet{
	{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)},
	{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
}

// scoreParams are the gossipsub peer score parameters: per topic, time
// in mesh and first deliveries earn a little, invalid messages cost a lot;
// more than a few peers from one (non-loopback) IP cost; the application
// score is what Penalize took.
func scoreParams(topics map[string]float64, app func(peer.ID) float64) *pubsub.PeerScoreParams {
	p := &pubsub.PeerScoreParams{
		Topics:                      map[string]*pubsub.TopicScoreParams{},
		TopicScoreCap:               20,
		AppSpecificScore:            app,
		AppSpecificWeight:           1,
		IPColocationFactorWeight:    -50,
		IPColocationFactorThreshold: 4,
		IPColocationFactorWhitelist: loopback,
		BehaviourPenaltyWeight:      -10,
		BehaviourPenaltyThreshold:   6,
		BehaviourPenaltyDecay:       pubsub.ScoreParameterDecay(10 * time.Minute),
		DecayInterval:               pubsub.DefaultDecayInterval,
		DecayToZero:                 pubsub.DefaultDecayToZero,
		RetainScore:                 banScore,
	}
	for name, weight := range topics {
		p.Topics[name] = &pubsub.TopicScoreParams{
			TopicWeight:                  weight,
			TimeInMeshWeight:             0.01,
			TimeInMeshQuantum:            time.Second,
			TimeInMeshCap:                300,
			FirstMessageDeliveriesWeight: 0.5,
			FirstMessageDeliveriesDecay:  pubsub.ScoreParameterDecay(10 * time.Minute),
			FirstMessageDeliveriesCap:    20,
			// Mesh delivery quotas are off: a small devnet's traffic is
			// too bursty to hold its peers to a rate.
			MeshMessageDeliveriesWeight:    0,
			MeshFailurePenaltyWeight:       0,
			InvalidMessageDeliveriesWeight: -100,
			InvalidMessageDeliveriesDecay:  pubsub.ScoreParameterDecay(10 * time.Minute),
		}
	}
	return p
}

// penalty is what Penalize took from a peer, as of at.
type penalty struct {
	value float64 // <= 0
	at    time.Time
}

// decayed is a penalty of value after elapsed: it halves every
// penaltyHalfLife.
func decayed(value float64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return value
	}
	return value * math.Exp2(-float64(elapsed)/float64(penaltyHalfLife))
}

// appScore is the application-specific score of p, for gossipsub.
func (t *Transport) appScore(p peer.ID) float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	pen, ok := t.penalties[p]
	if !ok {
		return 0
	}
	return decayed(pen.value, time.Since(pen.at))
}

// Penalize lowers a peer's score for a fault the node found itself; the
// loss heals over minutes. A peer penalized often enough is graylisted,
// disconnected and banned. reason is logged.
func (t *Transport) Penalize(id transport.PeerID, reason string) {
	p, err := peer.Decode(string(id))
	if err != nil {
		t.log.Debug("penalize: bad peer ID", "peer", id, "err", err)
		return
	}
	now := time.Now()
	t.mu.Lock()
	pen := t.penalties[p]
	pen.value = decayed(pen.value, now.Sub(pen.at)) - penaltyStep
	pen.at = now
	t.penalties[p] = pen
	t.mu.Unlock()
	t.log.Info("penalized peer", "peer", p, "reason", reason, "app_score", pen.value)
}

// onScores is gossipsub's periodic score report: it keeps the scores for
// Peers, bans connected peers below the graylist threshold, and forgets
// penalties that have healed.
func (t *Transport) onScores(scores map[peer.ID]float64) {
	now := time.Now()
	var graylisted []peer.ID
	t.mu.Lock()
	t.scores = make(map[peer.ID]float64, len(scores))
	for p, s := range scores {
		t.scores[p] = s
		if s < graylistThreshold {
			graylisted = append(graylisted, p)
		}
	}
	for p, pen := range t.penalties {
		if decayed(pen.value, now.Sub(pen.at)) > -0.01 {
			delete(t.penalties, p)
		}
	}
	t.mu.Unlock()
	for _, p := range graylisted {
		if t.h.Network().Connectedness(p) == network.Connected || !t.gater.isBanned(p) {
			t.spawn(func() { t.ban(p, banScore, "gossip score below the graylist threshold", true) })
		}
	}
}
