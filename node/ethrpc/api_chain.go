package ethrpc

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// ethAPI is the eth_ namespace. Its methods are spread over the files of
// this package by subject: chain, blocks, state, calls, fees, logs,
// filters, subscriptions.
type ethAPI struct{ b *backend }

// ChainId is eth_chainId.
func (api *ethAPI) ChainId() *hexutil.Big { return (*hexutil.Big)(api.b.chain.ChainID()) }

// BlockNumber is eth_blockNumber: the head's height.
func (api *ethAPI) BlockNumber() hexutil.Uint64 { return hexutil.Uint64(api.b.chain.Head().Height()) }

// syncProgress is eth_syncing's answer while block sync runs.
type syncProgress struct {
	StartingBlock hexutil.Uint64 `json:"startingBlock"`
	CurrentBlock  hexutil.Uint64 `json:"currentBlock"`
	HighestBlock  hexutil.Uint64 `json:"highestBlock"`
}

// Syncing is eth_syncing: false, or block sync's progress.
func (api *ethAPI) Syncing() any {
	st := api.b.cfg.Syncing()
	if st == nil {
		return false
	}
	return &syncProgress{StartingBlock: hexutil.Uint64(st.Starting), CurrentBlock: hexutil.Uint64(st.Current), HighestBlock: hexutil.Uint64(st.Highest)}
}

// Accounts is eth_accounts: the node holds no keys for clients, so none.
func (api *ethAPI) Accounts() []common.Address { return []common.Address{} }

// Mining is eth_mining: blocks are proposed by validators, not mined.
func (api *ethAPI) Mining() bool { return false }

// Hashrate is eth_hashrate: zero, there is no proof of work.
func (api *ethAPI) Hashrate() hexutil.Uint64 { return 0 }

// bigOf converts a non-nil *big.Int for JSON.
func bigOf(v *big.Int) *hexutil.Big { return (*hexutil.Big)(new(big.Int).Set(v)) }
