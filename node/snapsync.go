package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"cairn/chain"
	"cairn/chain/snapshot"
	"cairn/node/api"
	"cairn/node/clock"
	"cairn/node/events"
	"cairn/node/transport"
)

// Snapshot sync's bounds and pace.
const (
	// snapPerPeer is how many requests one peer has in flight at once.
	snapPerPeer = 2
	// snapIntervals splits the account hash space into ranges fetched in
	// parallel.
	snapIntervals = 32
	// snapFetchTimeout bounds one request.
	snapFetchTimeout = 30 * time.Second
	// snapPeerFailures: a peer whose requests fail this many times in a
	// row is not asked again in this attempt.
	snapPeerFailures = 3
	// snapRetry is how long sync waits before looking for peers again.
	snapRetry = time.Second
)

// snapSync starts a node with only its genesis block from a snapshot of a
// peer's head: it asks peers for an anchor (the proof of their head from
// genesis), verifies it, downloads the state at the anchor's root from
// every peer at once, each chunk verified against that root, and adopts
// it. The node then follows the chain from there like any other.
type snapSync struct {
	n     *Node
	tr    transport.Transport
	clock clock.Clock
	log   *slog.Logger
	mu    sync.Mutex // orders setStatus's read-modify-write
	state atomic.Pointer[api.SnapshotStatus]

	badMu sync.Mutex
	bad   map[transport.PeerID]bool // peers that sent something false
}

func newSnapSync(n *Node) *snapSync {
	s := &snapSync{n: n, tr: n.tr, clock: n.cfg.Clock, log: n.cfg.Logger.With("part", "snapshot"), bad: map[transport.PeerID]bool{}}
	s.state.Store(&api.SnapshotStatus{Phase: api.SnapshotFindingPeers})
	return s
}

// Status is the sync's progress.
func (s *snapSync) Status() *api.SnapshotStatus { return s.state.Load() }

func (s *snapSync) setStatus(f func(st *api.SnapshotStatus)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := *s.state.Load()
	f(&st)
	s.state.Store(&st)
}

// run syncs until the snapshot is adopted or ctx ends. An attempt that
// fails (no peer with a good anchor, every peer failing mid-download) is
// tried again after snapRetry, from a fresh anchor. It returns an error
// only when the store refuses a write.
func (s *snapSync) run(ctx context.Context) error {
	for {
		err := s.attempt(ctx)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, errPeersAtGenesis):
			// A new network: there is nothing to take a snapshot of, and
			// this node may be one the chain waits on to leave genesis.
			s.log.Info("the peers are at genesis: nothing to take a snapshot of; following from genesis")
			s.setStatus(func(st *api.SnapshotStatus) { st.Phase = api.SnapshotSkipped })
			return nil
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errStoreFailed):
			return err
		}
		if errors.Is(err, errNoSnapshotPeer) {
			s.log.Debug("waiting for a peer past genesis")
		} else {
			s.log.Warn("snapshot sync attempt failed; trying again", "err", err)
		}
		s.setStatus(func(st *api.SnapshotStatus) { st.LastError = err.Error() })
		wait, stop := after(s.clock, snapRetry)
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-wait:
		}
	}
}

// errPeersAtGenesis: the peers of this chain have finalized nothing.
var errPeersAtGenesis = errors.New("every peer is at genesis")

// errNoSnapshotPeer: no peer to ask yet.
var errNoSnapshotPeer = errors.New("no peer past genesis to take a snapshot from")

// errStoreFailed wraps a write the store refused: sync cannot go on.
var errStoreFailed = errors.New("store write failed")

// attempt is one try: anchor, download, adopt.
func (s *snapSync) attempt(ctx context.Context) error {
	s.setStatus(func(st *api.SnapshotStatus) { st.Phase = api.SnapshotFindingPeers })
	trusted, from, err := s.anchor(ctx)
	if err != nil {
		return err
	}
	h := trusted.Block.Header
	s.log.Info("downloading the state of a verified block", "height", h.Height, "stateRoot", h.StateRoot, "from", from)
	s.setStatus(func(st *api.SnapshotStatus) {
		st.Phase, st.Height, st.StateRoot = api.SnapshotDownloading, h.Height, h.StateRoot
	})
	w := s.n.store.SnapshotWriter()
	plan, err := snapshot.NewPlan(h.StateRoot, w, snapshot.Options{Intervals: snapIntervals})
	if err != nil {
		return err
	}
	if err := s.download(ctx, plan, w, h.Height); err != nil {
		return err
	}
	if err := plan.Finish(); err != nil {
		return fmt.Errorf("snapshot of block %d: %w", h.Height, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("%w: %w", errStoreFailed, err)
	}
	s.setStatus(func(st *api.SnapshotStatus) { st.Phase = api.SnapshotAdopting })
	if err := s.n.chain.AdoptSnapshot(trusted); err != nil {
		return fmt.Errorf("%w: %w", errStoreFailed, err)
	}
	p := plan.Progress()
	s.setStatus(func(st *api.SnapshotStatus) { st.Phase, st.LastError = api.SnapshotDone, "" })
	s.log.Info("started from a snapshot", "height", h.Height, "accounts", p.Accounts, "slots", p.Slots, "codes", p.Codes, "bytes", p.Bytes)
	return nil
}

// anchor asks the peers, the furthest along first, for an anchor until
// one verifies.
func (s *snapSync) anchor(ctx context.Context) (*chain.TrustedAnchor, transport.PeerID, error) {
	peers := s.peers(1)
	if len(peers) == 0 {
		if len(s.peers(0)) > 0 {
			return nil, "", errPeersAtGenesis
		}
		return nil, "", errNoSnapshotPeer
	}
	s.setStatus(func(st *api.SnapshotStatus) { st.Phase = api.SnapshotAnchoring })
	var errs []error
	for _, p := range peers {
		raw, err := s.fetch(ctx, p.ID, encodeSnapRequest(snapAnchor, nil))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a, err := chain.DecodeAnchor(raw)
		var trusted *chain.TrustedAnchor
		if err == nil {
			trusted, err = chain.VerifyAnchor(s.n.cfg.Genesis, a)
		}
		if err != nil {
			s.disgrace(p.ID, fmt.Errorf("anchor: %w", err))
			errs = append(errs, err)
			continue
		}
		return trusted, p.ID, nil
	}
	return nil, "", fmt.Errorf("no peer gave a verifiable anchor: %w", errors.Join(errs...))
}

// peers are the connected peers of this chain not found bad, finalized
// at least at height, the furthest along first.
func (s *snapSync) peers(height uint64) []transport.PeerInfo {
	var out []transport.PeerInfo
	s.badMu.Lock()
	defer s.badMu.Unlock()
	for _, p := range s.tr.Peers() {
		if !s.bad[p.ID] && p.Status.Finalized >= height && p.Status.GenesisHash == s.n.genesisHash {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Status.Finalized > out[j].Status.Finalized })
	return out
}

func (s *snapSync) fetch(ctx context.Context, p transport.PeerID, req []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, snapFetchTimeout)
	defer cancel()
	return s.tr.FetchSnapshot(ctx, p, req)
}

// disgrace marks a peer that sent something false: it is not asked
// again, and it loses score.
func (s *snapSync) disgrace(p transport.PeerID, err error) {
	s.badMu.Lock()
	s.bad[p] = true
	s.badMu.Unlock()
	s.tr.Penalize(p, "snapshot: "+err.Error())
	s.log.Warn("peer sent a bad snapshot answer", "peer", p, "err", err)
}

// download runs the plan's tasks on every usable peer at once until the
// plan is complete. Peers that join meanwhile are put to work too; a peer
// that answers with a chunk that does not verify is disgraced and its
// task handed to the others.
func (s *snapSync) download(ctx context.Context, plan *snapshot.Plan, w *chain.SnapshotWriter, height uint64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d := &download{s: s, plan: plan, wake: make(chan struct{}, 1), ended: make(chan struct{}), working: map[transport.PeerID]bool{}, badc: make(chan badPeer, 16)}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	var lastProgress time.Time
	for {
		// Peers' reported heads lag (the anchor's peer may report less than
		// the head it proved): every peer past genesis is asked, and one
		// that lacks the state fails its way out.
		for _, p := range s.peers(1) {
			if !d.working[p.ID] {
				d.working[p.ID] = true
				for range snapPerPeer {
					wg.Add(1)
					go func() { defer wg.Done(); d.work(ctx, p.ID) }()
				}
			}
		}
		s.report(plan, len(d.working))
		if err := w.Err(); err != nil {
			return fmt.Errorf("%w: %w", errStoreFailed, err)
		}
		if err := plan.Err(); err != nil {
			return err
		}
		if plan.Complete() {
			return nil
		}
		if len(d.working) == 0 {
			return errors.New("no peer left to download from")
		}
		if s.clock.Now().Sub(lastProgress) >= syncLogEvery {
			lastProgress = s.clock.Now()
			p := plan.Progress()
			s.log.Info("downloading snapshot", "height", height, "accounts", p.Accounts, "slots", p.Slots, "bytes", p.Bytes, "peers", len(d.working))
		}
		tick, stop := after(s.clock, snapRetry)
		select {
		case <-ctx.Done():
			stop()
			return ctx.Err()
		case b := <-d.badc:
			delete(d.working, b.id)
			s.log.Debug("peer stopped answering snapshot requests", "peer", b.id, "err", b.err)
		case <-d.wake:
		case <-tick:
		}
		stop()
	}
}

// after is a channel closed once d has passed on c, and its stop.
func after(c clock.Clock, d time.Duration) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	t := c.AfterFunc(d, func() { close(ch) })
	return ch, func() { t.Stop() }
}

// report publishes the plan's progress.
func (s *snapSync) report(plan *snapshot.Plan, peers int) {
	p := plan.Progress()
	s.setStatus(func(st *api.SnapshotStatus) {
		st.Accounts, st.Slots, st.Codes, st.Bytes, st.Peers = p.Accounts, p.Slots, p.Codes, p.Bytes, peers
	})
}

// download is one download's shared state.
type download struct {
	s       *snapSync
	plan    *snapshot.Plan
	wake    chan struct{} // a task ended: there may be work, or the end
	working map[transport.PeerID]bool
	badc    chan badPeer

	mu    sync.Mutex
	ended chan struct{} // closed, and replaced, when a task ends
}

// badPeer is a peer's worker giving up, on false data or failures.
type badPeer struct {
	id  transport.PeerID
	err error
}

// signal tells the download loop and the idle workers that a task ended.
func (d *download) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
	d.mu.Lock()
	close(d.ended)
	d.ended = make(chan struct{})
	d.mu.Unlock()
}

// endedc is closed when the next task ends.
func (d *download) endedc() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ended
}

// work asks one peer for task after task until the plan is complete, the
// peer fails, or ctx ends.
func (d *download) work(ctx context.Context, p transport.PeerID) {
	failures := 0
	for ctx.Err() == nil && !d.plan.Complete() && d.plan.Err() == nil {
		ended := d.endedc()
		task := d.plan.Next()
		if task == nil {
			// Everything is in flight with someone: wait for one to end
			// (it may fail, or add storage tasks).
			select {
			case <-ctx.Done():
			case <-ended:
			}
			continue
		}
		err, disgrace := d.do(ctx, p, task)
		d.signal()
		switch {
		case err == nil:
			failures = 0
			continue
		case disgrace:
			// Scored down now, not when the download loop hears of it: the
			// download may end first.
			d.s.disgrace(p, err)
			d.s.setStatus(func(st *api.SnapshotStatus) { st.Refused++ })
		case failures+1 < snapPeerFailures:
			failures++
			continue
		}
		select {
		case d.badc <- badPeer{id: p, err: err}:
		case <-ctx.Done():
		}
		return
	}
}

// do runs one task on peer p: the error, and whether it proves the peer
// dishonest (a chunk that does not verify, or cannot be decoded).
func (d *download) do(ctx context.Context, p transport.PeerID, task *snapshot.Task) (error, bool) {
	req, err := snapshot.EncodeRequest(task.Request())
	if err != nil {
		task.Failed()
		return err, false
	}
	raw, err := d.s.fetch(ctx, p, encodeSnapRequest(snapChunk, req))
	if err != nil {
		task.Failed()
		return err, false
	}
	c, err := snapshot.DecodeChunk(raw)
	if err != nil {
		task.Failed()
		return err, true
	}
	if err := task.Done(c); err != nil {
		return err, errors.Is(err, snapshot.ErrInvalidChunk)
	}
	return nil, false
}

// prepareSnapshot sets the node to start from a snapshot if its chain
// holds only genesis; a node further along goes on from its own head.
func (n *Node) prepareSnapshot() {
	if h := n.chain.Head().Height(); h > 0 {
		n.cfg.Logger.Info("the store holds blocks already: following from its head, not from a snapshot", "height", h)
		return
	}
	n.snap = newSnapSync(n)
	n.snapping.Store(true)
}

// adopted brings the node's parts to the head a snapshot sync adopted
// (if it adopted one: on a new network it follows from genesis instead):
// the mempool re-checks against its state, and the node finds out
// whether its key validates there.
func (n *Node) adopted() {
	n.snapping.Store(false)
	head := n.chain.Head()
	if head.Height() == 0 {
		return
	}
	if st, err := n.chain.State(); err != nil {
		n.cfg.Logger.Error("open state after snapshot", "height", head.Height(), "err", err)
	} else {
		n.pool.Update(headState{st}, n.chain.NextBaseFee(head.Header))
	}
	n.self.Store(n.identify(n.cfg.ValidatorKey))
	if n.engine != nil {
		n.engine.HeadCommitted(head)
	}
	n.bus.Publish(events.Event{Block: head})
}
