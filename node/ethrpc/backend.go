package ethrpc

import (
	"math/big"

	"cairn/chain"
	"cairn/node/events"
	"cairn/node/mempool"
	"cairn/vm"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
)

// Chain is what the endpoint reads of the finalized chain; *chain.Chain
// implements it.
type Chain interface {
	ChainID() *big.Int
	Params() chain.Params
	Head() *chain.Block
	BlockByHeight(height uint64) (*chain.Block, error)
	BlockByHash(hash common.Hash) (*chain.Block, error)
	Receipts(b *chain.Block) ([]*types.Receipt, error)
	Transaction(hash common.Hash) (*chain.TxLookup, error)
	StateAt(h *chain.Header) (*state.StateDB, error)
	BlockEnv(h *chain.Header) vm.BlockEnv
	PendingHeader() *chain.Header
	NextBaseFee(parent *chain.Header) *big.Int
	Blooms(from, to uint64, fn func(height uint64, bloom *types.Bloom) (bool, error)) error
	Executor() *vm.Executor
	Signer() types.Signer
}

// Pool is the mempool as the endpoint uses it; *mempool.Pool implements it.
type Pool interface {
	// AddRaw admits a signed transaction as REST's POST /v1/txs does.
	AddRaw(raw []byte) (*types.Transaction, error)
	Lookup(hash common.Hash) (mempool.Entry, bool)
	PendingNonce(addr common.Address) uint64
}

// Bus is the node's event bus; *events.Bus implements it.
type Bus interface {
	Subscribe(buffer int) *events.Subscription
}

// SyncStatus is block sync's progress, for eth_syncing.
type SyncStatus struct {
	Starting, Current, Highest uint64
}
