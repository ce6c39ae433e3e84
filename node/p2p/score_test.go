package p2p

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"cairn/node/transport"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// rejectBad rejects messages that start with "bad".
func rejectBad(_ transport.PeerID, data []byte) (transport.Verdict, any) {
	if strings.HasPrefix(string(data), "bad") {
		return transport.Reject, nil
	}
	return transport.Accept, nil
}

func TestSpammerScoredDownAndBanned(t *testing.T) {
	n := newNet(t)
	a, b, s := n.node(Config{}), n.node(Config{}), n.node(Config{})
	n.connect(a, b)
	n.connect(s, a)
	n.connect(s, b)
	waitReady(t, [2]*Transport{a, b}, [2]*Transport{s, a}, [2]*Transport{s, b})
	for _, tr := range []*Transport{a, b} {
		tr.SetValidator(transport.TopicConsensus, rejectBad)
		tr.SetValidator(transport.TopicTx, rejectBad)
	}

	stop := make(chan struct{})
	spamDone := make(chan struct{})
	go func() {
		defer close(spamDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			_ = s.Broadcast(transport.TopicConsensus, []byte(fmt.Sprintf("bad %d", i)))
		}
	}()
	defer func() { close(stop); <-spamDone }()

	// Valid traffic goes on while s spams.
	if err := a.Broadcast(transport.TopicConsensus, []byte("good 1")); err != nil {
		t.Fatal(err)
	}
	if m := receiveFrom(t, b, a); string(m.Data) != "good 1" {
		t.Fatalf("b got %q", m.Data)
	}

	for _, tr := range []*Transport{a, b} {
		waitFor(t, "the spammer banned", 10*time.Second, func() bool {
			return tr.gater.isBanned(s.self) && !connected(tr, s) && !hasPeer(tr, s)
		})
		if tr.Rejected() < 4 {
			t.Fatalf("banned after %d rejects", tr.Rejected())
		}
		// The gater refuses it from now on.
		if tr.gater.InterceptSecured(network.DirInbound, s.self, nil) || tr.gater.InterceptPeerDial(s.self) {
			t.Fatal("the gater lets a banned peer through")
		}
	}
	if !connected(a, b) {
		t.Fatal("a and b were disconnected too")
	}
	if err := a.Broadcast(transport.TopicConsensus, []byte("good 2")); err != nil {
		t.Fatal(err)
	}
	if m := receiveFrom(t, b, a); string(m.Data) != "good 2" {
		t.Fatalf("b got %q", m.Data)
	}

	// A banned peer that connects again (mocknet has no gater) is dropped.
	if _, err := n.mn.ConnectPeers(s.self, a.self); err == nil {
		waitFor(t, "the banned peer dropped again", 10*time.Second, func() bool { return !connected(a, s) })
	}
	if hasPeer(a, s) {
		t.Fatal("a banned peer is listed")
	}
}

// receiveFrom waits for a message on tr that from sent (directly).
func receiveFrom(t *testing.T, tr, from *Transport) transport.Message {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-tr.Messages():
			if m.From == from.Self() {
				return m
			}
		case <-deadline:
			t.Fatal("no message")
		}
	}
}

func TestPenalizeLowersScore(t *testing.T) {
	n := newNet(t)
	a, b := n.node(Config{}), n.node(Config{})
	n.connect(a, b)
	waitReady(t, [2]*Transport{a, b})
	a.Penalize(b.Self(), "a block whose commit does not verify")
	waitFor(t, "a lower score", 10*time.Second, func() bool {
		info, ok := peerInfo(a, b)
		return ok && info.Score <= -penaltyStep+20
	})
	if info, _ := peerInfo(b, a); info.Score < 0 {
		t.Fatalf("b's view of a fell too: %v", info.Score)
	}
	a.Penalize("not a peer id", "ignored")

	// Often enough, and the peer is banned.
	for range -graylistThreshold/penaltyStep + 1 {
		a.Penalize(b.Self(), "again")
	}
	waitFor(t, "b banned", 10*time.Second, func() bool { return a.gater.isBanned(b.self) && !connected(a, b) })
}

func TestPenaltyHeals(t *testing.T) {
	for _, c := range []struct {
		elapsed time.Duration
		want    float64
	}{
		{0, -100},
		{-time.Second, -100},
		{penaltyHalfLife, -50},
		{2 * penaltyHalfLife, -25},
	} {
		if got := decayed(-100, c.elapsed); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("decayed(-100, %v) = %v, want %v", c.elapsed, got, c.want)
		}
	}
	if got := decayed(-100, 20*penaltyHalfLife); got < -0.001 {
		t.Errorf("after 20 half-lives: %v", got)
	}
}

func TestScoreParamsValid(t *testing.T) {
	// Invalid parameters would make NewGossipSub fail; check the ones the
	// tests rely on too.
	p := scoreParams(map[string]float64{"x": 1, "y": 0.5}, func(peer.ID) float64 { return 0 })
	if p.Topics["x"].InvalidMessageDeliveriesWeight >= 0 || p.Topics["x"].InvalidMessageDeliveriesDecay <= 0 {
		t.Fatal("rejects cost nothing")
	}
	if p.IPColocationFactorWeight >= 0 || len(p.IPColocationFactorWhitelist) == 0 {
		t.Fatal("no IP colocation penalty, or loopback not exempt")
	}
	if !p.IPColocationFactorWhitelist[0].Contains([]byte{127, 0, 0, 1}) {
		t.Fatal("127.0.0.1 is not whitelisted")
	}
	th := scoreThresholds()
	if !(th.GraylistThreshold < th.PublishThreshold && th.PublishThreshold < th.GossipThreshold && th.GossipThreshold < 0) {
		t.Fatalf("thresholds out of order: %+v", th)
	}
	// Four rejects on the consensus topic pass the graylist threshold, three do not.
	w := p.Topics["x"].InvalidMessageDeliveriesWeight
	if 3*3*w < graylistThreshold || 4*4*w >= graylistThreshold {
		t.Fatal("the reject weight does not graylist at four rejects")
	}
}
