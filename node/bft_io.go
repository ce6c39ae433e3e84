package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"cairn/chain"
	"cairn/node/consensus"
	"cairn/node/consensus/engine"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
)

// drain handles the engine's Ready until it has nothing more, in the order
// engine's package comment gives: persist own messages, send, arm timers,
// validate, commit, serve peers that are behind, keep evidence, log errors.
func (d *bftEngine) drain(ctx context.Context) error {
	for d.eng.HasReady() {
		rd := d.eng.Ready()
		// Advance first: the inputs given below (ProposalValid) make new
		// outputs, which the next turn of the loop handles.
		d.eng.Advance()
		for _, m := range rd.Persist {
			// A new block of our own went to the WAL when Propose built it.
			if err := d.append(walEntry{Own: &m}); err != nil {
				return err
			}
		}
		for _, o := range rd.Messages {
			d.send(o.Message)
		}
		for _, t := range rd.Timers {
			d.arm(t)
		}
		// Messages of the new height that came early: logged under its
		// Start (written when the last height was committed), then given
		// to the engine again.
		for _, m := range rd.Requeue {
			if err := d.append(walEntry{Message: &m}); err != nil {
				return err
			}
			if err := d.eng.Step(m); err != nil {
				d.log.Debug("requeued consensus message refused", "msg", m, "err", err)
			}
		}
		for _, ref := range rd.Validate {
			d.asked[ref.Hash] = ref.Height
			if err := d.tryValidate(ref.Hash); err != nil {
				return err
			}
		}
		for _, c := range rd.Commits {
			if err := d.apply(ctx, c); err != nil {
				return err
			}
		}
		for _, b := range rd.Behind {
			d.serveBehind(b)
		}
		for _, ev := range rd.Evidence {
			if len(d.evidence) < maxEvidence {
				d.evidence = append(d.evidence, ev)
			}
			d.log.Warn("conflicting votes", "validator", ev.VoteA.Validator, "height", ev.VoteA.Height, "round", ev.VoteA.Round)
		}
		for _, err := range rd.Errors {
			d.log.Warn("consensus", "err", err)
		}
	}
	return nil
}

// send broadcasts a message; a proposal goes with its block so receivers
// can validate it.
func (d *bftEngine) send(m engine.Message) {
	if d.tr == nil {
		return
	}
	var b *chain.Block
	if m.Proposal != nil {
		if cb := d.blocks[m.Proposal.BlockHash]; cb != nil {
			b = cb.block
		}
	}
	data, err := encodeWire(m, b)
	if err != nil {
		d.log.Error("encode consensus message", "msg", m, "err", err)
		return
	}
	if m.Proposal != nil && b != nil {
		d.n.wire.sentProposal(b, len(data))
	}
	if err := d.tr.Broadcast(transport.TopicConsensus, data); err != nil {
		d.log.Debug("broadcast", "err", err)
	}
}

// arm fires ev into the loop after the timer's duration. Timers are never
// cancelled; the engine ignores stale ones.
func (d *bftEngine) arm(t engine.Timer) {
	ev := t.Event()
	d.clock.AfterFunc(t.Duration, func() {
		select {
		case d.timers <- ev:
		case <-d.done:
		}
	})
}

func (d *bftEngine) onTimeout(ev engine.TimeoutEvent) error {
	st := d.eng.Status()
	if st.Decided || ev.Height != st.Height || ev.Round != st.Round {
		return nil // stale: the engine would ignore it, so it need not be logged
	}
	if err := d.append(walEntry{Timeout: &ev}); err != nil {
		return err
	}
	d.eng.Timeout(ev)
	return nil
}

// onNet handles one consensus message from a peer, checked and decoded
// by validateConsensus (on the transport's goroutines).
func (d *bftEngine) onNet(ctx context.Context, m transport.Message) error {
	if m.Topic != transport.TopicConsensus {
		return nil
	}
	in, ok := m.Decoded.(*inbound)
	if !ok {
		// A transport that delivers without validators: check here.
		verdict, dec := d.n.validateConsensus(m.From, m.Data)
		if verdict != transport.Accept {
			return nil
		}
		in = dec.(*inbound)
	}
	msg := in.Msg
	h := msg.Height()
	if msg.Vote != nil {
		d.late.note(msg.Vote, d.n.chain.Head().Height())
	}
	if st := d.eng.Status(); h >= d.n.chain.Head().Height()+3 || (st.Decided && st.Height > d.n.chain.Head().Height()) {
		// Peers finalized at least two heights this node has not, or this
		// node saw a decision whose block it lacks: block sync fetches the
		// blocks (verified) rather than wait for votes that are gone.
		d.n.sync.kick()
	}
	blk := in.Block
	if in.Compact != nil && d.wantBlock(in.Compact.skeleton) {
		filled, err := d.startFill(ctx, m.From, in.Compact)
		if err != nil {
			return err
		}
		blk = filled
	}
	if blk != nil {
		if err := d.keepBlock(blk); err != nil {
			return err
		}
	}
	if st := d.eng.Status(); h >= st.Height || msg.Commit != nil {
		// Messages of finalized heights only mark their sender as behind,
		// which a restart need not replay.
		if err := d.append(walEntry{Message: &msg}); err != nil {
			return err
		}
	}
	if err := d.eng.Step(msg); err != nil {
		d.log.Debug("consensus message refused", "from", m.From, "msg", msg, "err", err)
	}
	if blk != nil {
		return d.tryValidate(blk.Hash())
	}
	return nil
}

// wantBlock reports whether a proposed or committed block is one this
// node would keep: of the next two heights, new, and with room for it.
func (d *bftEngine) wantBlock(b *chain.Block) bool {
	head := d.n.chain.Head().Height()
	h := b.Height()
	return h > head && h <= head+2 && d.blocks[b.Hash()] == nil && len(d.blocks) < maxCachedBlocks
}

// keepBlock logs a block a peer sent and keeps it for validation and
// commit, and for peers filling in the same compact proposal.
func (d *bftEngine) keepBlock(b *chain.Block) error {
	if !d.wantBlock(b) {
		return nil
	}
	if err := d.appendBlock(b); err != nil {
		return err
	}
	d.blocks[b.Hash()] = &candidateBlock{block: b}
	d.n.proposals.put(b)
	return nil
}

// Propose implements engine.ProposalSource: it builds, executes and keeps
// a block on the head for round, with the beacon proof, the head's commit
// and waiting evidence. The block is in the WAL before Propose returns,
// and asked again for the same round, also after a restart, Propose
// returns the same block.
func (d *bftEngine) Propose(height uint64, round uint32) (common.Hash, error) {
	key := proposalKey{height, round}
	if h, ok := d.proposed[key]; ok && d.blocks[h] != nil {
		return h, nil
	}
	parent := d.n.chain.Head()
	if parent.Height()+1 != height {
		return common.Hash{}, fmt.Errorf("propose %d: head is %d", height, parent.Height())
	}
	start := d.clock.Now()
	var b *chain.Block
	var res *chain.Executed
	var dropped []chain.Dropped
	pb := d.takePrebuilt(key, parent.Hash())
	if pb != nil {
		b, res, dropped = pb.block, pb.exec, pb.dropped
		d.prebuiltUsed.Add(1)
	} else {
		var err error
		if b, res, dropped, err = d.build(height, round, parent); err != nil {
			return common.Hash{}, err
		}
	}
	if err := d.appendBlock(b); err != nil {
		return common.Hash{}, fmt.Errorf("propose %d/%d: %w", height, round, err)
	}
	d.blocks[b.Hash()] = &candidateBlock{block: b, exec: res, dropped: dropped}
	d.proposed[key] = b.Hash()
	d.n.proposals.put(b)
	d.log.Debug("proposed", "height", height, "round", round, "txs", len(b.Txs), "prebuilt", pb != nil, "took", d.clock.Now().Sub(start))
	return b.Hash(), nil
}

// build builds and executes a block on parent, the head, for round, with
// the beacon proof, the head's commit and waiting evidence.
func (d *bftEngine) build(height uint64, round uint32, parent *chain.Block) (*chain.Block, *chain.Executed, []chain.Dropped, error) {
	c := d.n.chain
	var lastCommit *chain.Commit
	var signers *chain.ValidatorSet
	if parent.Height() > 0 {
		var err error
		if lastCommit, err = c.CommitAt(parent.Height()); err != nil {
			return nil, nil, nil, fmt.Errorf("propose %d: commit of the head: %w", height, err)
		}
		if signers, err = c.ValidatorsAt(parent.Height()); err != nil {
			return nil, nil, nil, fmt.Errorf("propose %d: %w", height, err)
		}
	}
	p, err := d.proposal(height, round, parent, lastCommit, signers, d.clock.Now())
	if err != nil {
		return nil, nil, nil, err
	}
	b, res, dropped, err := c.Propose(p, d.n.pool.Select(c.NextBaseFee(parent.Header)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("propose %d/%d: %w", height, round, err)
	}
	return b, res, dropped, nil
}

// proposal is what this validator decides before it fills a block on
// parent for round: the beacon proof, the parent's commit (signed by
// signers) with the late precommits heard since, waiting evidence, the
// time stamped (at least stamp) and a deadline 60% of a block time from
// now.
func (d *bftEngine) proposal(height uint64, round uint32, parent *chain.Block, lastCommit *chain.Commit, signers *chain.ValidatorSet, stamp time.Time) (chain.Proposal, error) {
	c := d.n.chain
	beta, pi, err := consensus.ProveBeacon(d.key, c.ChainID(), height, parent.Header.VRFOutput)
	if err != nil {
		return chain.Proposal{}, fmt.Errorf("propose %d: %w", height, err)
	}
	if lastCommit != nil {
		lastCommit = d.late.extend(lastCommit, signers, c.ChainID())
	}
	return chain.Proposal{
		Proposer: d.self, Round: round, Time: max(uint64(stamp.UnixMilli()), parent.Header.Time+1),
		VRFOutput: beta, VRFProof: pi, LastCommit: lastCommit, Evidence: slices.Clone(d.evidence),
		TxTimeBound: d.n.cfg.TxTimeBound, Deadline: d.clock.Now().Add(d.blockTime * 6 / 10),
	}, nil
}

// tryValidate judges a block the engine asked about, once its body is
// here, logs the verdict and gives it to the engine.
func (d *bftEngine) tryValidate(hash common.Hash) error {
	height, asked := d.asked[hash]
	cb := d.blocks[hash]
	if !asked || cb == nil {
		return nil
	}
	delete(d.asked, hash)
	ok := true
	if err := d.validate(height, cb); err != nil {
		ok = false
		d.log.Warn("invalid proposed block", "height", height, "hash", hash, "err", err)
	}
	if err := d.append(walEntry{Valid: &engine.Validity{Height: height, Hash: hash, OK: ok}}); err != nil {
		return err
	}
	d.eng.ProposalValid(height, hash, ok)
	return nil
}

// validate checks a proposed block fully: the chosen proposer and its
// beacon proof, the commit of the head it carries, and its execution,
// whose result is kept for the commit.
func (d *bftEngine) validate(height uint64, cb *candidateBlock) error {
	if cb.exec != nil {
		return nil
	}
	c := d.n.chain
	head := c.Head()
	b := cb.block
	if b.Height() != height || height != head.Height()+1 {
		return fmt.Errorf("block %d is not the next on head %d", b.Height(), head.Height())
	}
	set, chainID := c.Validators(), c.ChainID()
	if err := consensus.VerifyProposer(set, chainID, b.Header, head.Header.VRFOutput); err != nil {
		return err
	}
	// Execute checks the last commit: it decides who is paid for the parent.
	start := d.clock.Now()
	res, err := c.Execute(b)
	if err != nil {
		return err
	}
	cb.exec = res
	d.log.Debug("validated", "height", height, "txs", len(b.Txs), "took", d.clock.Now().Sub(start))
	return nil
}

// apply commits a block the engine finalized, then logs the next height's
// start and paces it to the block time.
func (d *bftEngine) apply(ctx context.Context, commit *chain.Commit) error {
	c := d.n.chain
	head := c.Head()
	if commit.Height <= head.Height() {
		return nil // applied before a restart
	}
	cb := d.blocks[commit.BlockHash]
	if commit.Height != head.Height()+1 || cb == nil {
		// Finalized without this node holding the block: block sync
		// fetches it.
		d.n.sync.kick()
		return nil
	}
	if cb.exec == nil {
		res, err := c.Execute(cb.block)
		if err != nil {
			return fmt.Errorf("execute finalized block %d: %w", commit.Height, err)
		}
		cb.exec = res
	}
	if err := commit.Verify(c.ChainID(), c.Validators(), commit.Height, commit.BlockHash); err != nil {
		return fmt.Errorf("finalized block %d: %w", commit.Height, err)
	}
	start := d.clock.Now()
	sealed, err := d.n.sealBlock(cb.block, cb.exec, commit, cb.dropped)
	if err != nil {
		if errors.Is(err, chain.ErrHeadMoved) {
			// Block sync committed this height first.
			return d.restart()
		}
		return fmt.Errorf("commit finalized block %d: %w", commit.Height, err)
	}
	d.forgetEvidence(cb.block.Evidence)
	d.prebuild(sealed, commit)
	if err := d.timeWrite(func() error { return d.n.writeSealed(sealed) }); err != nil {
		return fmt.Errorf("commit finalized block %d: %w", commit.Height, err)
	}
	d.log.Debug("finalized", "height", commit.Height, "round", commit.Round, "sigs", len(commit.Signatures),
		"since start", d.clock.Now().Sub(d.heightStart), "commit took", d.clock.Now().Sub(start), "write took", d.lastWrite)
	d.keepBlocksAbove(commit.Height)
	d.asked = map[common.Hash]uint64{}
	d.proposed = map[proposalKey]common.Hash{}
	next := d.params()
	if err := d.resetWAL(next); err != nil {
		return err
	}
	d.schedule(next)
	return nil
}

// schedule starts height p one block time after the last one started.
func (d *bftEngine) schedule(p engine.HeightParams) {
	wait := d.heightStart.Add(d.blockTime).Sub(d.clock.Now())
	if wait < 0 {
		wait = 0
	}
	d.stopPace()
	d.paceNext = &p
	gen := d.paceGen
	d.pace = d.clock.AfterFunc(wait, func() {
		select {
		case d.paced <- gen:
		case <-d.done:
		}
	})
}

func (d *bftEngine) forgetEvidence(included []chain.Evidence) {
	if len(included) == 0 {
		return
	}
	key := func(e chain.Evidence) string {
		return fmt.Sprintf("%x/%x", e.VoteA.SignBytes(d.cfg.ChainID), e.VoteB.SignBytes(d.cfg.ChainID))
	}
	done := map[string]bool{}
	for _, e := range included {
		done[key(e)] = true
	}
	kept := d.evidence[:0]
	for _, e := range d.evidence {
		if !done[key(e)] {
			kept = append(kept, e)
		}
	}
	d.evidence = kept
}

// serveBehind sends a validator that is still voting on a finalized
// height that height's commit: with it the validator decides, and block
// sync fetches the block if it lacks it. Most such votes are only late
// (sent just before their validator committed too), so the commit goes
// without the block, and each height is served at most once a block time.
func (d *bftEngine) serveBehind(b engine.Behind) {
	if d.tr == nil {
		return
	}
	now := d.clock.Now()
	if last, ok := d.servedBehind[b.Height]; ok && now.Sub(last) < d.blockTime {
		return
	}
	c, err := d.n.chain.CommitAt(b.Height)
	if err != nil {
		return
	}
	data, err := encodeWire(engine.Message{Commit: c}, nil)
	if err != nil {
		d.log.Error("encode commit for a peer behind", "height", b.Height, "err", err)
		return
	}
	if len(d.servedBehind) >= maxServedBehind {
		clear(d.servedBehind)
	}
	d.servedBehind[b.Height] = now
	d.tr.Broadcast(transport.TopicConsensus, data)
}
