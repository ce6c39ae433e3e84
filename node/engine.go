package node

import (
	"context"

	"cairn/node/api"
)

// consensusEngine decides which blocks the node commits; bftEngine is the
// one a node runs.
type consensusEngine interface {
	Run(ctx context.Context) error
	// Status is where the engine stands: the height it is deciding, the
	// round and step, and that round's proposer.
	Status() api.ConsensusStatus
}
