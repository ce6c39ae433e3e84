package p2p

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"cairn/node/transport"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// handshakeAttempts is how many times a new peer is asked for its status
// before it is dropped: the first ask can race the peer's own start.
const handshakeAttempts = 4

// peerState is what the transport knows of a connected peer.
type peerState struct {
	ready  bool // its status handshake succeeded: it is on this chain
	asking bool // a status request to it is under way
	status transport.Status
	since  time.Time // when it connected, for hosts whose connections do not say
}

// ourStatus is the status this node answers with.
func (t *Transport) ourStatus() transport.Status {
	if t.cfg.Source == nil {
		return transport.Status{ChainID: t.cfg.ChainID, GenesisHash: t.cfg.GenesisHash}
	}
	return t.cfg.Source.Status()
}

// serveStatus answers a status request.
func (t *Transport) serveStatus(_ peer.ID, _ []byte, w io.Writer) error {
	data, err := json.Marshal(t.ourStatus())
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	return writeFrame(w, data)
}

// askStatus asks p for its status, and records the round trip as its
// latency.
func (t *Transport) askStatus(ctx context.Context, p peer.ID) (transport.Status, error) {
	var st transport.Status
	start := time.Now()
	err := t.request(ctx, p, protoStatus, nil, maxStatusAnswer, func(fr *frameReader) error {
		raw, err := fr.next(maxStatusAnswer)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("decode status: %w", err)
		}
		return nil
	})
	if err != nil {
		return transport.Status{}, err
	}
	t.h.Peerstore().RecordLatency(p, time.Since(start))
	return st, nil
}

// sameChain says whether a peer's status is of this node's chain.
func (t *Transport) sameChain(st transport.Status) bool {
	return st.ChainID == t.cfg.ChainID && st.GenesisHash == t.cfg.GenesisHash
}

// notifiee watches the host's connections.
func (t *Transport) notifiee() network.Notifiee {
	return &network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) { t.connected(c) },
		DisconnectedF: func(n network.Network, c network.Conn) {
			p := c.RemotePeer()
			if n.Connectedness(p) == network.Connected {
				return
			}
			t.mu.Lock()
			delete(t.peers, p)
			t.mu.Unlock()
		},
	}
}

// connected starts the status handshake with a newly connected peer, or
// drops a banned one (the gater stops them where the host has one).
func (t *Transport) connected(c network.Conn) {
	p := c.RemotePeer()
	if t.gater.isBanned(p) {
		t.spawn(func() { _ = c.Close() })
		return
	}
	t.mu.Lock()
	st, ok := t.peers[p]
	if !ok {
		st = &peerState{asking: true, since: time.Now()}
		t.peers[p] = st
	}
	t.mu.Unlock()
	if !ok {
		t.spawn(func() { t.handshake(p, st) })
	}
}

// handshake asks a new peer for its status: a peer on this chain becomes
// ready (and shows in Peers); one on another chain is banned; one that
// never answers is dropped and briefly banned.
func (t *Transport) handshake(p peer.ID, st *peerState) {
	var (
		status transport.Status
		err    error
	)
	wait := t.cfg.tuning.handshakeRetry
	for attempt := 0; attempt < handshakeAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-t.ctx.Done():
				return
			case <-time.After(wait):
			}
			wait *= 2
		}
		if !t.current(p, st) {
			return // disconnected meanwhile
		}
		if status, err = t.askStatus(t.ctx, p); err == nil {
			break
		}
	}
	switch {
	case t.ctx.Err() != nil || !t.current(p, st):
		return // closing, or the peer left
	case err != nil:
		t.ban(p, banHandshake, "no status handshake: "+err.Error(), false)
	case !t.sameChain(status):
		t.ban(p, banMismatch, fmt.Sprintf("peer is on chain %d genesis %s, this node on %d genesis %s",
			status.ChainID, status.GenesisHash, t.cfg.ChainID, t.cfg.GenesisHash), true)
	default:
		t.mu.Lock()
		if t.peers[p] == st {
			st.ready, st.asking, st.status = true, false, status
		}
		t.mu.Unlock()
		t.log.Debug("peer joined", "peer", p, "head", status.Head)
	}
}

// current says whether st is still the state of connected peer p.
func (t *Transport) current(p peer.ID, st *peerState) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.peers[p] == st
}

// statusLoop asks every ready peer for its status each StatusInterval.
func (t *Transport) statusLoop() {
	tick := time.NewTicker(t.cfg.StatusInterval)
	defer tick.Stop()
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-tick.C:
		}
		t.mu.Lock()
		for p, st := range t.peers {
			if st.ready && !st.asking {
				st.asking = true
				t.spawn(func() { t.refresh(p, st) })
			}
		}
		t.mu.Unlock()
	}
}

// refresh asks a ready peer for its status again.
func (t *Transport) refresh(p peer.ID, st *peerState) {
	status, err := t.askStatus(t.ctx, p)
	if err == nil && !t.sameChain(status) {
		t.ban(p, banMismatch, "peer changed chains", true)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st.asking = false
	if err != nil {
		t.log.Debug("peer status", "peer", p, "err", err)
		return
	}
	st.status = status
}

// ban disconnects p and refuses it for d. loud logs at Info rather than
// Debug.
func (t *Transport) ban(p peer.ID, d time.Duration, reason string, loud bool) {
	t.gater.ban(p, d)
	t.mu.Lock()
	delete(t.peers, p)
	t.mu.Unlock()
	level := t.log.Debug
	if loud {
		level = t.log.Info
	}
	level("banned peer", "peer", p, "for", d, "reason", reason)
	if err := t.h.Network().ClosePeer(p); err != nil {
		t.log.Debug("disconnect banned peer", "peer", p, "err", err)
	}
}
