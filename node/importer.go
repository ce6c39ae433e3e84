package node

import (
	"errors"
	"fmt"

	"cairn/chain"
	"cairn/node/consensus"
)

// ErrNotNext is returned when a block offered for import does not follow
// the head (a gap or one already committed).
var ErrNotNext = errors.New("block does not follow the head")

// ErrBadBlock wraps every reason ImportFinalized refuses a block that
// follows the head: whoever sent it is not to be trusted. Other errors
// are this node's own (its store refused the write).
var ErrBadBlock = errors.New("bad finalized block")

// ImportFinalized verifies and commits a block finalized elsewhere, with
// the commit certificate that finalized it: how a node that missed blocks
// catches up. It checks, against this node's own validator set, that the
// proposer was the one chosen and its beacon proof is right, that the
// commit carries more than 2/3 of the voting power for exactly this block,
// that the block's last commit finalized our head, and then re-executes
// the block before committing it. Nothing changes if any check fails.
func (n *Node) ImportFinalized(b *chain.Block, commit *chain.Commit) error {
	c := n.chain
	head := c.Head()
	if b == nil || b.Header == nil || commit == nil {
		return fmt.Errorf("import: %w: block and commit are required", ErrBadBlock)
	}
	if b.Height() != head.Height()+1 {
		return fmt.Errorf("import block %d on head %d: %w", b.Height(), head.Height(), ErrNotNext)
	}
	if err := n.verifyFinalized(head, b, commit); err != nil {
		return fmt.Errorf("import block %d: %w: %w", b.Height(), ErrBadBlock, err)
	}
	res, err := c.Execute(b)
	if err != nil {
		if c.Head() != head {
			return fmt.Errorf("import block %d: %w", b.Height(), ErrNotNext)
		}
		return fmt.Errorf("import block %d: %w: %w", b.Height(), ErrBadBlock, err)
	}
	if err := n.commitBlock(b, res, commit, nil); err != nil {
		if errors.Is(err, chain.ErrHeadMoved) {
			return fmt.Errorf("import block %d: %w", b.Height(), ErrNotNext)
		}
		return fmt.Errorf("import block %d: %w", b.Height(), err)
	}
	return nil
}

// verifyFinalized checks who proposed and who finalized b on head.
func (n *Node) verifyFinalized(head, b *chain.Block, commit *chain.Commit) error {
	set, chainID := n.chain.Validators(), n.chain.ChainID()
	if err := consensus.VerifyProposer(set, chainID, b.Header, head.Header.VRFOutput); err != nil {
		return err
	}
	if err := commit.Verify(chainID, set, b.Height(), b.Hash()); err != nil {
		return err
	}
	// The block's last commit is checked when it is executed.
	return nil
}

// commitBlock commits an executed block and tells the node's parts. Block
// sync and consensus both commit; one lock keeps their commits, and what
// subscribers hear of them, in height order.
func (n *Node) commitBlock(b *chain.Block, res *chain.Executed, commit *chain.Commit, dropped []chain.Dropped) error {
	s, err := n.sealBlock(b, res, commit, dropped)
	if err != nil {
		return err
	}
	return n.writeSealed(s)
}

// sealBlock begins committing an executed block (chain.Seal) and moves the
// mempool to its state at once, so that a block built on it while it is
// written is not offered what it included. writeSealed must follow.
func (n *Node) sealBlock(b *chain.Block, res *chain.Executed, commit *chain.Commit, dropped []chain.Dropped) (*chain.Sealed, error) {
	n.commitMu.Lock()
	s, err := n.chain.Seal(b, res, commit)
	if err != nil {
		n.commitMu.Unlock()
		return nil, err
	}
	for _, d := range dropped {
		n.pool.Remove(d.Tx.Hash(), d.Reason)
	}
	if st, err := s.State(); err != nil {
		n.cfg.Logger.Error("open state of a sealed block", "height", b.Height(), "err", err)
	} else {
		n.pool.Update(headState{st}, n.chain.NextBaseFee(b.Header))
	}
	return s, nil
}

// writeSealed writes a block sealBlock sealed and, once it is the head,
// tells the node's parts.
func (n *Node) writeSealed(s *chain.Sealed) error {
	defer n.commitMu.Unlock()
	if err := s.Write(); err != nil {
		return err
	}
	n.committed(s.Block())
	return nil
}
