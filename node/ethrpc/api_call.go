package ethrpc

import (
	"context"
	"errors"
	"strings"
	"time"

	"cairn/chain"
	"cairn/vm"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	gethvm "github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// callSetup is what every run of one call shares: the block it runs at,
// the state with overrides applied (each run takes a copy), and the
// message.
type callSetup struct {
	blk *chain.Block
	st  *state.StateDB
	msg vm.CallMsg
}

// prepareCall resolves the block, opens its state, applies overrides and
// checks the arguments.
func (b *backend) prepareCall(args *callArgs, p rpc.BlockNumberOrHash, overrides *stateOverride) (*callSetup, error) {
	msg, err := args.message(b.chain.ChainID())
	if err != nil {
		return nil, err
	}
	blk, err := b.stateBlock(p)
	if err != nil {
		return nil, err
	}
	st, err := b.chain.StateAt(blk.Header)
	if err != nil {
		return nil, internal("open state", err)
	}
	if err := overrides.apply(st); err != nil {
		return nil, err
	}
	return &callSetup{blk: blk, st: st, msg: msg}, nil
}

// run executes the call once with this gas (0: the cap) on a copy of the
// state. The error is the node's or the message's (timeout, intrinsic gas,
// funds for the value); the EVM's own outcome is in the result.
func (b *backend) run(ctx context.Context, c *callSetup, gas uint64, list types.AccessList, tracer *tracing.Hooks) (*vm.CallResult, error) {
	res, err := b.runRaw(ctx, c, gas, list, tracer)
	return res, callError(err, b.cfg.CallTimeout)
}

// runRaw is run with the executor's error as it is.
func (b *backend) runRaw(ctx context.Context, c *callSetup, gas uint64, list types.AccessList, tracer *tracing.Hooks) (*vm.CallResult, error) {
	msg := c.msg
	msg.Gas = gas
	return b.chain.Executor().CallWith(ctx, c.st.Copy(), b.chain.BlockEnv(c.blk.Header), msg, vm.CallOptions{
		GasCap: b.chain.Params().MaxTxGas, Timeout: b.cfg.CallTimeout, AccessList: list, Tracer: tracer,
	})
}

// callError is the JSON-RPC error for a call the executor refused.
func callError(err error, timeout time.Duration) error {
	if errors.Is(err, vm.ErrTimeBound) {
		return serverError("execution aborted (timeout = %v)", timeout)
	}
	if err != nil {
		// The executor says "call: …"; clients match geth's words, which
		// follow.
		return serverError("%s", strings.TrimPrefix(err.Error(), "call: "))
	}
	return nil
}

// Call is eth_call: the return data of a read-only call at a block (latest
// by default), with optional state overrides. A revert is code 3 with the
// revert data.
func (api *ethAPI) Call(ctx context.Context, args callArgs, p *rpc.BlockNumberOrHash, overrides *stateOverride) (hexutil.Bytes, error) {
	c, err := api.b.prepareCall(&args, orLatest(p), overrides)
	if err != nil {
		return nil, err
	}
	res, err := api.b.run(ctx, c, c.msg.Gas, args.accessList(), nil)
	if err != nil {
		return nil, err
	}
	if err := evmError(res); err != nil {
		return nil, err
	}
	return res.ReturnData, nil
}

// evmError is the JSON-RPC error for a call the EVM failed: code 3 with
// the data for a revert, -32000 with the EVM's reason otherwise.
func evmError(res *vm.CallResult) error {
	switch {
	case res.Err == nil:
		return nil
	case errors.Is(res.Err, gethvm.ErrExecutionReverted):
		return revertError(res.ReturnData)
	}
	return serverError("%v", res.Err)
}

// estimateErrorRatio ends the search once the answer is within this
// fraction of the true minimum (geth uses the same 1.5%).
const estimateErrorRatio = 0.015

// EstimateGas is eth_estimateGas: the least gas limit (within 1.5%) at
// which the transaction succeeds, found by binary search as geth does. A
// transaction that fails even at the cap answers its revert (code 3) or
// the EVM's error.
func (api *ethAPI) EstimateGas(ctx context.Context, args callArgs, p *rpc.BlockNumberOrHash, overrides *stateOverride) (hexutil.Uint64, error) {
	gas, err := api.b.estimateGas(ctx, &args, orLatest(p), overrides)
	return hexutil.Uint64(gas), err
}

func (b *backend) estimateGas(ctx context.Context, args *callArgs, p rpc.BlockNumberOrHash, overrides *stateOverride) (uint64, error) {
	c, err := b.prepareCall(args, p, overrides)
	if err != nil {
		return 0, err
	}
	hi := b.chain.Params().MaxTxGas
	if args.Gas != nil && uint64(*args.Gas) >= 21000 && uint64(*args.Gas) < hi {
		hi = uint64(*args.Gas)
	}
	list := args.accessList()
	if plain, err := b.isPlainTransfer(ctx, c, list); err != nil || plain {
		return params.TxGas, err
	}
	res, err := b.run(ctx, c, hi, list, nil)
	if err != nil {
		return 0, err
	}
	if res.Err != nil {
		if errors.Is(res.Err, gethvm.ErrExecutionReverted) {
			return 0, revertError(res.ReturnData)
		}
		if errors.Is(res.Err, gethvm.ErrOutOfGas) {
			return 0, serverError("gas required exceeds allowance (%d)", hi)
		}
		return 0, serverError("%v", res.Err)
	}
	return b.searchGas(ctx, c, list, res.GasUsed-1, hi)
}

// isPlainTransfer reports whether the call is a value transfer to an
// account without code, which costs exactly 21000 gas: geth answers it
// without a search, as wallets expect. A native contract has no code but
// costs more, so the transfer is run once at 21000 to be sure.
func (b *backend) isPlainTransfer(ctx context.Context, c *callSetup, list types.AccessList) (bool, error) {
	if c.msg.To == nil || len(c.msg.Data) > 0 || len(list) > 0 || len(c.st.GetCode(*c.msg.To)) > 0 {
		return false, nil
	}
	res, err := b.run(ctx, c, params.TxGas, nil, nil)
	if err != nil {
		return false, err
	}
	return res.Err == nil && res.GasUsed == params.TxGas, nil
}

// searchGas finds the least gas in (lo, hi] at which the call succeeds,
// knowing it fails at lo and succeeds at hi.
func (b *backend) searchGas(ctx context.Context, c *callSetup, list types.AccessList, lo, hi uint64) (uint64, error) {
	fails := func(gas uint64) (bool, error) {
		res, err := b.runRaw(ctx, c, gas, list, nil)
		if errors.Is(err, core.ErrIntrinsicGas) {
			return true, nil
		}
		if err != nil {
			return false, callError(err, b.cfg.CallTimeout)
		}
		return res.Err != nil, nil
	}
	// Most calls need little more than what they used (the 63/64 rule of
	// CALL keeps some back): try that first.
	if guess := (lo + 1) * 64 / 63; guess > lo && guess < hi {
		failed, err := fails(guess)
		if err != nil {
			return 0, err
		}
		if failed {
			lo = guess
		} else {
			hi = guess
		}
	}
	for lo+1 < hi {
		if float64(hi-lo)/float64(hi) < estimateErrorRatio {
			break
		}
		mid := lo + (hi-lo)/2
		if mid > lo*2 {
			mid = lo * 2 // the answer is usually close to lo
		}
		failed, err := fails(mid)
		if err != nil {
			return 0, err
		}
		if failed {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, nil
}
