package p2p

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cairn/node/transport"
)

func TestGossipReachesPeersOnBothTopics(t *testing.T) {
	n := newNet(t)
	a, b, c := n.node(Config{}), n.node(Config{}), n.node(Config{})
	n.connect(a, b)
	n.connect(a, c)
	n.connect(b, c)
	waitReady(t, [2]*Transport{a, b}, [2]*Transport{a, c}, [2]*Transport{b, c})

	for _, topic := range []transport.Topic{transport.TopicConsensus, transport.TopicTx} {
		data := []byte("hello on " + string(topic))
		if err := a.Broadcast(topic, data); err != nil {
			t.Fatal(err)
		}
		for _, tr := range []*Transport{b, c} {
			m := receive(t, tr)
			if m.Topic != topic || !bytes.Equal(m.Data, data) {
				t.Fatalf("got %q on %s, want %q on %s", m.Data, m.Topic, data, topic)
			}
			// From a, or forwarded by the third node.
			if m.From == tr.Self() || (m.From != a.Self() && m.From != b.Self() && m.From != c.Self()) {
				t.Fatalf("message from %s", m.From)
			}
		}
	}
	// a's own messages were queued for it, if at all, when it published;
	// a message from b reaching a afterwards shows there were none.
	if err := b.Broadcast(transport.TopicTx, []byte("marker")); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, a); string(m.Data) != "marker" || (m.From != b.Self() && m.From != c.Self()) {
		t.Fatalf("a got %q from %s first, want b's marker", m.Data, m.From)
	}

	out, in := a.Bytes()["gossip/consensus"].Out, b.Bytes()["gossip/consensus"].In
	if out == 0 || in == 0 {
		t.Fatalf("gossip/consensus traffic: a sent %d, b received %d", out, in)
	}
	if a.Dropped() != 0 || b.Dropped() != 0 {
		t.Fatal("dropped messages")
	}
}

// prefixValidator accepts "accept:*" (decoding it to upper case), ignores
// "ignore:*" and rejects anything else, recording who sent what.
type prefixValidator struct {
	calls atomic.Int64
	from  atomic.Value
}

func (v *prefixValidator) validate(from transport.PeerID, data []byte) (transport.Verdict, any) {
	v.calls.Add(1)
	v.from.Store(from)
	switch s := string(data); {
	case strings.HasPrefix(s, "accept:"):
		return transport.Accept, strings.ToUpper(s)
	case strings.HasPrefix(s, "ignore:"):
		return transport.Ignore, nil
	}
	return transport.Reject, nil
}

func TestValidatorVerdicts(t *testing.T) {
	// a - b - c in a line: what c gets from a, b forwarded.
	n := newNet(t)
	a, b, c := n.node(Config{}), n.node(Config{}), n.node(Config{})
	n.connect(a, b)
	n.connect(b, c)
	waitReady(t, [2]*Transport{a, b}, [2]*Transport{b, c})
	waitMesh(t, transport.TopicConsensus, b, c)
	var va, vb prefixValidator
	a.SetValidator(transport.TopicConsensus, va.validate) // never called: a only publishes
	b.SetValidator(transport.TopicConsensus, vb.validate)

	for _, s := range []string{"reject:1", "ignore:1"} {
		if err := a.Broadcast(transport.TopicConsensus, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	// pubsub reports a reject or an ignore once it is final: the message
	// will be neither delivered nor forwarded.
	e := b.topics[transport.TopicConsensus]
	waitFor(t, "b's verdicts", 10*time.Second, func() bool {
		return e.counter.rejected.Load() == 1 && e.counter.ignored.Load() == 1
	})
	if err := a.Broadcast(transport.TopicConsensus, []byte("accept:1")); err != nil {
		t.Fatal(err)
	}
	m := receive(t, b)
	if string(m.Data) != "accept:1" || m.Decoded != "ACCEPT:1" || m.From != a.Self() {
		t.Fatalf("b got %+v, want accept:1 decoded, from a", m)
	}
	if got := vb.from.Load(); got != a.Self() {
		t.Fatalf("b's validator saw the message from %v, want a", got)
	}
	m = receive(t, c)
	if string(m.Data) != "accept:1" || m.From != b.Self() {
		t.Fatalf("c got %q from %s first, want accept:1 forwarded by b", m.Data, m.From)
	}
	if m.Decoded != nil {
		t.Fatalf("c has no validator, yet the message is decoded: %v", m.Decoded)
	}
	if va.calls.Load() != 0 {
		t.Fatal("a's validator was called on its own messages")
	}
	if b.Rejected() != 1 || a.Rejected() != 0 {
		t.Fatalf("rejected: a %d, b %d", a.Rejected(), b.Rejected())
	}
}

func TestOversizedGossipRejected(t *testing.T) {
	n := newNet(t)
	a, b := n.node(Config{}), n.node(Config{})
	n.connect(a, b)
	waitReady(t, [2]*Transport{a, b})
	big := bytes.Repeat([]byte{'x'}, 128<<10+1)
	if err := a.Broadcast(transport.TopicTx, big); err == nil {
		t.Fatal("Broadcast sent a transaction message over the topic's cap")
	}
	// A peer that does not hold back: publish under the transport.
	if err := a.topics[transport.TopicTx].handle.Publish(a.ctx, big); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b rejects the oversized message", 10*time.Second, func() bool { return b.Rejected() == 1 })
	if err := a.Broadcast(transport.TopicTx, []byte("small")); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, b); string(m.Data) != "small" {
		t.Fatalf("b got %d bytes first, want the small message", len(m.Data))
	}
}

func TestFullInboxDropsAndCounts(t *testing.T) {
	n := newNet(t)
	tn := fastTuning
	tn.inbox = 2
	a, b := n.node(Config{}), n.node(Config{tuning: &tn})
	n.connect(a, b)
	waitReady(t, [2]*Transport{a, b})
	for i := range 5 {
		if err := a.Broadcast(transport.TopicTx, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "three dropped", 10*time.Second, func() bool { return b.Dropped() == 3 })
	if len(b.Messages()) != 2 {
		t.Fatalf("inbox holds %d", len(b.Messages()))
	}
}

func TestRepublishing(t *testing.T) {
	// The engine re-sends its consensus messages while a round stalls:
	// the same bytes again must reach peers. A transaction gossiped twice
	// is one message.
	n := newNet(t)
	a, b := n.node(Config{}), n.node(Config{})
	n.connect(a, b)
	waitReady(t, [2]*Transport{a, b})
	vote := []byte("vote")
	for range 2 {
		if err := a.Broadcast(transport.TopicConsensus, vote); err != nil {
			t.Fatal(err)
		}
		if m := receive(t, b); !bytes.Equal(m.Data, vote) {
			t.Fatalf("got %q", m.Data)
		}
	}
	tx, marker := []byte("tx"), []byte("marker")
	for _, d := range [][]byte{tx, tx, marker} {
		if err := a.Broadcast(transport.TopicTx, d); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for got["marker"] == 0 || got["tx"] == 0 {
		got[string(receive(t, b).Data)]++
	}
	// a sends in the order it publishes: had the second tx gone out, it
	// would be counted before the marker.
	if out := a.Bytes()["gossip/tx"].Out; out != uint64(len(tx)+len(marker)) || got["tx"] != 1 {
		t.Fatalf("a sent %d bytes of transactions; b got the tx %d times", out, got["tx"])
	}
}

func TestCloseTwiceClosesMessages(t *testing.T) {
	n := newNet(t)
	a := n.node(Config{})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-a.Messages(); ok {
		t.Fatal("Messages still open after Close")
	}
	if err := a.Broadcast(transport.TopicTx, []byte("x")); err == nil {
		t.Fatal("Broadcast after Close succeeded")
	}
}
