package mempool

import (
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// txEntry is a validated transaction with the values the pool orders and
// accounts by, decoded once at admission. It is immutable once built, so
// selections may share it with the pool.
type txEntry struct {
	tx     *types.Transaction
	hash   common.Hash
	from   common.Address
	nonce  uint64
	feeCap uint256.Int // gas fee cap; the gas price for legacy and 2930
	tipCap uint256.Int // gas tip cap; the gas price for legacy and 2930
	cost   uint256.Int // gas*feeCap + value: the most the tx can spend
	size   int         // encoded size
	mem    int         // accounted memory (memCost)
	added  time.Time
	seq    uint64 // arrival order, for fair ties
}

// effTip returns the effective tip min(tipCap, feeCap-base) and true, or
// (feeCap, false) when the fee cap is below the base fee and the
// transaction cannot be included at all.
func (e *txEntry) effTip(base *uint256.Int) (uint256.Int, bool) {
	if e.feeCap.Lt(base) {
		return e.feeCap, false
	}
	var tip uint256.Int
	tip.Sub(&e.feeCap, base)
	if e.tipCap.Lt(&tip) {
		tip = e.tipCap
	}
	return tip, true
}

// validator holds the stateless admission rules, fixed at New.
type validator struct {
	chainID    *big.Int
	signer     types.Signer
	rules      params.Rules
	gasCap     uint64
	maxTxBytes int
}

// newValidator derives the signer, fork rules and gas cap from cfg. The
// rules are those of a copy of params.MergedTestChainConfig with the chain
// ID, as the execution layer uses (Prague and Osaka active).
func newValidator(cfg Config) validator {
	cc := *params.MergedTestChainConfig
	cc.ChainID = new(big.Int).Set(cfg.ChainID)
	rules := cc.Rules(new(big.Int), true, 0)

	gasCap := uint64(params.MaxTxGas)
	if cfg.BlockGasLimit > 0 {
		gasCap = min(gasCap, cfg.BlockGasLimit)
	}
	if cfg.MaxTxGas > 0 {
		gasCap = min(gasCap, cfg.MaxTxGas)
	}
	signer := cfg.Signer
	if signer == nil {
		signer = types.LatestSignerForChainID(cc.ChainID)
	}
	return validator{
		chainID:    cc.ChainID,
		signer:     signer,
		rules:      rules,
		gasCap:     gasCap,
		maxTxBytes: cfg.MaxTxBytes,
	}
}

// check runs every admission rule that does not depend on pool or account
// state, including sender recovery (the expensive part), and returns the
// entry to insert. It takes no lock.
func (v *validator) check(tx *types.Transaction) (*txEntry, error) {
	switch tx.Type() {
	case types.LegacyTxType, types.AccessListTxType, types.DynamicFeeTxType:
	default:
		return nil, reject(ReasonUnsupportedType, "transaction type %d is not accepted", tx.Type())
	}
	size := tx.Size()
	if size > uint64(v.maxTxBytes) {
		return nil, reject(ReasonOversized, "transaction is %d bytes, limit %d", size, v.maxTxBytes)
	}
	if !tx.Protected() {
		return nil, reject(ReasonWrongChainID, "legacy transaction is not replay-protected (EIP-155)")
	}
	if id := tx.ChainId(); id.Cmp(v.chainID) != 0 {
		return nil, reject(ReasonWrongChainID, "chain ID %v, want %v", id, v.chainID)
	}
	e := &txEntry{tx: tx, nonce: tx.Nonce(), size: int(size), mem: memCost(tx, int(size))}
	if e.feeCap.SetFromBig(tx.GasFeeCap()) {
		return nil, reject(ReasonInvalidFee, "fee cap exceeds 256 bits")
	}
	if e.tipCap.SetFromBig(tx.GasTipCap()) {
		return nil, reject(ReasonInvalidFee, "tip cap exceeds 256 bits")
	}
	if e.tipCap.Gt(&e.feeCap) {
		return nil, reject(ReasonInvalidFee, "tip cap %v above fee cap %v", &e.tipCap, &e.feeCap)
	}
	txValue := tx.Value()
	if txValue.Sign() < 0 {
		return nil, reject(ReasonMalformed, "negative value")
	}
	value, overflow := uint256.FromBig(txValue)
	if overflow {
		return nil, reject(ReasonInsufficientFunds, "value exceeds 256 bits")
	}
	if tx.Nonce() == ^uint64(0) {
		return nil, reject(ReasonNonceTooHigh, "nonce 2^64-1 is not usable (EIP-2681)")
	}
	if tx.Gas() > v.gasCap {
		return nil, reject(ReasonGasLimitExceeded, "gas %d above cap %d", tx.Gas(), v.gasCap)
	}
	if tx.To() == nil && len(tx.Data()) > params.MaxInitCodeSize {
		return nil, reject(ReasonOversized, "init code is %d bytes, limit %d", len(tx.Data()), params.MaxInitCodeSize)
	}
	// The cost bound gas*feeCap+value must fit in 256 bits to be payable.
	var overflowed bool
	e.cost.SetUint64(tx.Gas())
	if _, overflowed = e.cost.MulOverflow(&e.cost, &e.feeCap); !overflowed {
		_, overflowed = e.cost.AddOverflow(&e.cost, value)
	}
	if overflowed {
		return nil, reject(ReasonInsufficientFunds, "gas*feeCap+value exceeds 256 bits")
	}

	from, err := types.Sender(v.signer, tx)
	if err != nil {
		return nil, reject(ReasonInvalidSignature, "%v", err)
	}
	e.from = from

	intrinsic, err := core.IntrinsicGas(tx.Data(), tx.AccessList(), nil, from, tx.To(), value, v.rules)
	if err != nil {
		return nil, reject(ReasonIntrinsicGas, "%v", err)
	}
	if tx.Gas() < intrinsic {
		return nil, reject(ReasonIntrinsicGas, "gas %d below intrinsic gas %d", tx.Gas(), intrinsic)
	}
	if v.rules.IsPrague {
		floor, err := core.FloorDataGas(v.rules, from, tx.To(), value, tx.Data(), tx.AccessList())
		if err != nil {
			return nil, reject(ReasonIntrinsicGas, "%v", err)
		}
		if tx.Gas() < floor {
			return nil, reject(ReasonIntrinsicGas, "gas %d below calldata floor %d (EIP-7623)", tx.Gas(), floor)
		}
	}
	e.hash = tx.Hash()
	return e, nil
}
