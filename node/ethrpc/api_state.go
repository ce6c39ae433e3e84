package ethrpc

import (
	"encoding/hex"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/rpc"
)

// openState opens the state after the block a parameter names.
func (b *backend) openState(p rpc.BlockNumberOrHash) (*state.StateDB, error) {
	blk, err := b.stateBlock(p)
	if err != nil {
		return nil, err
	}
	st, err := b.chain.StateAt(blk.Header)
	if err != nil {
		return nil, internal("open state", err)
	}
	return st, nil
}

// stateErr reports a failed read the state kept (a damaged trie node reads
// as a zero value), so it never passes for an empty account.
func stateErr(st *state.StateDB) error {
	if err := st.Error(); err != nil {
		return internal("read state", err)
	}
	return nil
}

// GetBalance is eth_getBalance.
func (api *ethAPI) GetBalance(addr common.Address, p rpc.BlockNumberOrHash) (*hexutil.Big, error) {
	st, err := api.b.openState(p)
	if err != nil {
		return nil, err
	}
	bal := st.GetBalance(addr).ToBig()
	return (*hexutil.Big)(bal), stateErr(st)
}

// GetTransactionCount is eth_getTransactionCount: the account nonce, and
// for pending the nonce after the sender's pending run in the mempool.
func (api *ethAPI) GetTransactionCount(addr common.Address, p rpc.BlockNumberOrHash) (*hexutil.Uint64, error) {
	if n, ok := p.Number(); ok && n == rpc.PendingBlockNumber {
		nonce := hexutil.Uint64(api.b.pool.PendingNonce(addr))
		return &nonce, nil
	}
	st, err := api.b.openState(p)
	if err != nil {
		return nil, err
	}
	nonce := hexutil.Uint64(st.GetNonce(addr))
	return &nonce, stateErr(st)
}

// GetCode is eth_getCode.
func (api *ethAPI) GetCode(addr common.Address, p rpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	st, err := api.b.openState(p)
	if err != nil {
		return nil, err
	}
	code := st.GetCode(addr)
	if code == nil {
		code = []byte{}
	}
	return code, stateErr(st)
}

// GetStorageAt is eth_getStorageAt: one 32-byte storage slot.
func (api *ethAPI) GetStorageAt(addr common.Address, slot string, p rpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	key, err := decodeSlot(slot)
	if err != nil {
		return nil, invalidParams("storage slot %q: %v", slot, err)
	}
	st, err := api.b.openState(p)
	if err != nil {
		return nil, err
	}
	v := st.GetState(addr, key)
	return v[:], stateErr(st)
}

// decodeSlot reads a storage key: hex of up to 32 bytes, with or without
// 0x, left-padded with zeros (as geth reads it).
func decodeSlot(s string) (common.Hash, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	if len(s) > 64 {
		return common.Hash{}, errSlotTooLong
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return common.Hash{}, errSlotNotHex
	}
	return common.BytesToHash(b), nil
}

var (
	errSlotTooLong = invalidParams("longer than 32 bytes")
	errSlotNotHex  = invalidParams("not hex")
)
