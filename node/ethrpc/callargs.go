package ethrpc

import (
	"bytes"
	"math/big"

	"cairn/vm"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// callArgs is the transaction object of eth_call, eth_estimateGas and
// eth_createAccessList. Fee fields are read and checked but not charged:
// a call pays no gas price.
type callArgs struct {
	From                 *common.Address   `json:"from"`
	To                   *common.Address   `json:"to"`
	Gas                  *hexutil.Uint64   `json:"gas"`
	GasPrice             *hexutil.Big      `json:"gasPrice"`
	MaxFeePerGas         *hexutil.Big      `json:"maxFeePerGas"`
	MaxPriorityFeePerGas *hexutil.Big      `json:"maxPriorityFeePerGas"`
	Value                *hexutil.Big      `json:"value"`
	Nonce                *hexutil.Uint64   `json:"nonce"`
	Data                 *hexutil.Bytes    `json:"data"`
	Input                *hexutil.Bytes    `json:"input"`
	AccessList           *types.AccessList `json:"accessList"`
	ChainID              *hexutil.Big      `json:"chainId"`
	Type                 *hexutil.Uint64   `json:"type"`
}

// message checks the arguments and turns them into a call.
func (a *callArgs) message(chainID *big.Int) (vm.CallMsg, error) {
	var msg vm.CallMsg
	if a.Input != nil && a.Data != nil && !bytes.Equal(*a.Input, *a.Data) {
		return msg, invalidParams("both input and data are set and they differ")
	}
	if a.GasPrice != nil && (a.MaxFeePerGas != nil || a.MaxPriorityFeePerGas != nil) {
		return msg, invalidParams("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
	}
	if a.MaxFeePerGas != nil && a.MaxPriorityFeePerGas != nil && a.MaxFeePerGas.ToInt().Cmp(a.MaxPriorityFeePerGas.ToInt()) < 0 {
		return msg, invalidParams("maxFeePerGas is below maxPriorityFeePerGas")
	}
	if a.ChainID != nil && a.ChainID.ToInt().Cmp(chainID) != 0 {
		return msg, invalidParams("chainId %v is not this chain's (%v)", a.ChainID.ToInt(), chainID)
	}
	if a.From != nil {
		msg.From = *a.From
	}
	msg.To = a.To
	if a.Gas != nil {
		msg.Gas = uint64(*a.Gas)
	}
	if a.Value != nil {
		msg.Value = a.Value.ToInt()
	}
	switch {
	case a.Input != nil:
		msg.Data = *a.Input
	case a.Data != nil:
		msg.Data = *a.Data
	}
	return msg, nil
}

func (a *callArgs) accessList() types.AccessList {
	if a.AccessList == nil {
		return nil
	}
	return *a.AccessList
}

// stateOverride replaces parts of accounts for one call, as geth's
// eth_call takes them: nonce, code, balance, and either the whole storage
// (state) or some slots (stateDiff).
type stateOverride map[common.Address]accountOverride

type accountOverride struct {
	Nonce     *hexutil.Uint64             `json:"nonce"`
	Code      *hexutil.Bytes              `json:"code"`
	Balance   *hexutil.Big                `json:"balance"`
	State     map[common.Hash]common.Hash `json:"state"`
	StateDiff map[common.Hash]common.Hash `json:"stateDiff"`
}

// maxOverrides caps the accounts one call overrides.
const maxOverrides = 1000

// apply writes the overrides into st.
func (o *stateOverride) apply(st *state.StateDB) error {
	if o == nil {
		return nil
	}
	if len(*o) > maxOverrides {
		return limitExceeded("%d overridden accounts, at most %d", len(*o), maxOverrides)
	}
	for addr, acc := range *o {
		if acc.State != nil && acc.StateDiff != nil {
			return invalidParams("account %s has both state and stateDiff overrides", addr.Hex())
		}
		if acc.Nonce != nil {
			st.SetNonce(addr, uint64(*acc.Nonce), tracing.NonceChangeUnspecified)
		}
		if acc.Code != nil {
			st.SetCode(addr, *acc.Code, tracing.CodeChangeUnspecified)
		}
		if acc.Balance != nil {
			bal, overflow := uint256.FromBig(acc.Balance.ToInt())
			if overflow || acc.Balance.ToInt().Sign() < 0 {
				return invalidParams("balance override of %s does not fit 256 bits", addr.Hex())
			}
			st.SetBalance(addr, bal, tracing.BalanceChangeUnspecified)
		}
		if acc.State != nil {
			st.SetStorage(addr, acc.State)
		}
		for k, v := range acc.StateDiff {
			st.SetState(addr, k, v)
		}
	}
	// Finalise so the overrides are the committed values the call reads
	// (SLOAD's original value, EIP-2200), as geth does.
	st.Finalise(params.Rules{})
	return nil
}
