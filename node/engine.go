package node

import (
	"context"

	"cairn/chain"
	"cairn/node/api"
)

// consensusEngine decides which blocks the node commits; bftEngine is the
// one a node runs.
type consensusEngine interface {
	Run(ctx context.Context) error
	// Status is where the engine stands: the height it is deciding, the
	// round and step, and that round's proposer.
	Status() api.ConsensusStatus
	// HeadCommitted tells the engine a block was committed, before anyone
	// else hears of it, so that Status never lags the head it reports on.
	HeadCommitted(b *chain.Block)
}
