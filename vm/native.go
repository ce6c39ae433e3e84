package vm

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// Native is a contract written in Go that lives at a fixed address and is
// reached like any other contract: by a transaction, a call from another
// contract, or a read-only call. Cairn's staking contract is one.
type Native interface {
	// Address is where the contract lives.
	Address() common.Address
	// Gas is what a call with this input costs, charged before Run. It may
	// read st (a call whose work depends on the state pays for it) but must
	// not write it.
	Gas(st vm.StateDB, input []byte) uint64
	// Run executes one call. call is nil when the frame may not change
	// state (STATICCALL, DELEGATECALL, CALLCODE): Run must then only read.
	// Returning vm.ErrExecutionReverted with ABI-encoded Error(string) data
	// reverts with a reason; any state Run wrote is then rolled back by the
	// EVM, as are the logs it added.
	Run(st vm.StateDB, env *BlockEnv, call *NativeCall, input []byte) ([]byte, error)
}

// NativeCall is what a native contract knows of a CALL frame: who called
// and the value that came with it (already credited to the contract).
type NativeCall struct {
	Caller common.Address
	Value  *uint256.Int
}

// nativeFrames adapts the natives of one EVM to go-ethereum's precompile
// interface, whose Run sees neither the caller nor the value. The EVM
// performs a CALL frame's value transfer immediately before it charges a
// precompile's gas and runs it, so the transfer function records the frame
// and the precompile takes it. Only a transfer that is followed straight by
// the gas charge counts: a record left behind by a call that ran out of gas
// is discarded at the next charge, and frames that make no transfer
// (STATICCALL, DELEGATECALL, CALLCODE) run with no caller, read-only.
type nativeFrames struct {
	natives []Native
	state   vm.StateDB
	env     *BlockEnv
	// transferred is the CALL frame whose value just moved to a native;
	// charged is the frame whose gas was just charged, nil if it made no
	// transfer.
	transferred *NativeCall
	charged     *NativeCall
}

func (f *nativeFrames) transfer(db vm.StateDB, from, to common.Address, amount *uint256.Int, rules *params.Rules) {
	core.Transfer(db, from, to, amount, rules)
	f.transferred = nil
	if _, ok := f.byAddress(to); ok {
		f.transferred = &NativeCall{Caller: from, Value: new(uint256.Int).Set(amount)}
	}
}

func (f *nativeFrames) byAddress(addr common.Address) (Native, bool) {
	for _, n := range f.natives {
		if n.Address() == addr {
			return n, true
		}
	}
	return nil, false
}

// newEVM returns an EVM over st in which the executor's natives answer at
// their addresses, next to the standard precompiles.
func (e *Executor) newEVM(st vm.StateDB, env *BlockEnv, cfg vm.Config) *vm.EVM {
	ctx := env.context()
	if len(e.natives) == 0 {
		return vm.NewEVM(ctx, st, e.config, cfg)
	}
	f := &nativeFrames{natives: e.natives, state: st, env: env}
	ctx.Transfer = f.transfer
	evm := vm.NewEVM(ctx, st, e.config, cfg)
	f.install(evm, evm.GetRules())
	return evm
}

func (f *nativeFrames) install(evm *vm.EVM, rules params.Rules) {
	pcs := vm.ActivePrecompiledContracts(rules)
	for _, n := range f.natives {
		pcs[n.Address()] = &nativePrecompile{frames: f, native: n}
	}
	evm.SetPrecompiles(pcs)
}

// nativePrecompile is one native contract as the EVM sees it.
type nativePrecompile struct {
	frames *nativeFrames
	native Native
}

func (p *nativePrecompile) Name() string { return "native" }

func (p *nativePrecompile) RequiredGas(input []byte) uint64 {
	f := p.frames
	f.charged, f.transferred = f.transferred, nil
	return p.native.Gas(f.state, input)
}

func (p *nativePrecompile) Run(input []byte) ([]byte, error) {
	f := p.frames
	call := f.charged
	f.charged = nil
	return p.native.Run(f.state, f.env, call, input)
}
