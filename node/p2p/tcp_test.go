package p2p

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cairn/node/transport"

	"github.com/libp2p/go-libp2p/core/peer"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	dutil "github.com/libp2p/go-libp2p/p2p/discovery/util"
)

// realNode starts a transport on a real host on 127.0.0.1, TCP and QUIC,
// ports chosen by the system.
func realNode(t *testing.T, name string, src *fakeSource, noDHT bool, bootstrap ...string) *Transport {
	t.Helper()
	return realNodeOn(t, []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}, name, src, noDHT, bootstrap...)
}

func realNodeOn(t *testing.T, listen []string, name string, src *fakeSource, noDHT bool, bootstrap ...string) *Transport {
	t.Helper()
	tn := fastTuning
	var logs logBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, logs.without("part=gossipsub"))
		}
	})
	tr, err := New(Config{
		ChainID: testChain, GenesisHash: testGenesis, Source: src,
		KeyPath:   filepath.Join(t.TempDir(), "node_key"),
		Listen:    listen,
		Logger:    slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Bootstrap: bootstrap, NoDHT: noDHT, Agent: "test-" + name,
		StatusInterval: 50 * time.Millisecond, tuning: &tn,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// listenOn is tr's listen address on the given transport ("tcp" or
// "quic-v1").
func listenOn(t *testing.T, tr *Transport, proto string) string {
	t.Helper()
	for _, a := range tr.Listen() {
		if strings.HasPrefix(a, "/ip4/127.0.0.1/") && strings.Contains(a, "/"+proto+"/") {
			return a
		}
	}
	t.Fatalf("%s: no %s address in %v", tr.Self(), proto, tr.Listen())
	return ""
}

func TestRealHostsBootstrapDHTGossipFetch(t *testing.T) {
	src := newSource(testGenesis, 4)
	a := realNode(t, "a", src, false)
	// b over TCP, c over QUIC; each knows only a.
	b := realNode(t, "b", newSource(testGenesis, 0), false, listenOn(t, a, "tcp"))
	c := realNode(t, "c", newSource(testGenesis, 0), false, listenOn(t, a, "quic-v1"))

	waitReady(t, [2]*Transport{a, b}, [2]*Transport{a, c})
	// b and c find each other through the chain's DHT.
	waitFor(t, "b and c meet through the DHT", 30*time.Second, func() bool { return hasPeer(b, c) && hasPeer(c, b) })
	waitReady(t, [2]*Transport{b, c})
	// b advertises itself on the chain's namespace, where c finds it.
	rd := drouting.NewRoutingDiscovery(c.dht)
	waitFor(t, "b advertised", 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		found, err := dutil.FindPeers(ctx, rd, c.namespace())
		if err != nil {
			return false
		}
		for _, ai := range found {
			if ai.ID == b.self {
				return true
			}
		}
		return false
	})

	info, _ := peerInfo(b, a)
	if info.Agent != "cairn/test-a" || info.Inbound || !strings.Contains(info.Addrs[0], "/tcp/") {
		t.Fatalf("b's view of a: %+v", info)
	}
	if info, _ := peerInfo(c, a); !strings.Contains(info.Addrs[0], "/quic-v1") {
		t.Fatalf("c's view of a: %+v", info)
	}

	if err := b.Broadcast(transport.TopicConsensus, []byte("vote")); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []*Transport{a, c} {
		if m := receive(t, tr); string(m.Data) != "vote" || m.Topic != transport.TopicConsensus {
			t.Fatalf("got %q on %s", m.Data, m.Topic)
		}
	}

	blk, _, err := c.FetchBlock(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if blk.Hash() != src.blocks[3].Block.Hash() {
		t.Fatal("wrong block over QUIC")
	}

	// The host's gater keeps a banned peer out.
	a.ban(b.self, time.Minute, "test", false)
	waitFor(t, "b disconnected", 10*time.Second, func() bool { return !connected(a, b) && !connected(b, a) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// b's own attempts: a refuses it once the Noise handshake names it.
	if err := b.h.Connect(ctx, peer.AddrInfo{ID: a.self, Addrs: a.h.Addrs()}); err == nil {
		waitFor(t, "a refuses b", 10*time.Second, func() bool { return !connected(a, b) })
	}
	if err := a.h.Connect(ctx, peer.AddrInfo{ID: b.self, Addrs: b.h.Addrs()}); err == nil {
		t.Fatal("a dialled a peer it banned")
	}
	if hasPeer(a, b) {
		t.Fatal("a lists a banned peer")
	}
}

func TestRealHostsRedialBootstrap(t *testing.T) {
	// b starts first, pointed at a node that is not up yet; it keeps
	// trying until a listens. a's key (and so its ID) and port are known
	// in advance, as in a devnet.
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "node_key")
	_, aID, err := LoadOrCreateIdentity(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	probe := realNode(t, "probe", newSource(testGenesis, 0), true)
	port := listenOn(t, probe, "tcp") // a port that is free once probe closes
	if err := probe.Close(); err != nil {
		t.Fatal(err)
	}
	addr := strings.Split(port, "/p2p/")[0]

	b := realNode(t, "b", newSource(testGenesis, 0), true, addr+"/p2p/"+aID.String())
	tn := fastTuning
	a, err := New(Config{
		ChainID: testChain, GenesisHash: testGenesis, Source: newSource(testGenesis, 0),
		KeyPath: keyPath, Listen: []string{addr}, NoDHT: true, StatusInterval: 50 * time.Millisecond, tuning: &tn,
	})
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if a.self != aID {
		t.Fatal("a came up under another peer ID")
	}
	waitFor(t, "b reaches a", 30*time.Second, func() bool { return hasPeer(b, a) && hasPeer(a, b) })
}

func TestRealHostsMeetByMDNS(t *testing.T) {
	// No bootstrap peers and no DHT: only mDNS can introduce them.
	var logs logBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.without("part=gossipsub"))
		}
	})
	mk := func() *Transport {
		tn := fastTuning
		tr, err := New(Config{
			ChainID: testChain, GenesisHash: testGenesis, KeyPath: filepath.Join(t.TempDir(), "node_key"),
			Listen: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true, MDNS: true,
			Logger:         slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			StatusInterval: 50 * time.Millisecond, tuning: &tn,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close() })
		return tr
	}
	a, b := mk(), mk()
	waitFor(t, "a and b meet", 20*time.Second, func() bool { return hasPeer(a, b) && hasPeer(b, a) })
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	got := mdnsService(testChain, testGenesis)
	if label := strings.TrimSuffix(strings.TrimPrefix(got, "_"), "._udp"); len(label) > 15 || !strings.HasPrefix(label, "cairn-") {
		t.Fatalf("service name %q", got)
	}
	if got == mdnsService(testChain+1, testGenesis) || got == mdnsService(testChain, [32]byte{1}) {
		t.Fatal("the service name does not depend on the chain")
	}
}

func TestRealHostsDialEachOtherAtOnce(t *testing.T) {
	// Both sides dial at the same moment, as two nodes that find each
	// other by mDNS do; the pair must end up connected.
	for i := 0; i < 10; i++ {
		tcp := []string{"/ip4/127.0.0.1/tcp/0"}
		a := realNodeOn(t, tcp, "a", newSource(testGenesis, 0), true)
		b := realNodeOn(t, tcp, "b", newSource(testGenesis, 0), true)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, d := range [][2]*Transport{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				d[0].dial(peer.AddrInfo{ID: d[1].self, Addrs: d[1].h.Addrs()})
			}()
		}
		close(start)
		wg.Wait()
		waitFor(t, "a and b connected", 10*time.Second, func() bool { return hasPeer(a, b) && hasPeer(b, a) })
		_ = a.Close()
		_ = b.Close()
	}
}
