package node

import (
	"time"

	"cairn/chain"
	"cairn/node/consensus"

	"github.com/ethereum/go-ethereum/common"
)

// prebuilt is this validator's proposal for the first round of the height
// after a block being written, built on another goroutine meanwhile:
// under load, writing a block and building the next are the two longest
// steps of a height, and they need not wait for each other.
type prebuilt struct {
	key    proposalKey
	parent common.Hash
	done   chan struct{} // closed when the fields below are set

	block   *chain.Block
	exec    *chain.Executed
	dropped []chain.Dropped
	err     error
}

// prebuild starts building the proposal for the height after sealed when
// this validator proposes its first round and the height would be due
// before the write is likely done: a node that is keeping to its block
// time builds when the height starts, as before, and so takes in the
// transactions that arrive until then.
func (d *bftEngine) prebuild(sealed *chain.Sealed, commit *chain.Commit) {
	d.endPrebuild()
	parent := sealed.Block()
	height := parent.Height() + 1
	next := sealed.NextValidators()
	if d.key == nil || d.self == (common.Address{}) {
		return
	}
	if v := consensus.ProposerFor(next, parent.Header.VRFOutput, 0); v == nil || v.Address != d.self {
		return
	}
	now := d.clock.Now()
	due := d.heightStart.Add(d.blockTime)
	if now.Add(d.lastWrite).Before(due) && !d.alwaysLate {
		return
	}
	// The block is stamped when its height is due, not earlier: the time
	// a proposer building at the start of the height would give it.
	c := d.n.chain
	p, err := d.proposal(height, 0, parent, commit, c.Validators(), later(now, due))
	if err != nil {
		d.log.Warn("prebuild proposal", "height", height, "err", err)
		return
	}
	txs := d.n.pool.Select(c.NextBaseFee(parent.Header))
	pb := &prebuilt{key: proposalKey{height, 0}, parent: parent.Hash(), done: make(chan struct{})}
	d.prebuilt = pb
	go func() {
		defer close(pb.done)
		pb.block, pb.exec, pb.dropped, pb.err = sealed.Propose(p, txs)
	}()
}

// takePrebuilt returns the prebuilt proposal for key on parent, waiting
// for it to be done, or nil if there is none (or it failed: the caller
// builds afresh).
func (d *bftEngine) takePrebuilt(key proposalKey, parent common.Hash) *prebuilt {
	pb := d.prebuilt
	if pb == nil || pb.key != key || pb.parent != parent {
		return nil
	}
	d.endPrebuild()
	if pb.err != nil {
		d.log.Warn("prebuilt proposal failed; building again", "height", key.height, "err", pb.err)
		return nil
	}
	return pb
}

// endPrebuild waits for a prebuilt proposal still being built and forgets
// it: one is built at a time, and never past the engine's run.
func (d *bftEngine) endPrebuild() {
	if d.prebuilt == nil {
		return
	}
	<-d.prebuilt.done
	d.prebuilt = nil
}

// timeWrite measures how long writing a sealed block takes, for prebuild's
// guess at the next one.
func (d *bftEngine) timeWrite(write func() error) error {
	start := d.clock.Now()
	err := write()
	d.lastWrite = d.clock.Now().Sub(start)
	return err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
