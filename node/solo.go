package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/consensus"

	"github.com/ethereum/go-ethereum/common"
)

// consensusEngine decides which blocks the node commits. soloEngine is the one for a
// chain with a single validator; the BFT engine takes its place for more.
type consensusEngine interface {
	Run(ctx context.Context) error
	// Status is where the engine stands: the height it is deciding, the
	// round and step, and that round's proposer.
	Status() api.ConsensusStatus
}

// blockSource is what an engine fills blocks from: the mempool's
// price-and-nonce order at a base fee.
type blockSource func(baseFee *big.Int) chain.TxSource

// soloEngine proposes and finalizes every block of a one-validator chain on
// its own: pick the proposer by stake and beacon (trivially itself), prove
// the next beacon, fill and execute the block, sign the precommit that makes
// the commit, and commit.
type soloEngine struct {
	chain       *chain.Chain
	key         ed25519.PrivateKey
	self        common.Address
	blockTime   time.Duration
	txTimeBound time.Duration
	txs         blockSource
	committed   func(b *chain.Block, dropped []chain.Dropped)
	log         *slog.Logger
	now         func() time.Time
}

// Run proposes a block every blockTime until ctx ends.
func (e *soloEngine) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		start := e.now()
		if err := e.produce(start); err != nil {
			e.log.Error("block production failed; retrying next interval", "height", e.chain.Head().Height()+1, "err", err)
		}
		timer.Reset(time.Until(start.Add(e.blockTime)))
	}
}

// errNotProposer means another validator was chosen: a single-validator
// engine cannot make progress on such a chain.
var errNotProposer = errors.New("this node is not the chosen proposer")

func (e *soloEngine) produce(start time.Time) error {
	parent := e.chain.Head()
	height := parent.Height() + 1
	set := e.chain.Validators()
	prevBeta := parent.Header.VRFOutput
	if p := consensus.ProposerFor(set, prevBeta, 0); p == nil || p.Address != e.self {
		return errNotProposer
	}
	chainID := e.chain.ChainID()
	beta, pi, err := consensus.ProveBeacon(e.key, chainID, height, prevBeta)
	if err != nil {
		return err
	}
	lastCommit, err := e.lastCommit(parent)
	if err != nil {
		return err
	}
	b, res, dropped, err := e.chain.Propose(chain.Proposal{
		Proposer: e.self, Time: uint64(start.UnixMilli()), VRFOutput: beta, VRFProof: pi,
		LastCommit: lastCommit, TxTimeBound: e.txTimeBound, Deadline: start.Add(e.blockTime * 6 / 10),
	}, e.txs(e.chain.NextBaseFee(parent.Header)))
	if err != nil {
		return fmt.Errorf("build block %d: %w", height, err)
	}
	vote := &chain.Vote{Type: chain.Precommit, Height: height, BlockHash: b.Hash(), Validator: e.self}
	vote.Sign(chainID, e.key)
	commit := &chain.Commit{Height: height, BlockHash: b.Hash(),
		Signatures: []chain.CommitSig{{Validator: e.self, Signature: vote.Signature}}}
	if err := commit.Verify(chainID, set, height, b.Hash()); err != nil {
		return fmt.Errorf("finalize block %d: %w", height, err)
	}
	if err := e.chain.Commit(b, res, commit); err != nil {
		return err
	}
	e.committed(b, dropped)
	return nil
}

// Status implements consensusEngine: a lone validator is always proposing the next
// height in round 0.
func (e *soloEngine) Status() api.ConsensusStatus {
	head := e.chain.Head()
	st := api.ConsensusStatus{Height: head.Height() + 1, Step: "propose"}
	if p := consensus.ProposerFor(e.chain.Validators(), head.Header.VRFOutput, 0); p != nil {
		addr := p.Address
		st.Proposer = &addr
	}
	return st
}

func (e *soloEngine) lastCommit(parent *chain.Block) (*chain.Commit, error) {
	if parent.Height() == 0 {
		return nil, nil
	}
	c, err := e.chain.CommitAt(parent.Height())
	if err != nil {
		return nil, fmt.Errorf("commit of block %d: %w", parent.Height(), err)
	}
	return c, nil
}
