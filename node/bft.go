package node

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/clock"
	"cairn/node/consensus"
	"cairn/node/consensus/engine"
	"cairn/node/consensus/wal"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
)

// WALPath is where a home keeps its consensus write-ahead log.
func WALPath(home string) string { return filepath.Join(home, "data", "consensus.wal") }

// Bounds on what the driver keeps for peers.
const (
	maxCachedBlocks = 64 // proposed blocks of the current and next height
	maxEvidence     = 32 // conflicting-vote pairs waiting for a block
	maxServedBehind = 64 // heights whose commit was sent to a peer behind
)

// bftEngine is the driver of the Tendermint engine (consensusEngine): one
// goroutine (Run) owns the engine.Engine and does its IO. It logs every
// input to the consensus WAL before the engine sees it and this
// validator's own signed messages before they leave, signs through a
// SignGuard whose state is on disk, builds and validates blocks on the
// chain, commits what the engine finalizes, paces heights to the block
// time, and catches up from peers when it finds itself behind.
type bftEngine struct {
	n         *Node
	key       ed25519.PrivateKey // nil for a follower
	self      common.Address     // zero for a follower
	tr        transport.Transport
	wal       *wal.WAL
	walRecs   [][]byte // what the WAL held at open, for Restore
	cfg       engine.Config
	blockTime time.Duration
	clock     clock.Clock
	log       *slog.Logger
	status    atomic.Pointer[api.ConsensusStatus]
	closed    atomic.Bool
	// restored is the height Run resumed from the WAL (0: started afresh).
	restored atomic.Uint64
	// begun is closed once Run has caught up and started or restored the
	// engine.
	begun chan struct{}

	// Owned by Run's goroutine.
	eng      *engine.Engine
	blocks   map[common.Hash]*candidateBlock
	asked    map[common.Hash]uint64 // blocks the engine wants judged, by hash → height
	proposed map[proposalKey]common.Hash
	evidence []chain.Evidence
	late     lateSigs             // precommits heard after a commit formed
	filling  map[common.Hash]bool // compact proposals being filled in
	// servedBehind is when each height's commit last went to peers behind.
	servedBehind map[uint64]time.Time
	heightStart  time.Time
	pace         clock.Stopper
	paceNext     *engine.HeightParams
	paceGen      uint64
	paced        chan uint64 // the pacing timer of that generation fired
	timers       chan engine.TimeoutEvent
	filled       chan filledBlock
	done         chan struct{}
	prebuilt     *prebuilt     // the next height's proposal, being built
	lastWrite    time.Duration // how long the last block took to write
	// prebuiltUsed counts the proposals that were built while the block
	// before was written.
	prebuiltUsed atomic.Uint64
	// alwaysLate makes prebuild take every height as late (for tests,
	// which cannot make a height late on time).
	alwaysLate bool
}

// proposalKey is a round this validator built a block for.
type proposalKey struct {
	height uint64
	round  uint32
}

// candidateBlock is a proposed block and, once run, its execution result.
type candidateBlock struct {
	block   *chain.Block
	exec    *chain.Executed
	dropped []chain.Dropped // own proposals: what the mempool should forget
}

// newBFTEngine opens the consensus WAL and the sign guard of n.
func newBFTEngine(n *Node) (*bftEngine, error) {
	w, recs, torn, err := wal.Open(WALPath(n.cfg.Home))
	if err != nil {
		return nil, fmt.Errorf("open consensus WAL: %w", err)
	}
	log := n.cfg.Logger.With("part", "consensus")
	if torn > 0 {
		log.Warn("consensus WAL: dropped a torn last record", "bytes", torn)
	}
	d := &bftEngine{
		n: n, tr: n.tr, wal: w, walRecs: recs, blockTime: n.cfg.BlockTime, clock: n.cfg.Clock, log: log,
		blocks: map[common.Hash]*candidateBlock{}, asked: map[common.Hash]uint64{}, proposed: map[proposalKey]common.Hash{},
		filling: map[common.Hash]bool{}, servedBehind: map[uint64]time.Time{}, paced: make(chan uint64, 1), timers: make(chan engine.TimeoutEvent, 64),
		filled: make(chan filledBlock, 16), done: make(chan struct{}), begun: make(chan struct{}),
	}
	var signer engine.Signer
	var proposals engine.ProposalSource
	if n.cfg.ValidatorKey != nil {
		guard, err := engine.NewSignGuard(n.cfg.ValidatorKey, signStateFile{SignStatePath(n.cfg.Home)})
		if err != nil {
			w.Close()
			return nil, err
		}
		d.key, signer, proposals = n.cfg.ValidatorKey, guard, d
		if self := n.self.Load(); self != nil {
			d.self = self.Address
		}
	}
	d.cfg = engine.DefaultConfig(n.chain.ChainID(), d.self, signer, proposals)
	if t := n.chain.Params().Consensus; t.ProposeMs > 0 && t.VoteMs > 0 {
		d.cfg.TimeoutPropose = time.Duration(t.ProposeMs) * time.Millisecond
		d.cfg.TimeoutPrevote = time.Duration(t.VoteMs) * time.Millisecond
		d.cfg.TimeoutPrecommit = d.cfg.TimeoutPrevote
		d.cfg.TimeoutDelta = time.Duration(t.DeltaMs) * time.Millisecond
		d.cfg.ResendInterval = 2 * d.cfg.TimeoutPrevote
	}
	d.status.Store(d.statusAfter(n.chain.Head()))
	return d, nil
}

// statusAfter is the status of a height not begun yet: round 0 of the one
// after head.
func (d *bftEngine) statusAfter(head *chain.Block) *api.ConsensusStatus {
	set := d.n.chain.Validators()
	st := &api.ConsensusStatus{Height: head.Height() + 1, Step: engine.StepPropose.String()}
	if v := consensus.ProposerFor(set, head.Header.VRFOutput, 0); v != nil {
		addr := v.Address
		st.Proposer = &addr
	}
	for _, v := range set.Validators {
		st.Validators = append(st.Validators, api.ValidatorVotes{Address: v.Address, Name: v.Name, Power: v.Power})
	}
	return st
}

// HeadCommitted implements consensusEngine: the status moves past b at
// once, before the engine starts the next height.
func (d *bftEngine) HeadCommitted(b *chain.Block) {
	for {
		old := d.status.Load()
		if old.Height > b.Height() {
			return
		}
		if d.status.CompareAndSwap(old, d.statusAfter(b)) {
			return
		}
	}
}

// close releases the WAL once Run has returned.
func (d *bftEngine) close() error {
	if d.closed.Swap(true) {
		return nil
	}
	return d.wal.Close()
}

// Status implements consensusEngine.
func (d *bftEngine) Status() api.ConsensusStatus { return *d.status.Load() }

// Run drives the engine until ctx ends. It returns an error only when the
// node cannot go on safely: its WAL or chain refuses a write.
func (d *bftEngine) Run(ctx context.Context) error {
	defer close(d.done)
	defer d.endPrebuild()
	if err := d.begin(ctx); err != nil {
		return err
	}
	close(d.begun)
	var msgs <-chan transport.Message
	var moved <-chan struct{}
	if d.tr != nil {
		msgs = d.tr.Messages()
	}
	if d.n.sync != nil {
		moved = d.n.sync.Moved()
	}
	for {
		if err := d.drain(ctx); err != nil {
			return err
		}
		d.publishStatus()
		select {
		case <-ctx.Done():
			d.stopPace()
			return nil
		case m, ok := <-msgs:
			if !ok {
				msgs = nil
				continue
			}
			if err := d.onNet(ctx, m); err != nil {
				return err
			}
		case f := <-d.filled:
			if err := d.onFilled(f); err != nil {
				return err
			}
		case <-moved:
			if err := d.onHeadMoved(); err != nil {
				return err
			}
		case ev := <-d.timers:
			if err := d.onTimeout(ev); err != nil {
				return err
			}
		case gen := <-d.paced:
			if gen != d.paceGen || d.paceNext == nil {
				continue // a pacing timer replaced or stopped since
			}
			if err := d.startNext(); err != nil {
				return err
			}
		}
	}
}

// onHeadMoved restarts the engine on the new head once block sync has
// committed the height it was deciding.
func (d *bftEngine) onHeadMoved() error {
	if d.n.chain.Head().Height() < d.eng.Status().Height {
		return nil
	}
	return d.restart()
}

// begin restores the engine from the WAL if it was deciding the height
// after the head, or starts that height anew. Block sync, on its own
// goroutine, catches the head up with peers meanwhile.
func (d *bftEngine) begin(ctx context.Context) error {
	if d.n.sync != nil {
		d.n.sync.kick()
	}
	d.heightStart = d.clock.Now()
	recs, blocks, err := decodeWAL(d.walRecs)
	d.walRecs = nil
	if err != nil {
		d.log.Warn("consensus WAL unreadable; starting the height afresh (the sign guard still prevents double signing)", "err", err)
		return d.restart()
	}
	head := d.n.chain.Head().Height()
	var start *engine.HeightParams
	for _, r := range recs {
		if r.Start != nil {
			start = r.Start
		}
	}
	if start == nil || start.Height != head+1 {
		return d.restart()
	}
	for _, b := range blocks {
		if b.Height() == head+1 {
			d.blocks[b.Hash()] = &candidateBlock{block: b}
			if d.self != (common.Address{}) && b.Header.Proposer == d.self {
				d.proposed[proposalKey{b.Height(), b.Header.Round}] = b.Hash()
			}
		}
	}
	eng, err := engine.Restore(d.cfg, recs)
	if err != nil {
		d.log.Warn("restore consensus from WAL failed; starting the height afresh", "err", err)
		return d.restart()
	}
	d.eng = eng
	d.restored.Store(start.Height)
	d.log.Info("consensus restored from WAL", "height", start.Height, "records", len(recs))
	return nil
}

// params are the engine's parameters for the height after the head.
func (d *bftEngine) params() engine.HeightParams {
	head := d.n.chain.Head()
	return engine.HeightParams{Height: head.Height() + 1, Validators: d.n.chain.Validators(), PrevBeta: head.Header.VRFOutput, Self: d.learnSelf()}
}

// learnSelf returns this node's validator address, looking it up while
// the node's consensus key is not known to be registered: a validator
// created while the node runs becomes its identity from the next height.
func (d *bftEngine) learnSelf() common.Address {
	if d.self != (common.Address{}) || d.key == nil {
		return d.self
	}
	self := d.n.identify(d.key)
	if self == nil {
		return common.Address{}
	}
	d.self, d.cfg.Self = self.Address, self.Address
	d.n.self.Store(self)
	d.log.Info("consensus key registered: this node validates as its operator from the epoch it joins the set", "operator", self.Address)
	return d.self
}

// restart starts a fresh engine at the height after the head: after block
// sync moved the head, or when the WAL is of a height already committed.
func (d *bftEngine) restart() error {
	p := d.params()
	if err := d.resetWAL(p); err != nil {
		return err
	}
	eng, err := engine.New(d.cfg, p)
	if err != nil {
		return fmt.Errorf("start consensus at %d: %w", p.Height, err)
	}
	d.eng = eng
	d.stopPace()
	d.keepBlocksAbove(p.Height - 1)
	d.asked = map[common.Hash]uint64{}
	d.proposed = map[proposalKey]common.Hash{}
	d.heightStart = d.clock.Now()
	return nil
}

// resetWAL empties the WAL and logs the start of height p.
func (d *bftEngine) resetWAL(p engine.HeightParams) error {
	if err := d.wal.Reset(); err != nil {
		return fmt.Errorf("reset consensus WAL: %w", err)
	}
	return d.append(startEntry(p))
}

func (d *bftEngine) append(e walEntry) error {
	data, err := encodeWAL(e)
	if err != nil {
		return err
	}
	if err := d.wal.Append(data); err != nil {
		return fmt.Errorf("consensus WAL: %w", err)
	}
	return nil
}

func (d *bftEngine) appendBlock(b *chain.Block) error {
	raw, err := b.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode block %d: %w", b.Height(), err)
	}
	return d.append(walEntry{Block: raw})
}

func (d *bftEngine) keepBlocksAbove(height uint64) {
	for h, cb := range d.blocks {
		if cb.block.Height() <= height {
			delete(d.blocks, h)
		}
	}
}

// publishStatus stores the engine's status for readers on other
// goroutines, unless a commit has already moved it past the engine's
// height (the engine starts the next height only when pacing says).
func (d *bftEngine) publishStatus() {
	st := d.eng.Status()
	old := d.status.Load()
	if old.Height > st.Height {
		return
	}
	out := &api.ConsensusStatus{Height: st.Height, Round: st.Round, Step: st.Step.String()}
	if st.Decided {
		out.Step = "commit"
	}
	if st.Proposer != (common.Address{}) {
		p := st.Proposer
		out.Proposer = &p
	}
	set := d.eng.Validators()
	for i, v := range d.eng.Votes() {
		out.Validators = append(out.Validators, api.ValidatorVotes{
			Address: v.Validator, Name: set.Validators[i].Name, Power: set.Validators[i].Power,
			Prevote: v.Prevote, Precommit: v.Precommit,
		})
	}
	d.status.CompareAndSwap(old, out) // lost only to a commit, which is newer
}

func (d *bftEngine) stopPace() {
	if d.pace != nil {
		d.pace.Stop()
	}
	d.paceGen++
	d.paceNext = nil
}

// startNext starts the height the pacing timer was waiting for.
func (d *bftEngine) startNext() error {
	p := *d.paceNext
	d.paceNext = nil
	// The height starts now, before NewHeight: a lone validator proposes,
	// votes and may even finalize inside that call, and pacing from its end
	// would stretch every height by the time the block took to build.
	d.heightStart = d.clock.Now()
	if err := d.eng.NewHeight(p); err != nil {
		return fmt.Errorf("start height %d: %w", p.Height, err)
	}
	return nil
}
