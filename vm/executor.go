package vm

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// ErrTimeBound is returned when a transaction or call ran past its
// wall-clock bound and was cut off; its effects were discarded.
var ErrTimeBound = errors.New("execution exceeded its time bound")

// ErrUnsupportedTx is returned for transaction types Cairn does not run
// (blob and set-code transactions).
var ErrUnsupportedTx = errors.New("unsupported transaction type")

// BlockEnv is what the EVM sees of the block it runs in.
type BlockEnv struct {
	Number   uint64
	Time     uint64 // seconds
	Coinbase common.Address
	GasLimit uint64
	BaseFee  *big.Int
	Random   common.Hash // PREVRANDAO: the block's VRF beacon
	TimeMs   uint64      // the block's time in unix milliseconds, for natives
	// GetHash returns the hash of an earlier block (BLOCKHASH); nil means
	// no block hashes are known.
	GetHash func(number uint64) common.Hash
}

func (env *BlockEnv) context() vm.BlockContext {
	getHash := env.GetHash
	if getHash == nil {
		getHash = func(uint64) common.Hash { return common.Hash{} }
	}
	random := env.Random
	return vm.BlockContext{
		CanTransfer: core.CanTransfer,
		Transfer:    core.Transfer,
		GetHash:     getHash,
		Coinbase:    env.Coinbase,
		GasLimit:    env.GasLimit,
		BlockNumber: new(big.Int).SetUint64(env.Number),
		Time:        env.Time,
		Difficulty:  new(big.Int),
		BaseFee:     new(big.Int).Set(env.BaseFee),
		BlobBaseFee: big.NewInt(1),
		Random:      &random,
	}
}

// Executor applies transactions for one chain.
type Executor struct {
	config *params.ChainConfig
	signer types.Signer
	// MaxTxGas is the per-transaction gas cap inside blocks.
	MaxTxGas uint64
	natives  []Native
}

// AddNative makes n answer at its address in every block run and call that
// starts after it. It is meant for setup, before the executor is shared.
func (e *Executor) AddNative(n Native) { e.natives = append(e.natives, n) }

// NewExecutor returns an executor for the chain with this ID and
// per-transaction gas cap.
func NewExecutor(chainID *big.Int, maxTxGas uint64) *Executor {
	return &Executor{
		config:   ChainConfig(chainID),
		signer:   NewCachingSigner(types.LatestSignerForChainID(chainID), DefaultSenderCacheBytes),
		MaxTxGas: maxTxGas,
	}
}

// Config is the Ethereum chain configuration the executor runs.
func (e *Executor) Config() *params.ChainConfig { return e.config }

// Signer recovers transaction senders for this chain. It is a
// *CachingSigner: every user of the executor's signer (block execution,
// the mempool, the APIs) shares one sender cache, so no transaction is
// recovered twice.
func (e *Executor) Signer() types.Signer { return e.signer }

// Rules returns the fork rules of a block.
func (e *Executor) Rules(env *BlockEnv) params.Rules {
	return Rules(e.config, env.Number, env.Time)
}

// BlockRun applies the transactions of one block, in order, to a state.
type BlockRun struct {
	e        *Executor
	env      BlockEnv
	state    *state.StateDB
	evm      *vm.EVM
	gp       *core.GasPool
	number   *big.Int
	receipts []*types.Receipt
	txs      []*types.Transaction
}

// NewBlockRun starts a block on top of st.
func (e *Executor) NewBlockRun(st *state.StateDB, env BlockEnv) *BlockRun {
	r := &BlockRun{
		e: e, env: env, state: st,
		gp:     core.NewGasPool(env.GasLimit),
		number: new(big.Int).SetUint64(env.Number),
	}
	r.evm = e.newEVM(st, &r.env, vm.Config{})
	return r
}

// GasUsed is the gas used by the transactions applied so far.
func (r *BlockRun) GasUsed() uint64 { return r.gp.CumulativeUsed() }

// GasLeft is the gas still available in the block.
func (r *BlockRun) GasLeft() uint64 { return r.env.GasLimit - r.gp.CumulativeUsed() }

// Receipts are the receipts of the applied transactions, in order.
func (r *BlockRun) Receipts() []*types.Receipt { return r.receipts }

// Txs are the applied transactions, in order.
func (r *BlockRun) Txs() []*types.Transaction { return r.txs }

// State is the state the run writes to.
func (r *BlockRun) State() *state.StateDB { return r.state }

// Apply runs tx as the next transaction of the block. An error means the
// transaction is not valid here (bad nonce, cannot pay, over a gas limit);
// the state is then unchanged. A transaction that runs and reverts is valid:
// it gets a receipt with a failed status.
func (r *BlockRun) Apply(tx *types.Transaction) (*types.Receipt, error) {
	return r.apply(tx, 0)
}

// ApplyBounded is Apply with a wall-clock bound, for a proposer building a
// block: a transaction still running after limit is cut off, its effects are
// discarded, and ErrTimeBound is returned. Never use it to validate or
// replay a block: a clock must not decide what a finalized block contains.
func (r *BlockRun) ApplyBounded(tx *types.Transaction, limit time.Duration) (*types.Receipt, error) {
	return r.apply(tx, limit)
}

func (r *BlockRun) apply(tx *types.Transaction, limit time.Duration) (*types.Receipt, error) {
	if t := tx.Type(); t == types.BlobTxType || t == types.SetCodeTxType {
		return nil, fmt.Errorf("%w: type %d", ErrUnsupportedTx, t)
	}
	if r.e.MaxTxGas > 0 && tx.Gas() > r.e.MaxTxGas {
		return nil, fmt.Errorf("gas %d above the per-transaction cap %d", tx.Gas(), r.e.MaxTxGas)
	}
	msg, err := core.TransactionToMessage(tx, r.e.signer, r.env.BaseFee)
	if err != nil {
		return nil, fmt.Errorf("transaction %s: %w", tx.Hash(), err)
	}
	snap, gpSnap := r.state.Snapshot(), r.gp.Snapshot()
	r.state.SetTxContext(tx.Hash(), len(r.txs), 0)
	if limit > 0 {
		timer := time.AfterFunc(limit, r.evm.Cancel)
		defer timer.Stop()
	}
	// ApplyMessage, not ApplyTransactionWithEVM: the state must not be
	// finalised before we know the run was not cut off, or the snapshot
	// could no longer be reverted.
	result, err := core.ApplyMessage(r.evm, msg, r.gp)
	if r.evm.Cancelled() {
		// The cancelled EVM stays cancelled; the next transaction gets a
		// fresh one.
		r.state.RevertToSnapshot(snap)
		r.gp.Set(gpSnap)
		r.evm = r.e.newEVM(r.state, &r.env, vm.Config{})
		return nil, ErrTimeBound
	}
	if err != nil {
		r.state.RevertToSnapshot(snap)
		r.gp.Set(gpSnap)
		return nil, err
	}
	r.state.Finalise(r.evm.GetRules())
	receipt := core.MakeReceipt(r.evm, result, r.state, r.number, common.Hash{}, r.env.Time, tx, r.gp.CumulativeUsed(), nil)
	r.receipts = append(r.receipts, receipt)
	r.txs = append(r.txs, tx)
	return receipt, nil
}

// CallMsg is a read-only call.
type CallMsg struct {
	From  common.Address
	To    *common.Address
	Gas   uint64
	Value *big.Int
	Data  []byte
}

// CallResult is what a read-only call returned.
type CallResult struct {
	ReturnData []byte
	GasUsed    uint64
	Err        error // the EVM's error: revert, out of gas, invalid opcode…
}

// Call runs msg against st without keeping its effects. It is cut off after
// timeout (and when ctx ends); gas is capped at gasCap.
func (e *Executor) Call(ctx context.Context, st *state.StateDB, env BlockEnv, msg CallMsg, gasCap uint64, timeout time.Duration) (*CallResult, error) {
	gas := msg.Gas
	if gas == 0 || gas > gasCap {
		gas = gasCap
	}
	value := new(uint256.Int)
	if msg.Value != nil {
		if value.SetFromBig(msg.Value) {
			return nil, errors.New("call value overflows 256 bits")
		}
	}
	m := &core.Message{
		From: msg.From, To: msg.To, Value: value, GasLimit: gas, Data: msg.Data,
		GasPrice: new(uint256.Int), GasFeeCap: new(uint256.Int), GasTipCap: new(uint256.Int),
	}
	m.SkipNonceCheck().SkipEOACheck().SkipGasLimitCapCheck()
	evm := e.newEVM(st, &env, vm.Config{NoBaseFee: true})
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	stop := context.AfterFunc(ctx, evm.Cancel)
	defer stop()
	// A call may spend far more gas than a block holds; give it its own pool.
	res, err := core.ApplyMessage(evm, m, core.NewGasPool(gas))
	if evm.Cancelled() {
		return nil, fmt.Errorf("call: %w (%v)", ErrTimeBound, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("call: %w", err)
	}
	return &CallResult{ReturnData: res.ReturnData, GasUsed: res.UsedGas, Err: res.Err}, nil
}
