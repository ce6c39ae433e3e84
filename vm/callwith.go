package vm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/holiman/uint256"
)

// CallOptions are the extras of a read-only call that JSON-RPC clients
// may ask for (eth_call, eth_estimateGas, eth_createAccessList).
type CallOptions struct {
	// GasCap caps the call's gas (0: no cap beyond the message's).
	GasCap uint64
	// Timeout cuts the call off (0: only ctx does).
	Timeout time.Duration
	// AccessList is warmed before the call runs, as in an EIP-2930
	// transaction.
	AccessList types.AccessList
	// Tracer, if set, sees the call's execution.
	Tracer *tracing.Hooks
}

// CallWith runs msg against st without keeping its effects, as Call does,
// with an access list and a tracer. The call pays no gas price.
func (e *Executor) CallWith(ctx context.Context, st *state.StateDB, env BlockEnv, msg CallMsg, opts CallOptions) (*CallResult, error) {
	gas := msg.Gas
	if opts.GasCap > 0 && (gas == 0 || gas > opts.GasCap) {
		gas = opts.GasCap
	}
	value := new(uint256.Int)
	if msg.Value != nil && value.SetFromBig(msg.Value) {
		return nil, errors.New("call value overflows 256 bits")
	}
	m := &core.Message{
		From: msg.From, To: msg.To, Value: value, GasLimit: gas, Data: msg.Data, AccessList: opts.AccessList,
		GasPrice: new(uint256.Int), GasFeeCap: new(uint256.Int), GasTipCap: new(uint256.Int),
	}
	m.SkipNonceCheck().SkipEOACheck().SkipGasLimitCapCheck()
	evm := e.newEVM(st, &env, vm.Config{NoBaseFee: true, Tracer: opts.Tracer})
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	stop := context.AfterFunc(ctx, evm.Cancel)
	defer stop()
	res, err := core.ApplyMessage(evm, m, core.NewGasPool(gas))
	if evm.Cancelled() {
		return nil, fmt.Errorf("call: %w (%v)", ErrTimeBound, opts.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("call: %w", err)
	}
	return &CallResult{ReturnData: res.ReturnData, GasUsed: res.UsedGas, Err: res.Err}, nil
}
