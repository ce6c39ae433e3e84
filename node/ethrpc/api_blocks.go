package ethrpc

import (
	"errors"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// GetBlockByNumber is eth_getBlockByNumber: null past the head; pending is
// the header of the next block, without transactions.
func (api *ethAPI) GetBlockByNumber(n rpc.BlockNumber, full bool) (*rpcBlock, error) {
	if n == rpc.PendingBlockNumber {
		return api.b.pendingBlock(), nil
	}
	blk, err := api.b.blockByNumber(n)
	if err != nil || blk == nil {
		return nil, err
	}
	return api.b.marshalBlock(blk, full)
}

// GetBlockByHash is eth_getBlockByHash: null for a hash no block has.
func (api *ethAPI) GetBlockByHash(hash common.Hash, full bool) (*rpcBlock, error) {
	blk, err := api.b.blockByHash(hash)
	if err != nil || blk == nil {
		return nil, err
	}
	return api.b.marshalBlock(blk, full)
}

// GetBlockTransactionCountByNumber is
// eth_getBlockTransactionCountByNumber (0 for pending, null past the head).
func (api *ethAPI) GetBlockTransactionCountByNumber(n rpc.BlockNumber) (*hexutil.Uint, error) {
	if n == rpc.PendingBlockNumber {
		return new(hexutil.Uint), nil
	}
	blk, err := api.b.blockByNumber(n)
	return txCount(blk, err)
}

// GetBlockTransactionCountByHash is eth_getBlockTransactionCountByHash.
func (api *ethAPI) GetBlockTransactionCountByHash(hash common.Hash) (*hexutil.Uint, error) {
	return txCount(api.b.blockByHash(hash))
}

func txCount(blk *chain.Block, err error) (*hexutil.Uint, error) {
	if err != nil || blk == nil {
		return nil, err
	}
	n := hexutil.Uint(len(blk.Txs))
	return &n, nil
}

// GetUncleCountByBlockNumber is eth_getUncleCountByBlockNumber: 0, a
// Cairn block has no uncles (null past the head).
func (api *ethAPI) GetUncleCountByBlockNumber(n rpc.BlockNumber) (*hexutil.Uint, error) {
	if n == rpc.PendingBlockNumber {
		return new(hexutil.Uint), nil
	}
	blk, err := api.b.blockByNumber(n)
	return uncleCount(blk, err)
}

// GetUncleCountByBlockHash is eth_getUncleCountByBlockHash: 0.
func (api *ethAPI) GetUncleCountByBlockHash(hash common.Hash) (*hexutil.Uint, error) {
	return uncleCount(api.b.blockByHash(hash))
}

func uncleCount(blk *chain.Block, err error) (*hexutil.Uint, error) {
	if err != nil || blk == nil {
		return nil, err
	}
	return new(hexutil.Uint), nil
}

// GetUncleByBlockNumberAndIndex is eth_getUncleByBlockNumberAndIndex:
// always null.
func (api *ethAPI) GetUncleByBlockNumberAndIndex(rpc.BlockNumber, hexutil.Uint) *rpcBlock { return nil }

// GetUncleByBlockHashAndIndex is eth_getUncleByBlockHashAndIndex: always
// null.
func (api *ethAPI) GetUncleByBlockHashAndIndex(common.Hash, hexutil.Uint) *rpcBlock { return nil }

// GetTransactionByHash is eth_getTransactionByHash: an included
// transaction, else a pooled one (with null block fields), else null.
func (api *ethAPI) GetTransactionByHash(hash common.Hash) (*rpcTx, error) {
	lk, err := api.b.lookupTx(hash)
	if err != nil || lk != nil {
		if lk == nil {
			return nil, err
		}
		return api.b.marshalTx(lk.Tx, lk.Block, lk.Index), nil
	}
	if e, ok := api.b.pool.Lookup(hash); ok {
		return api.b.marshalTx(e.Tx, nil, 0), nil
	}
	// It may have left the pool for a block between the two lookups.
	if lk, err = api.b.lookupTx(hash); err != nil || lk == nil {
		return nil, err
	}
	return api.b.marshalTx(lk.Tx, lk.Block, lk.Index), nil
}

// GetRawTransactionByHash is eth_getRawTransactionByHash: the binary
// encoding of an included or pooled transaction, or null.
func (api *ethAPI) GetRawTransactionByHash(hash common.Hash) (*hexutil.Bytes, error) {
	lk, err := api.b.lookupTx(hash)
	if err != nil {
		return nil, err
	}
	var tx *types.Transaction
	if lk != nil {
		tx = lk.Tx
	} else if e, ok := api.b.pool.Lookup(hash); ok {
		tx = e.Tx
	} else {
		return nil, nil
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return nil, internal("encode transaction", err)
	}
	return (*hexutil.Bytes)(&raw), nil
}

// GetTransactionByBlockHashAndIndex is
// eth_getTransactionByBlockHashAndIndex: null if either is out of range.
func (api *ethAPI) GetTransactionByBlockHashAndIndex(hash common.Hash, index hexutil.Uint) (*rpcTx, error) {
	blk, err := api.b.blockByHash(hash)
	return api.b.txAt(blk, err, int(index))
}

// GetTransactionByBlockNumberAndIndex is
// eth_getTransactionByBlockNumberAndIndex.
func (api *ethAPI) GetTransactionByBlockNumberAndIndex(n rpc.BlockNumber, index hexutil.Uint) (*rpcTx, error) {
	blk, err := api.b.blockByNumber(n)
	return api.b.txAt(blk, err, int(index))
}

func (b *backend) txAt(blk *chain.Block, err error, index int) (*rpcTx, error) {
	if err != nil || blk == nil || index >= len(blk.Txs) {
		return nil, err
	}
	return b.marshalTx(blk.Txs[index], blk, index), nil
}

// GetTransactionReceipt is eth_getTransactionReceipt: null for a
// transaction not (yet) in a block.
func (api *ethAPI) GetTransactionReceipt(hash common.Hash) (*rpcReceipt, error) {
	lk, err := api.b.lookupTx(hash)
	if err != nil || lk == nil {
		return nil, err
	}
	return api.b.marshalReceipt(lk.Block, lk.Index, lk.Receipt)
}

// GetBlockReceipts is eth_getBlockReceipts: every receipt of a block, or
// null past the head or for an unknown hash.
func (api *ethAPI) GetBlockReceipts(p rpc.BlockNumberOrHash) ([]*rpcReceipt, error) {
	blk, err := api.b.stateBlock(p)
	if errors.Is(err, errHeaderNotFound) || errors.Is(err, errBlockHashNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rs, err := api.b.chain.Receipts(blk)
	if err != nil {
		return nil, internal("load receipts", err)
	}
	out := make([]*rpcReceipt, len(rs))
	for i, r := range rs {
		if out[i], err = api.b.marshalReceipt(blk, i, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lookupTx finds an included transaction; nil, nil if none has the hash.
func (b *backend) lookupTx(hash common.Hash) (*chain.TxLookup, error) {
	lk, err := b.chain.Transaction(hash)
	if errors.Is(err, chain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internal("look up transaction", err)
	}
	return lk, nil
}
