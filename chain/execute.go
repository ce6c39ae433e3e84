package chain

import (
	"errors"
	"fmt"
	"time"

	"cairn/chain/staking"
	"cairn/vm"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
)

// Executed is a block's execution result, kept between executing a block
// and committing it so the block never runs twice.
type Executed struct {
	parent   common.Hash
	state    *state.StateDB
	nextSet  *ValidatorSet // the set the block chose; nil if the set stays
	Receipts []*types.Receipt
	GasUsed  uint64
	Root     common.Hash
	Bloom    types.Bloom
}

// TxSource yields transactions for a new block in the order to try them:
// the mempool's price-and-nonce selection.
type TxSource interface {
	// Peek returns the next transaction to try, or nil when done.
	Peek() *types.Transaction
	// Shift accepts the peeked transaction; the same sender's next one
	// becomes a candidate.
	Shift()
	// Pop skips the rest of the peeked transaction's sender.
	Pop()
}

// Proposal is what a proposer decides before it fills a block.
type Proposal struct {
	Proposer   common.Address
	Round      uint32
	Time       uint64 // unix milliseconds; must be after the parent's
	VRFOutput  []byte
	VRFProof   []byte
	LastCommit *Commit
	Evidence   []Evidence
	// TxTimeBound cuts off a transaction that runs longer (0: no bound).
	TxTimeBound time.Duration
	// Deadline stops adding transactions once passed (zero: no deadline).
	Deadline time.Time
}

// Dropped is a transaction a proposer left out and that should leave the
// mempool, with the reason.
type Dropped struct {
	Tx     *types.Transaction
	Reason string
}

// env is the EVM's view of a block built on parent.
func (c *Chain) env(h *Header) vm.BlockEnv {
	return vm.BlockEnv{
		// Fees go to the staking contract, which shares them with the
		// signers of the block's commit; COINBASE reads its address.
		Number: h.Height, Time: h.TimeSeconds(), TimeMs: h.Time, Coinbase: staking.Address,
		GasLimit: h.GasLimit, BaseFee: h.BaseFee, Random: h.Random(),
		GetHash: c.hashAt,
	}
}

// hashAt is BLOCKHASH's answer: the hash of the block at height, from
// the anchor's headers on a node that started from a snapshot after it.
func (c *Chain) hashAt(height uint64) common.Hash {
	h, _, err := c.store.headerAt(height)
	if err != nil {
		return common.Hash{}
	}
	return h.Hash()
}

// Propose builds the next block on the head: it runs transactions from txs
// until the block is full or the deadline passes, and returns the block,
// its execution result (for Commit) and the transactions to drop from the
// mempool.
func (c *Chain) Propose(p Proposal, txs TxSource) (*Block, *Executed, []Dropped, error) {
	parent := c.Head()
	set, err := c.ValidatorsAt(parent.Height() + 1)
	if err != nil {
		return nil, nil, nil, err
	}
	return c.propose(parent, set, c.hashAt, p, txs)
}

// propose builds a block on parent, validated by set; hashAt answers
// BLOCKHASH. The parent's validator set must be ValidatorsAt's answer for
// its height: the head's, or the one after the head while parent is the
// block being written.
func (c *Chain) propose(parent *Block, set *ValidatorSet, hashAt func(uint64) common.Hash, p Proposal, txs TxSource) (*Block, *Executed, []Dropped, error) {
	if err := c.checkLastCommit(parent, p.LastCommit); err != nil {
		return nil, nil, nil, fmt.Errorf("propose: %w", err)
	}
	evidence, offences := c.validEvidence(parent.Height()+1, p.Evidence)
	h := &Header{
		ParentHash: parent.Hash(), Height: parent.Height() + 1, Time: p.Time,
		Proposer: p.Proposer, Round: p.Round, GasLimit: c.genesis.Params.GasLimit,
		BaseFee: c.NextBaseFee(parent.Header), VRFOutput: p.VRFOutput, VRFProof: p.VRFProof,
		ValidatorsHash: set.Hash(), LastCommitHash: CommitHash(p.LastCommit),
		EvidenceHash: EvidenceHash(evidence),
	}
	if h.Time <= parent.Header.Time {
		h.Time = parent.Header.Time + 1
	}
	st, err := c.state.Open(parent.Header.StateRoot)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := c.beginBlock(st, parent, h, p.LastCommit, offences); err != nil {
		return nil, nil, nil, err
	}
	env := c.env(h)
	env.GetHash = hashAt
	run := c.exec.NewBlockRun(st, env)
	var dropped []Dropped
	for tx := txs.Peek(); tx != nil; tx = txs.Peek() {
		if !p.Deadline.IsZero() && time.Now().After(p.Deadline) {
			break
		}
		if run.GasLeft() < 21000 {
			break
		}
		if tx.Gas() > run.GasLeft() {
			txs.Pop()
			continue
		}
		if _, err := run.ApplyBounded(tx, p.TxTimeBound); err != nil {
			dropped = append(dropped, Dropped{Tx: tx, Reason: err.Error()})
			txs.Pop()
			continue
		}
		txs.Shift()
	}
	b := &Block{Header: h, Txs: run.Txs(), LastCommit: p.LastCommit, Evidence: evidence}
	res, err := c.finish(parent, b, run, set)
	if err != nil {
		return nil, nil, nil, err
	}
	h.StateRoot, h.ReceiptRoot, h.Bloom, h.GasUsed = res.Root, ReceiptRoot(res.Receipts), res.Bloom, res.GasUsed
	h.TxRoot = TxRoot(b.Txs)
	h.NextValidatorsHash = res.next(set).Hash()
	return b, res, dropped, nil
}

// finish ends a block's execution: the staking work after the
// transactions, then the state root. set is the block's validator set.
func (c *Chain) finish(parent *Block, b *Block, run *vm.BlockRun, set *ValidatorSet) (*Executed, error) {
	st := run.State()
	receipts := run.Receipts()
	nextSet := c.endBlock(st, b.Header, run.Txs(), receipts)
	root := st.IntermediateRoot(c.exec.Rules(ptr(c.env(b.Header))))
	// A failed state read (a damaged trie node) reads as a zero value and
	// would give a wrong root: an error, never a block.
	if err := st.Error(); err != nil {
		return nil, fmt.Errorf("execute block %d: read state: %w", b.Height(), err)
	}
	return &Executed{
		parent: parent.Hash(), state: st, nextSet: nextSet, Receipts: receipts, GasUsed: run.GasUsed(),
		Root: root, Bloom: types.CreateBloom(&types.Receipt{Logs: allLogs(receipts)}),
	}, nil
}

// next is the set that validates the block after this one.
func (e *Executed) next(set *ValidatorSet) *ValidatorSet {
	if e.nextSet != nil {
		return e.nextSet
	}
	return set
}

func ptr[T any](v T) *T { return &v }

func allLogs(receipts []*types.Receipt) []*types.Log {
	var logs []*types.Log
	for _, r := range receipts {
		logs = append(logs, r.Logs...)
	}
	return logs
}

// ErrInvalidBlock wraps every reason a block is refused.
var ErrInvalidBlock = errors.New("invalid block")

// ErrHeadMoved is returned by Commit for a block executed on a head that
// another commit has since replaced (block sync and consensus both commit).
var ErrHeadMoved = errors.New("executed on another head")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidBlock, fmt.Sprintf(format, args...))
}

// Execute validates b as the next block on the head and runs its
// transactions. It checks everything the block commits to except who
// proposed it and who voted for it, which consensus checks. It is never
// bounded by a clock: every node must reach the same verdict.
func (c *Chain) Execute(b *Block) (*Executed, error) {
	parent := c.Head()
	set, err := c.ValidatorsAt(parent.Height() + 1)
	if err != nil {
		return nil, err
	}
	if err := c.checkHeader(parent, b, set); err != nil {
		return nil, err
	}
	if err := c.checkLastCommit(parent, b.LastCommit); err != nil {
		return nil, err
	}
	offences, err := c.offences(b.Height(), b.Evidence)
	if err != nil {
		return nil, err
	}
	st, err := c.state.Open(parent.Header.StateRoot)
	if err != nil {
		return nil, err
	}
	if err := c.beginBlock(st, parent, b.Header, b.LastCommit, offences); err != nil {
		return nil, err
	}
	// A block from a peer holds transactions decoded afresh: recover their
	// senders on every core first (a failed one fails in Apply below).
	vm.RecoverSenders(c.exec.Signer(), b.Txs)
	run := c.exec.NewBlockRun(st, c.env(b.Header))
	for i, tx := range b.Txs {
		if _, err := run.Apply(tx); err != nil {
			return nil, invalid("transaction %d (%s): %v", i, tx.Hash(), err)
		}
	}
	res, err := c.finish(parent, b, run, set)
	if err != nil {
		return nil, err
	}
	h := b.Header
	switch {
	case res.GasUsed != h.GasUsed:
		return nil, invalid("gas used %d, header says %d", res.GasUsed, h.GasUsed)
	case res.Root != h.StateRoot:
		return nil, invalid("state root %x, header says %x", res.Root, h.StateRoot)
	case ReceiptRoot(res.Receipts) != h.ReceiptRoot:
		return nil, invalid("receipt root mismatch")
	case res.Bloom != h.Bloom:
		return nil, invalid("logs bloom mismatch")
	case res.next(set).Hash() != h.NextValidatorsHash:
		return nil, invalid("next validator set hash mismatch")
	}
	return res, nil
}

func (c *Chain) checkHeader(parent *Block, b *Block, set *ValidatorSet) error {
	h := b.Header
	switch {
	case h.Height != parent.Height()+1:
		return invalid("height %d does not follow head %d", h.Height, parent.Height())
	case h.ParentHash != parent.Hash():
		return invalid("parent %x is not the head %x", h.ParentHash, parent.Hash())
	case h.Time <= parent.Header.Time:
		return invalid("time %d is not after the parent's %d", h.Time, parent.Header.Time)
	case h.GasLimit != c.genesis.Params.GasLimit:
		return invalid("gas limit %d, want %d", h.GasLimit, c.genesis.Params.GasLimit)
	case h.BaseFee == nil || h.BaseFee.Cmp(c.NextBaseFee(parent.Header)) != 0:
		return invalid("base fee %v, want %v", h.BaseFee, c.NextBaseFee(parent.Header))
	case h.ValidatorsHash != set.Hash():
		return invalid("validator set hash mismatch")
	case h.ValidatorsHash != parent.Header.NextValidatorsHash:
		return invalid("validator set is not the one the parent named")
	case h.TxRoot != TxRoot(b.Txs):
		return invalid("transactions root mismatch")
	case h.LastCommitHash != CommitHash(b.LastCommit):
		return invalid("last commit hash mismatch")
	case h.EvidenceHash != EvidenceHash(b.Evidence):
		return invalid("evidence hash mismatch")
	case set.ByAddress(h.Proposer) == nil:
		return invalid("proposer %s is not a validator", h.Proposer)
	}
	return nil
}

// Commit makes b, executed by Propose or Execute on the current head, the
// new head, with the commit that finalized it. State, block, receipts and
// head are written in one store transaction. Readers of the head are not
// held up while the state is flushed and the store syncs, only for the
// swap. Seal and Write do the same in two steps.
func (c *Chain) Commit(b *Block, res *Executed, commit *Commit) error {
	s, err := c.Seal(b, res, commit)
	if err != nil {
		return err
	}
	return s.Write()
}

// commitState commits an executed block's state into the trie store's
// memory (written to disk by writeBlock) and checks its root.
func (c *Chain) commitState(b *Block, res *Executed) error {
	rules := c.exec.Rules(ptr(c.env(b.Header)))
	root, err := c.state.Commit(res.state, rules, b.Height())
	if err != nil {
		return err
	}
	if root != b.Header.StateRoot {
		return fmt.Errorf("commit block %d: state root %x, header says %x", b.Height(), root, b.Header.StateRoot)
	}
	return nil
}

// writeBlock writes a block whose state commitState committed, in one
// store transaction, and makes it the head.
func (c *Chain) writeBlock(b *Block, res *Executed, commit *Commit) error {
	if err := c.store.writeBlock(b, commit, res.Receipts, false, res.nextSet); err != nil {
		return err
	}
	c.setHead(b, res)
	return nil
}

// setHead makes b, executed as res, the head, with the validator set it
// chose for the next height.
func (c *Chain) setHead(b *Block, res *Executed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.head = b
	if res.nextSet != nil {
		c.next = res.nextSet
	}
}
