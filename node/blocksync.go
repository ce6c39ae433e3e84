package node

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync/atomic"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/clock"
	"cairn/node/transport"
)

// Block sync's bounds and pace.
const (
	// syncGap: a node whose peers report a head this many blocks past its
	// own syncs instead of waiting for consensus to carry it along.
	syncGap = 3
	// syncBatch is how many blocks one request asks one peer for.
	syncBatch = 32
	// syncWindow bounds the ranges being fetched or waiting to be
	// imported.
	syncWindow = 8
	// syncMemory bounds the memory those ranges hold: a range asks for
	// as many blocks as fit in syncMemory/syncWindow at the weight of the
	// blocks fetched last (a decoded transaction takes about 1 KiB, ten
	// times its encoding), so a chain of full blocks is fetched a few
	// blocks a range, not 32.
	syncMemory = 256 << 20
	// syncFirstWeight is the weight a block is assumed to have before
	// any has been fetched.
	syncFirstWeight = 8 << 20
	// syncInterval is how often sync looks at its peers' heads.
	syncInterval = time.Second
	// syncFetchTimeout bounds one range request.
	syncFetchTimeout = 20 * time.Second
	// syncLogEvery spaces the progress lines in the log.
	syncLogEvery = 5 * time.Second
	// badPeerFor is how long a peer that served a bad block is not asked.
	badPeerFor = 10 * time.Minute
	// syncStall: a node whose head has not moved for this long while a
	// peer reports a later finalized block fetches it, however near. A
	// node one block behind whose votes of that height were lost would
	// otherwise wait forever: the peers have moved on and no longer send
	// them, and with the node's power missing they may not advance either.
	syncStall = 3 * time.Second
)

// blockSync fetches finalized blocks this node is behind on from several
// peers at once, verifies each by its commit, and commits them in order,
// on its own goroutine: the consensus driver keeps running and is told
// (moved) when the head has jumped. How far behind the node is comes from
// peers' status answers; what it commits is only what verifies.
type blockSync struct {
	n     *Node
	tr    transport.Transport
	clock clock.Clock
	log   *slog.Logger
	kickc chan struct{}
	moved chan struct{}
	state atomic.Pointer[api.SyncStatus]
	runs  atomic.Uint64 // syncs that reported progress, for tests and logs

	// Owned by run's goroutine.
	bad     map[transport.PeerID]time.Time
	lastLog time.Time
	stall   stallWatch
}

// stallWatch tells how long the head has stayed where it is.
type stallWatch struct {
	head  uint64
	since time.Time
}

// stalled notes the head seen now and reports whether it has not moved
// for syncStall or longer.
func (w *stallWatch) stalled(head uint64, now time.Time) bool {
	if head != w.head || w.since.IsZero() {
		w.head, w.since = head, now
		return false
	}
	return now.Sub(w.since) >= syncStall
}

// syncTarget is where a round syncs to, or 0 for nowhere: the highest
// finalized height the peers report, once it is syncGap past the head;
// nearer, only when the driver kicked (it saw a commit it lacks a block
// for) or the head has stalled, and then at least the block after the
// head.
func syncTarget(head, reported uint64, peers int, kicked, stalled bool) uint64 {
	switch {
	case reported >= head+syncGap:
		return reported
	case peers == 0 || !(kicked || stalled && reported > head):
		return 0
	}
	return max(reported, head+1)
}

func newBlockSync(n *Node) *blockSync {
	return &blockSync{
		n: n, tr: n.tr, clock: n.cfg.Clock, log: n.cfg.Logger.With("part", "sync"),
		kickc: make(chan struct{}, 1), moved: make(chan struct{}, 1), bad: map[transport.PeerID]time.Time{},
	}
}

// kick asks for a sync round now: the driver saw a decision or messages
// it cannot follow from its head.
func (s *blockSync) kick() {
	if s == nil {
		return
	}
	select {
	case s.kickc <- struct{}{}:
	default:
	}
}

// Moved is signalled after sync committed blocks.
func (s *blockSync) Moved() <-chan struct{} { return s.moved }

// Status is sync's progress, nil when the node is in step with its peers.
func (s *blockSync) Status() *api.SyncStatus { return s.state.Load() }

// run syncs whenever peers are ahead, until ctx ends. It returns an error
// only when this node's store refuses a write.
func (s *blockSync) run(ctx context.Context) error {
	tick := make(chan struct{}, 1)
	arm := func() {
		s.clock.AfterFunc(syncInterval, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
		})
	}
	arm()
	for {
		kicked := false
		select {
		case <-ctx.Done():
			return nil
		case <-s.kickc:
			kicked = true
		case <-tick:
			arm()
		}
		if err := s.round(ctx, kicked); err != nil {
			return err
		}
	}
}

// round syncs to the highest head the peers report, if it is far enough
// ahead, or (kicked) to whatever the peers have after the head.
func (s *blockSync) round(ctx context.Context, kicked bool) error {
	head := s.n.chain.Head().Height()
	peers, reported := s.peers(head + 1)
	stalled := s.stall.stalled(head, s.clock.Now())
	target := syncTarget(head, reported, len(peers), kicked, stalled)
	if target < head+syncGap {
		s.state.Store(nil)
	}
	if target == 0 {
		return nil
	}
	imported, err := s.syncTo(ctx, target)
	if imported > 0 {
		s.signalMoved()
	}
	if now := s.n.chain.Head().Height(); now+syncGap > target {
		s.state.Store(nil)
	}
	return err
}

func (s *blockSync) signalMoved() {
	select {
	case s.moved <- struct{}{}:
	default:
	}
}

// peers are the peers to ask for heights from on: reachable, not in
// disgrace, those with the highest finalized height first; and the
// highest finalized height any of them reports.
func (s *blockSync) peers(from uint64) ([]transport.PeerInfo, uint64) {
	now := s.clock.Now()
	var out []transport.PeerInfo
	var target uint64
	for _, p := range s.tr.Peers() {
		if until, ok := s.bad[p.ID]; ok {
			if now.Before(until) {
				continue
			}
			delete(s.bad, p.ID)
		}
		out = append(out, p)
		target = max(target, p.Status.Finalized)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Status.Finalized > out[j].Status.Finalized })
	return out, target
}

// syncRange is a run of heights asked of one peer.
type syncRange struct {
	start uint64
	count int
}

type syncResult struct {
	r      syncRange
	peer   transport.PeerID
	blocks []transport.BlockWithCommit
	err    error
}

// syncTo fetches and commits blocks up to target, several ranges at a
// time from different peers, committing in height order as ranges
// arrive. It returns how many blocks it committed.
func (s *blockSync) syncTo(ctx context.Context, target uint64) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := s.n.chain.Head().Height()
	if target >= start+syncGap {
		s.state.Store(&api.SyncStatus{From: start, Current: start, Target: target})
		s.runs.Add(1)
		s.log.Info("syncing", "from", start, "target", target)
	}
	run := &syncRun{s: s, target: target, next: start + 1, done: map[uint64]syncResult{}, weight: syncFirstWeight,
		results: make(chan syncResult, syncWindow), busy: map[transport.PeerID]int{}, began: s.clock.Now()}
	return run.loop(ctx)
}

// syncRun is one syncTo in progress.
type syncRun struct {
	s        *blockSync
	target   uint64
	next     uint64                // first height not asked for yet
	todo     []syncRange           // ranges to ask again (a peer failed them)
	inflight int                   // ranges being fetched
	done     map[uint64]syncResult // fetched ranges by start, waiting their turn
	results  chan syncResult
	busy     map[transport.PeerID]int
	failed   map[transport.PeerID]bool // for this run: gave nothing or failed
	imported int
	txs      int
	began    time.Time
	weight   int // estimated bytes a fetched block holds in memory
}

// blockWeight estimates the memory a decoded block holds.
func blockWeight(b *chain.Block) int {
	if b == nil {
		return 0
	}
	return 2<<10 + len(b.Txs)<<10
}

// rangeSize is how many blocks a new range asks for at weight bytes a
// block: at least one, at most syncBatch.
func rangeSize(weight int) int {
	return max(1, min(syncBatch, syncMemory/syncWindow/max(weight, 1)))
}

// weigh takes the weight of the blocks just fetched as the estimate for
// the next ranges.
func (r *syncRun) weigh(blocks []transport.BlockWithCommit) {
	total := 0
	for _, bc := range blocks {
		total += blockWeight(bc.Block)
	}
	r.weight = total / len(blocks)
}

func (r *syncRun) loop(ctx context.Context) (int, error) {
	r.failed = map[transport.PeerID]bool{}
	for r.s.n.chain.Head().Height() < r.target {
		r.ask(ctx)
		if r.inflight == 0 {
			break // nobody left to ask
		}
		var res syncResult
		select {
		case <-ctx.Done():
			return r.imported, nil
		case res = <-r.results:
		}
		r.inflight--
		r.busy[res.peer]--
		if res.err != nil || len(res.blocks) == 0 {
			r.s.log.Debug("sync range failed", "peer", res.peer, "from", res.r.start, "err", res.err)
			r.failed[res.peer] = true
			r.todo = append(r.todo, res.r)
			continue
		}
		r.weigh(res.blocks)
		if n := len(res.blocks); n < res.r.count {
			r.todo = append(r.todo, syncRange{res.r.start + uint64(n), res.r.count - n})
		}
		r.done[res.r.start] = res
		if err := r.commitReady(); err != nil {
			return r.imported, err
		}
		r.s.progress(r)
	}
	return r.imported, nil
}

// ask starts fetches while the window has room and some peer can serve
// the next range.
func (r *syncRun) ask(ctx context.Context) {
	for r.inflight+len(r.done) < syncWindow {
		rg, ok := r.nextRange()
		if !ok {
			return
		}
		peer, ok := r.pick(rg.start)
		if !ok {
			r.todo = append(r.todo, rg)
			return
		}
		r.inflight++
		r.busy[peer]++
		go func() {
			fctx, cancel := context.WithTimeout(ctx, syncFetchTimeout)
			defer cancel()
			blocks, err := r.s.tr.FetchBlocks(fctx, peer, rg.start, rg.count)
			r.results <- syncResult{r: rg, peer: peer, blocks: blocks, err: err}
		}()
	}
}

// nextRange is the lowest range to ask for: a failed one again, or the
// next new one.
func (r *syncRun) nextRange() (syncRange, bool) {
	if len(r.todo) > 0 {
		sort.Slice(r.todo, func(i, j int) bool { return r.todo[i].start < r.todo[j].start })
		rg := r.todo[0]
		r.todo = r.todo[1:]
		return rg, true
	}
	if r.next > r.target {
		return syncRange{}, false
	}
	n := min(uint64(rangeSize(r.weight)), r.target-r.next+1)
	rg := syncRange{r.next, int(n)}
	r.next += n
	return rg, true
}

// pick is the least busy peer that reports having height from and has
// not failed this run.
func (r *syncRun) pick(from uint64) (transport.PeerID, bool) {
	peers, _ := r.s.peers(from)
	var best transport.PeerID
	found := false
	for _, p := range peers {
		if r.failed[p.ID] || (p.Status.Finalized < from && r.target >= from+syncGap) {
			continue
		}
		if !found || r.busy[p.ID] < r.busy[best] {
			best, found = p.ID, true
		}
	}
	return best, found
}

// commitReady commits the fetched ranges that follow the head, in order.
// A block that does not verify sends its peer into disgrace and its range
// back to be asked of another.
func (r *syncRun) commitReady() error {
	for {
		head := r.s.n.chain.Head().Height()
		res, ok := r.findFrom(head + 1)
		if !ok {
			return nil
		}
		for i, bc := range res.blocks {
			if bc.Block == nil || bc.Block.Header == nil || bc.Block.Height() <= r.s.n.chain.Head().Height() {
				continue // consensus committed it meanwhile
			}
			err := r.s.n.ImportFinalized(bc.Block, bc.Commit)
			switch {
			case err == nil:
				r.imported++
				r.txs += len(bc.Block.Txs)
				continue
			case errors.Is(err, ErrNotNext):
				continue
			case errors.Is(err, ErrBadBlock):
				r.s.disgrace(res.peer, err)
				r.failed[res.peer] = true
				// The rest of what this peer sent is not to be trusted
				// either (a short answer's tail is already queued).
				r.todo = append(r.todo, syncRange{bc.Block.Height(), len(res.blocks) - i})
			default:
				return err
			}
			break
		}
		r.s.signalMoved()
	}
}

// findFrom takes the fetched range holding height h.
func (r *syncRun) findFrom(h uint64) (syncResult, bool) {
	for start, res := range r.done {
		if start <= h && h < start+uint64(len(res.blocks)) {
			delete(r.done, start)
			return res, true
		}
		if start+uint64(len(res.blocks)) <= h {
			delete(r.done, start) // wholly committed by consensus meanwhile
		}
	}
	return syncResult{}, false
}

// disgrace scores a peer down for a bad block and stops asking it.
func (s *blockSync) disgrace(p transport.PeerID, err error) {
	s.log.Warn("peer served a block that does not verify", "peer", p, "err", err)
	s.tr.Penalize(p, err.Error())
	s.bad[p] = s.clock.Now().Add(badPeerFor)
}

// progress updates the sync status and logs a line every few seconds.
func (s *blockSync) progress(r *syncRun) {
	head := s.n.chain.Head().Height()
	if st := s.state.Load(); st != nil {
		s.state.Store(&api.SyncStatus{From: st.From, Current: head, Target: max(st.Target, r.target)})
	}
	now := s.clock.Now()
	if now.Sub(s.lastLog) < syncLogEvery && head < r.target {
		return
	}
	s.lastLog = now
	secs := now.Sub(r.began).Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	s.log.Info("sync progress", "height", head, "target", r.target, "blocks", r.imported,
		"blocks/s", int(float64(r.imported)/secs), "tx/s", int(float64(r.txs)/secs))
}
