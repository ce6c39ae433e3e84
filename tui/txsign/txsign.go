// Package txsign is the console's last step before a transaction leaves
// the wallet: read what the node must tell (the nonce, the chain ID, the
// base fee, the gas a call needs), show exactly what will be signed, then
// sign with the wallet and submit. The Accounts screen's transfers and the
// Staking screen's calls go through it alike.
package txsign

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"cairn/node/api"
	"cairn/tui/form"
	"cairn/wallet"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// TransferGas is the gas of a plain value transfer.
const TransferGas = 21_000

// Draft is a transaction being prepared, then confirmed. The caller fills
// From, To, Value, Tip and, for a contract call, Data and Call; Fill adds
// what the node told.
type Draft struct {
	From wallet.Account
	// To is the recipient or the contract called; nil deploys Data as a
	// new contract's creation code.
	To    *common.Address
	Value *big.Int
	Tip   *big.Int // max priority fee per gas
	Data  []byte
	// Call is what Data asks for, as the user reads it
	// ("delegate(0x70997970…)"); empty for a plain transfer.
	Call string
	// Reauth, when set, makes the confirm step ask for the wallet
	// password again before it signs, for this (the end of "Type the
	// wallet password to …": "unjail"). A large value asks by itself
	// (PasswordFor).
	Reauth string
	// Staked says the value stays the sender's (a delegation, which
	// undelegating brings back), so send_confirm_above does not apply.
	Staked bool
	// prompt is the wallet password field while the confirm step asks.
	prompt *form.Reauth

	ChainID *big.Int
	Nonce   uint64
	Gas     uint64
	MaxFee  *big.Int // max fee per gas
	Balance *big.Int // the sender's, when prepared
}

// MaxFeePerGas is 2 × base fee + tip: room for the base fee to double
// before the transaction stops qualifying.
func MaxFeePerGas(baseFee, tip *big.Int) *big.Int {
	f := new(big.Int).Mul(baseFee, big.NewInt(2))
	return f.Add(f, tip)
}

// TotalMaxFee is what the fee can cost at most: gas limit × max fee.
func (d *Draft) TotalMaxFee() *big.Int {
	return new(big.Int).Mul(d.MaxFee, new(big.Int).SetUint64(d.Gas))
}

// MaxCost is the value plus the most the fee can cost.
func (d *Draft) MaxCost() *big.Int { return new(big.Int).Add(d.TotalMaxFee(), d.Value) }

// Tx is the unsigned EIP-1559 transaction the confirm step shows.
func (d *Draft) Tx() *types.Transaction {
	return types.NewTx(&types.DynamicFeeTx{
		ChainID: d.ChainID, Nonce: d.Nonce, GasTipCap: d.Tip, GasFeeCap: d.MaxFee,
		Gas: d.Gas, To: d.To, Value: d.Value, Data: d.Data,
	})
}

// Created is the address a deploy creates once prepared (the sender's
// address and nonce decide it), or nil for a call or transfer.
func (d *Draft) Created() *common.Address {
	if d.To != nil || d.ChainID == nil {
		return nil
	}
	a := crypto.CreateAddress(d.From.Address, d.Nonce)
	return &a
}

// Prepared is what the node told for a draft.
type Prepared struct {
	Account *api.Account // the sender, with its pending nonce and balance
	ChainID uint64
	BaseFee *big.Int // the latest block's
	Gas     uint64   // the gas limit to sign: 21,000, or the call's estimate
}

// Prepare reads the sender's account, the chain ID and the latest base
// fee, and for a draft with data estimates its gas by running it as a
// read-only call: a call that would fail returns why, and nothing is sent.
func Prepare(ctx context.Context, node api.Service, d *Draft) (*Prepared, error) {
	acc, err := node.Account(ctx, d.From.Address)
	if err != nil {
		return nil, fmt.Errorf("read the sender's account: %w", err)
	}
	st, err := node.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the node status: %w", err)
	}
	b, err := node.Block(ctx, "latest", false)
	if err != nil {
		return nil, fmt.Errorf("read the latest block: %w", err)
	}
	if b.BaseFee == nil {
		return nil, errors.New("the latest block has no base fee")
	}
	p := &Prepared{Account: acc, ChainID: st.ChainID, BaseFee: b.BaseFee.Int(), Gas: TransferGas}
	if len(d.Data) > 0 || d.To == nil {
		if p.Gas, err = estimateGas(ctx, node, d); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// estimateGas runs the call and adds a quarter for refunds and the 63/64
// rule.
func estimateGas(ctx context.Context, node api.Service, d *Draft) (uint64, error) {
	res, err := node.Call(ctx, api.CallRequest{From: d.From.Address, To: d.To, Data: d.Data, Value: api.NewAmount(d.Value)})
	if err != nil {
		return 0, fmt.Errorf("estimate the gas: %w", err)
	}
	if res.Error != "" {
		return 0, &RevertError{Reason: res.Error, Data: res.ReturnData}
	}
	return max(TransferGas, res.GasUsed+res.GasUsed/4), nil
}

// RevertError is a call the chain would refuse, found while estimating:
// the node's reason and the revert data (for a screen that knows the
// contract's ABI to decode).
type RevertError struct {
	Reason string
	Data   []byte
}

func (e *RevertError) Error() string { return "the transaction would fail: " + e.Reason }

// Fill completes the draft from what the node told: the nonce after the
// sender's pending transactions, the chain ID, the gas and the max fee.
func (d *Draft) Fill(p *Prepared) {
	d.ChainID = new(big.Int).SetUint64(p.ChainID)
	d.Nonce = p.Account.PendingNonce
	d.Gas = p.Gas
	d.MaxFee = MaxFeePerGas(p.BaseFee, d.Tip)
	if p.Account.Balance != nil {
		d.Balance = p.Account.Balance.Int()
	}
}

// SignAndSend signs the draft with the wallet and submits it; it returns
// the hash the node admitted. A locked wallet returns wallet.ErrLocked.
func SignAndSend(ctx context.Context, w *wallet.Wallet, node api.Service, d *Draft) (common.Hash, error) {
	signed, err := w.SignTx(d.From.Address, d.Tx(), d.ChainID)
	if err != nil {
		return common.Hash{}, err
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		return common.Hash{}, fmt.Errorf("encode the transaction: %w", err)
	}
	return node.SendRawTx(ctx, raw)
}

// NodeError says what went wrong for the user: what the node answered,
// with its code when it has one.
func NodeError(err error) string {
	var ae *api.Error
	if errors.As(err, &ae) {
		return fmt.Sprintf("The node refused: %s (%s)", ae.Message, ae.Code)
	}
	var re *RevertError
	if errors.As(err, &re) {
		return "The transaction would fail (" + re.Reason + "): nothing was sent."
	}
	if errors.Is(err, wallet.ErrLocked) {
		return Locked
	}
	if errors.Is(err, wallet.ErrWrongPassword) {
		return WrongPassword
	}
	return err.Error()
}

// WrongPassword is what the confirm step says when the wallet password
// asked before signing was not the wallet's.
const WrongPassword = "Wrong password: nothing was signed or sent. y/enter asks for it again."

// Locked is what the confirm step says when the wallet locked itself.
const Locked = "The wallet is locked (it locks itself when idle). Unlock it, then confirm again."
