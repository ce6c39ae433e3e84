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
		return errors.New("import: block and commit are required")
	}
	if b.Height() != head.Height()+1 {
		return fmt.Errorf("import block %d on head %d: %w", b.Height(), head.Height(), ErrNotNext)
	}
	set, chainID := c.Validators(), c.ChainID()
	if err := consensus.VerifyProposer(set, chainID, b.Header, head.Header.VRFOutput); err != nil {
		return fmt.Errorf("import block %d: %w", b.Height(), err)
	}
	if err := commit.Verify(chainID, set, b.Height(), b.Hash()); err != nil {
		return fmt.Errorf("import block %d: %w", b.Height(), err)
	}
	if head.Height() > 0 {
		if b.LastCommit == nil {
			return fmt.Errorf("import block %d: no commit for its parent", b.Height())
		}
		if err := b.LastCommit.Verify(chainID, set, head.Height(), head.Hash()); err != nil {
			return fmt.Errorf("import block %d: last commit: %w", b.Height(), err)
		}
	}
	res, err := c.Execute(b)
	if err != nil {
		return fmt.Errorf("import block %d: %w", b.Height(), err)
	}
	if err := c.Commit(b, res, commit); err != nil {
		return fmt.Errorf("import block %d: %w", b.Height(), err)
	}
	n.committed(b, nil)
	return nil
}
