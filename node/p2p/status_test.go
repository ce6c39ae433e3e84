package p2p

import (
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/network"
)

func TestOtherChainRefused(t *testing.T) {
	for _, c := range []struct {
		name    string
		chainID uint64
		genesis common.Hash
	}{
		{"other genesis", testChain, common.HexToHash("0xbad")},
		{"other chain ID", testChain + 1, testGenesis},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := newNet(t)
			var logs logBuffer
			a, b := n.node(Config{Logger: logs.logger()}), n.node(Config{})
			x := n.node(Config{ChainID: c.chainID, GenesisHash: c.genesis, Source: newSource(c.genesis, 3), Logger: logs.logger()})
			n.connect(b, a)
			n.connect(x, a)
			// Whichever side finds out first bans the other and hangs up.
			waitFor(t, "x refused", 10*time.Second, func() bool {
				if hasPeer(a, x) || hasPeer(x, a) {
					t.Fatal("a peer of another chain is listed")
				}
				return (a.gater.isBanned(x.self) || x.gater.isBanned(a.self)) && !connected(a, x)
			})
			waitReady(t, [2]*Transport{a, b})
			if hasPeer(a, x) || len(a.Peers()) != 1 {
				t.Fatalf("a's peers: %+v", a.Peers())
			}
			if c.chainID == testChain {
				// A peer that answers with another genesis is named at Info.
				waitFor(t, "the log line", 10*time.Second, func() bool {
					s := logs.String()
					return strings.Contains(s, "level=INFO") && strings.Contains(s, "banned peer") &&
						strings.Contains(s, c.genesis.Hex())
				})
			}
		})
	}
}

func TestSilentPeerDropped(t *testing.T) {
	// A host that speaks no status protocol never shows in Peers and is
	// dropped once the handshake gives up.
	n := newNet(t)
	a := n.node(Config{})
	h, err := n.mn.GenPeer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.mn.LinkPeers(a.self, h.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := n.mn.ConnectPeers(h.ID(), a.self); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the silent peer dropped", 10*time.Second, func() bool {
		if len(a.Peers()) != 0 {
			t.Fatal("a peer without a handshake is listed")
		}
		return a.gater.isBanned(h.ID()) && a.h.Network().Connectedness(h.ID()) != network.Connected
	})
}

func TestPeerInfoAndStatusRefresh(t *testing.T) {
	n := newNet(t)
	srcB := newSource(testGenesis, 2)
	a, b := n.node(Config{}), n.node(Config{Source: srcB})
	n.connect(a, b) // a dials
	waitReady(t, [2]*Transport{a, b})

	info, _ := peerInfo(a, b)
	if info.Status.Head != 2 || info.Status.GenesisHash != testGenesis || info.Status.ChainID != testChain {
		t.Fatalf("status %+v", info.Status)
	}
	if info.Inbound || len(info.Addrs) != 1 || info.Addrs[0] == "" || info.Connected.IsZero() {
		t.Fatalf("a's view of b: %+v", info)
	}
	if back, _ := peerInfo(b, a); !back.Inbound {
		t.Fatalf("b's view of a: %+v", back)
	}
	srcB.setHead(9)
	waitFor(t, "the new head", 10*time.Second, func() bool {
		info, ok := peerInfo(a, b)
		return ok && info.Status.Head == 9
	})
	waitFor(t, "latency and agent", 10*time.Second, func() bool {
		info, ok := peerInfo(a, b)
		return ok && info.Latency > 0 && info.Agent != ""
	})
	if got := a.Bytes()["req/status"]; got.In == 0 || got.Out == 0 {
		t.Fatalf("status traffic %+v", got)
	}

	// A peer that leaves leaves Peers. (Unlinked first: mocknet lets
	// anything that opens a stream meanwhile dial again.)
	if err := n.mn.UnlinkPeers(a.self, b.self); err != nil {
		t.Fatal(err)
	}
	if err := n.mn.DisconnectPeers(a.self, b.self); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b gone", 10*time.Second, func() bool { return !hasPeer(a, b) })
}

func TestSelfAndListen(t *testing.T) {
	n := newNet(t)
	a := n.node(Config{})
	if string(a.Self()) != a.self.String() {
		t.Fatalf("Self %s", a.Self())
	}
	l := a.Listen()
	if len(l) == 0 || !strings.HasSuffix(l[0], "/p2p/"+a.self.String()) {
		t.Fatalf("Listen %v", l)
	}
}
