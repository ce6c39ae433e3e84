package node

import (
	"context"
	"errors"
	"fmt"

	"cairn/node/transport"
)

// CatchUp fetches, verifies and commits the blocks after the head that
// reachable peers have finalized, until none has the next one. It returns
// how many blocks it imported. A block that fails verification stops it
// with the error: the peer that sent it is not to be trusted.
func (n *Node) CatchUp(ctx context.Context, tr transport.Transport) (int, error) {
	imported := 0
	for {
		next := n.chain.Head().Height() + 1
		b, c, err := tr.FetchBlock(ctx, next)
		if errors.Is(err, transport.ErrNoPeerHasIt) {
			return imported, nil
		}
		if err != nil {
			return imported, fmt.Errorf("catch up at %d: %w", next, err)
		}
		if err := n.ImportFinalized(b, c); err != nil {
			return imported, fmt.Errorf("catch up: %w", err)
		}
		imported++
	}
}
