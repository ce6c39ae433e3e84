package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// How long a peer stays banned.
const (
	banScore     = 10 * time.Minute // its gossip score fell below the graylist threshold
	banMismatch  = 5 * time.Minute  // it is on another chain
	banHandshake = time.Minute      // it never answered the status handshake
)

// gater is the host's connection gater: it refuses dials to and
// connections from banned peers until their ban runs out.
type gater struct {
	mu     sync.Mutex
	banned map[peer.ID]time.Time // until when
	now    func() time.Time
}

func newGater() *gater {
	return &gater{banned: map[peer.ID]time.Time{}, now: time.Now}
}

// ban refuses p until now+d; a longer ban already in place stays.
func (g *gater) ban(p peer.ID, d time.Duration) {
	until := g.now().Add(d)
	g.mu.Lock()
	defer g.mu.Unlock()
	if until.After(g.banned[p]) {
		g.banned[p] = until
	}
}

// isBanned says whether p is banned now, and forgets bans that ran out.
func (g *gater) isBanned(p peer.ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	until, ok := g.banned[p]
	if !ok {
		return false
	}
	if !g.now().Before(until) {
		delete(g.banned, p)
		return false
	}
	return true
}

// InterceptPeerDial refuses to dial a banned peer.
func (g *gater) InterceptPeerDial(p peer.ID) bool { return !g.isBanned(p) }

// InterceptAddrDial refuses to dial a banned peer at any address.
func (g *gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return !g.isBanned(p) }

// InterceptAccept lets every inbound connection as far as the security
// handshake, where the remote peer is known.
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool { return true }

// InterceptSecured refuses a connection with a banned peer once its
// identity is proven.
func (g *gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return !g.isBanned(p)
}

// InterceptUpgraded lets every upgraded connection through.
func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
