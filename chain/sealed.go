package chain

import (
	"errors"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
)

// Sealed is a finalized block on its way to the store: its state is
// committed in memory, so the next block can be built on it while Write
// puts it on disk. The head stays its parent until Write returns; what the
// store answers about the sealed block, it answers only after that.
type Sealed struct {
	c      *Chain
	block  *Block
	res    *Executed
	commit *Commit

	once sync.Once // gives the commit turn back once
}

// errSealEnded is returned by a Sealed used after Write or Abort.
var errSealEnded = errors.New("sealed block already written or abandoned")

// Seal begins committing b, executed by Propose or Execute on the current
// head, with the commit that finalized it: it commits the block's state in
// memory and checks its root. Seal takes the chain's commit turn; nothing
// else commits until Write or Abort gives it back, and one of them must be
// called.
func (c *Chain) Seal(b *Block, res *Executed, commit *Commit) (*Sealed, error) {
	c.commitMu.Lock()
	head := c.Head()
	if res.parent != head.Hash() || b.Header.ParentHash != head.Hash() {
		c.commitMu.Unlock()
		return nil, fmt.Errorf("commit block %d: %w", b.Height(), ErrHeadMoved)
	}
	if err := c.commitState(b, res); err != nil {
		// The trie store may hold part of the state: the next commit must
		// not write it.
		c.store.kv.reset()
		c.commitMu.Unlock()
		return nil, err
	}
	return &Sealed{c: c, block: b, res: res, commit: commit}, nil
}

// Block is the sealed block.
func (s *Sealed) Block() *Block { return s.block }

// State opens the sealed block's state, for readers that must see it
// before it is the head (the mempool, to drop what the block included).
func (s *Sealed) State() (*state.StateDB, error) {
	return s.c.state.Open(s.block.Header.StateRoot)
}

// NextValidators is the set that validates the block after the sealed one.
func (s *Sealed) NextValidators() *ValidatorSet {
	return s.res.next(s.c.Validators())
}

// Propose builds the block after the sealed one, as Chain.Propose builds
// on the head. It is safe to call while Write runs on another goroutine,
// and only until the block after is committed.
func (s *Sealed) Propose(p Proposal, txs TxSource) (*Block, *Executed, []Dropped, error) {
	parent := s.block
	hashAt := func(height uint64) common.Hash {
		if height == parent.Height() {
			return parent.Hash() // not in the store until Write
		}
		return s.c.hashAt(height)
	}
	return s.c.propose(parent, s.NextValidators(), hashAt, p, txs)
}

// Write puts the sealed block, its receipts and commit on disk in one store
// transaction, makes it the head and gives the commit turn back.
func (s *Sealed) Write() error {
	err := errSealEnded
	s.once.Do(func() {
		defer s.c.commitMu.Unlock()
		err = s.c.writeBlock(s.block, s.res, s.commit)
	})
	return err
}

// Abort gives the commit turn back without writing the block; the state
// committed in memory is forgotten.
func (s *Sealed) Abort() {
	s.once.Do(func() {
		s.c.store.kv.reset()
		s.c.commitMu.Unlock()
	})
}
