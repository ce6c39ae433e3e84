package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"cairn/cmd/cairn/loadgen"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { extraCommands = append(extraCommands, newTxCmd) }

// Fee defaults of `cairn tx send`.
var (
	// defaultTip is the priority fee per gas offered when --tip is not given.
	defaultTip = big.NewInt(1_000_000_000) // 1 gwei
)

const (
	// transferGas is the gas of a plain value transfer.
	transferGas = 21_000
	// maxTxData bounds --data (the node refuses larger transactions anyway).
	maxTxData = 128 << 10
)

// newTxCmd is `cairn tx send`: build, sign with the wallet and submit a
// transaction.
func newTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Sign transactions with the wallet and send them to a node",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetFlagErrorFunc(flagErrorLine)
	cmd.AddCommand(newTxSendCmd(), newTxStakeCmd())
	return cmd
}

// sendFlags are the flags of `cairn tx send` as typed.
type sendFlags struct {
	wf                    walletFlags
	qf                    queryFlags
	from, to, value, data string
	tip, maxFee           string
	gasLimit, nonce       uint64
	legacy, wait          bool
}

// sendPlan is a checked transaction request: everything that can be
// validated without the node or the password.
type sendPlan struct {
	to       common.Address
	value    *big.Int
	data     []byte
	tip      *big.Int // nil: default
	maxFee   *big.Int // nil: from the node's base fee
	gasLimit uint64   // 0: 21000, or estimated when there is data
	nonce    *uint64  // nil: the account's pending nonce
	// dataFor, if set, makes the call data once the chain and the sender
	// are known (a validator key proof signs both).
	dataFor func(chainID uint64, from common.Address) ([]byte, error)
	// create makes a contract creation: no recipient, data is the init
	// code (to is ignored).
	create bool
	// explainRevert, if set, explains the revert data of a call that would
	// fail (custom errors decoded with the contract's ABI).
	explainRevert func(data []byte) string
	// print, if set, shows the result instead of the default summary.
	print func(cmd *cobra.Command, res *sendResult) error
}

func newTxSendCmd() *cobra.Command {
	var f sendFlags
	cmd := &cobra.Command{
		Use:   "send --to 0xADDRESS --value CRN",
		Short: "Send CRN (and optional call data) from a wallet account",
		Long: "send signs a transaction with a wallet account and submits it through --api.\n" +
			"Fees come from the node unless given: a 1 gwei tip and a max fee of twice the next\n" +
			"base fee plus the tip. The nonce is the account's next one, counting pending\n" +
			"transactions. EIP-1559 by default; --legacy sends an EIP-155 legacy transaction whose\n" +
			"gas price is --max-fee, or the next base fee plus the tip. --wait follows the node\n" +
			"until the transaction is in a block (at most --timeout) and prints the receipt.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			plan, err := f.check(cmd)
			if err != nil {
				return err
			}
			return f.send(cmd, plan)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "recipient 0x address (mixed case must be a valid EIP-55 checksum)")
	fl.StringVar(&f.value, "value", "", "amount in CRN, up to 18 decimals (\"1.5\")")
	fl.StringVar(&f.data, "data", "", "0x-hex call data (the gas limit is then estimated unless --gas-limit is given)")
	fl.BoolVar(&f.legacy, "legacy", false, "send an EIP-155 legacy transaction instead of EIP-1559")
	f.register(fl, transferGas)
	return cmd
}

// register adds the flags every sending command shares: the wallet, the
// sender, fees, gas, nonce, waiting and the node.
func (f *sendFlags) register(fl *pflag.FlagSet, gas uint64) {
	fl.StringVar(&f.wf.home, "home", defaultHome(), "Cairn home directory holding wallet.json")
	fl.StringVar(&f.wf.passwordFile, "password-file", "", "read the wallet password from the first line of this file instead of prompting")
	fl.StringVar(&f.from, "from", "", "sending account: its number in `cairn wallet list` (1 is the first) or its 0x address (default: the default account)")
	if gas > 0 {
		fl.Uint64Var(&f.gasLimit, "gas-limit", gas, "gas limit")
	} else {
		fl.Uint64Var(&f.gasLimit, "gas-limit", 0, "gas limit (default: estimated)")
	}
	fl.StringVar(&f.tip, "tip", "", "priority fee per gas in gwei (default 1)")
	fl.StringVar(&f.maxFee, "max-fee", "", "max fee per gas in gwei, or the gas price with --legacy (default from the node's base fee)")
	fl.Uint64Var(&f.nonce, "nonce", 0, "nonce (default: the account's next, counting pending transactions)")
	fl.BoolVar(&f.wait, "wait", false, "wait until the transaction is in a block and print its receipt")
	fl.StringVar(&f.qf.api, "api", "http://127.0.0.1:8545", "the node's REST API (host:port or URL)")
	fl.BoolVar(&f.qf.json, "json", false, "print the result as JSON")
	fl.DurationVar(&f.qf.timeout, "timeout", 60*time.Second, "how long to wait for the node (and, with --wait, for inclusion)")
}

// check validates everything that needs neither the node nor the wallet,
// so typos fail before any password prompt.
func (f *sendFlags) check(cmd *cobra.Command) (*sendPlan, error) {
	p := &sendPlan{}
	if f.to == "" {
		return nil, usageErr("--to is required: the 0x address to send to")
	}
	to, err := api.ParseAddress(f.to)
	if err != nil {
		return nil, usageErr("--to: %s", apiMessage(err))
	}
	p.to = to
	if f.value == "" {
		return nil, usageErr("--value is required: the amount in CRN (\"0\" to send none)")
	}
	if p.value, err = parseCRN(f.value); err != nil {
		return nil, usageErr("--value: %v", err)
	}
	if f.data != "" {
		if p.data, err = hexutil.Decode(f.data); err != nil {
			return nil, usageErr("--data: want 0x followed by an even number of hex digits")
		}
		if len(p.data) > maxTxData {
			return nil, usageErr("--data is %d bytes, at most %d", len(p.data), maxTxData)
		}
	}
	if err := f.checkCommon(cmd, p); err != nil {
		return nil, err
	}
	return p, nil
}

// checkCommon validates the flags every sending command shares into p.
func (f *sendFlags) checkCommon(cmd *cobra.Command, p *sendPlan) error {
	var err error
	if f.tip != "" {
		if p.tip, err = loadgen.ParseGwei(f.tip); err != nil {
			return usageErr("--tip: %v", err)
		}
	}
	if f.maxFee != "" {
		if p.maxFee, err = loadgen.ParseGwei(f.maxFee); err != nil {
			return usageErr("--max-fee: %v", err)
		}
		if p.maxFee.Sign() == 0 {
			return usageErr("--max-fee must be above zero")
		}
	}
	if p.tip != nil && p.maxFee != nil && p.tip.Cmp(p.maxFee) > 0 {
		return usageErr("--tip %s gwei is above --max-fee %s gwei", f.tip, f.maxFee)
	}
	if cmd.Flags().Changed("gas-limit") {
		if f.gasLimit < transferGas {
			return usageErr("--gas-limit %d is below %d, the cost of any transaction", f.gasLimit, transferGas)
		}
		p.gasLimit = f.gasLimit
	} else if len(p.data) == 0 && p.dataFor == nil {
		p.gasLimit = transferGas
	}
	if cmd.Flags().Changed("nonce") {
		n := f.nonce
		p.nonce = &n
	}
	if f.qf.timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	return nil
}

// apiMessage is the message of an *api.Error (as the API's parse helpers
// return), or the error's text.
func apiMessage(err error) string {
	var e *api.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// sendResult is what `tx send --json` prints.
type sendResult struct {
	Hash     common.Hash `json:"hash"`
	From     string      `json:"from"` // EIP-55 checksummed
	To       string      `json:"to"`
	Value    *api.Amount `json:"value"` // wei
	Nonce    uint64      `json:"nonce"`
	Type     uint8       `json:"type"` // 0 legacy, 2 EIP-1559
	GasLimit uint64      `json:"gasLimit"`
	// With --wait: the included transaction with its receipt, and the fee
	// it paid in wei (gas used × effective gas price).
	Tx      *api.Tx     `json:"tx,omitempty"`
	FeePaid *api.Amount `json:"feePaid,omitempty"`
}

// send asks the node for what the transaction needs, then for the password,
// signs, submits and (with --wait) follows it into a block.
func (f *sendFlags) send(cmd *cobra.Command, p *sendPlan) error {
	w, err := f.wf.open()
	if err != nil {
		return err
	}
	acc, err := resolveAccount(w, f.from, "--from")
	if err != nil {
		return err
	}
	from := acc.Address

	// Ask the node first: an unreachable node or an empty account should
	// not cost the user a password.
	var tx *types.Transaction
	var chainID *big.Int
	var refused error // a complete answer for the user, kept out of run's wording
	err = f.qf.run(cmd, func(ctx context.Context, c *api.Client, _ *queryPrinter) error {
		var berr error
		tx, chainID, berr = f.build(ctx, c, p, from)
		if _, ok := berr.(plainErr); ok {
			refused = berr
			return nil
		}
		return berr
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}

	pw, err := f.wf.password().existing()
	if err != nil {
		return err
	}
	if err := w.Unlock(pw); err != nil {
		return f.wf.explain(err)
	}
	signed, err := w.SignTx(from, tx, chainID)
	w.Lock()
	if err != nil {
		return err
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode transaction: %w", err)
	}

	res := &sendResult{
		Hash: signed.Hash(), From: from.Hex(), To: p.to.Hex(), Value: api.NewAmount(p.value),
		Nonce: signed.Nonce(), Type: signed.Type(), GasLimit: signed.Gas(),
	}
	if p.create {
		res.To = ""
	}
	var dropped string
	var timedOut bool
	err = f.qf.run(cmd, func(ctx context.Context, c *api.Client, _ *queryPrinter) error {
		var evs <-chan api.Event
		if f.wait { // subscribe first so the inclusion cannot be missed
			var serr error
			if evs, serr = c.Subscribe(ctx); serr != nil {
				return serr
			}
		}
		if _, err := c.SendRawTx(ctx, raw); err != nil {
			var apiErr *api.Error
			if errors.As(err, &apiErr) && apiErr.Code != api.CodeInternal && apiErr.Status < 500 {
				refused = fmt.Errorf("the node refused the transaction (%s): %s", apiErr.Code, apiErr.Message)
				return nil
			}
			return err
		}
		if !f.wait {
			return nil
		}
		var werr error
		res.Tx, dropped, werr = waitIncluded(ctx, c, evs, res.Hash)
		if werr != nil && ctx.Err() != nil {
			timedOut = true
			return nil
		}
		return werr
	})
	if err != nil {
		return err
	}
	switch {
	case refused != nil:
		return refused
	case timedOut:
		return fmt.Errorf("transaction %s was sent but not included within %v: check it later with `cairn query tx %s --api %s`", res.Hash.Hex(), f.qf.timeout, res.Hash.Hex(), f.qf.api)
	case dropped != "":
		return fmt.Errorf("the node dropped transaction %s without including it (%s): nothing was spent; send it again", res.Hash.Hex(), dropped)
	}
	if res.Tx != nil && res.Tx.Receipt != nil {
		fee := new(big.Int).Mul(new(big.Int).SetUint64(res.Tx.Receipt.GasUsed), queryInt(res.Tx.Receipt.EffectiveGasPrice))
		res.FeePaid = api.NewAmount(fee)
	}
	printResult := f.print
	if p.print != nil {
		printResult = p.print
	}
	if err := printResult(cmd, res); err != nil {
		return err
	}
	if r := res.Tx; r != nil && r.Receipt != nil && r.Receipt.Status != 1 {
		return fmt.Errorf("transaction %s was included in block %d but failed (reverted or out of gas): the value was not moved, the fee was paid", res.Hash.Hex(), *r.BlockHeight)
	}
	return nil
}

// build fills in chain ID, nonce, fees and gas from the node, checks the
// balance covers the worst case, and returns the unsigned transaction.
func (f *sendFlags) build(ctx context.Context, c *api.Client, p *sendPlan, from common.Address) (*types.Transaction, *big.Int, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, nil, err
	}
	chainID := new(big.Int).SetUint64(st.ChainID)
	if p.dataFor != nil {
		if p.data, err = p.dataFor(st.ChainID, from); err != nil {
			return nil, nil, err
		}
	}
	acc, err := c.Account(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	nonce := acc.PendingNonce
	if p.nonce != nil {
		nonce = *p.nonce
	}
	head, err := c.Block(ctx, "latest", false)
	if err != nil {
		return nil, nil, err
	}
	// The next block's base fee is at most 1/8 above the head's (EIP-1559).
	base := queryInt(head.BaseFee)
	next := new(big.Int).Add(base, new(big.Int).Div(new(big.Int).Add(base, big.NewInt(7)), big.NewInt(8)))
	tip := p.tip
	if tip == nil {
		tip = new(big.Int).Set(defaultTip)
		if p.maxFee != nil && tip.Cmp(p.maxFee) > 0 {
			tip.Set(p.maxFee)
		}
	}
	maxFee := p.maxFee
	if maxFee == nil {
		if f.legacy {
			maxFee = new(big.Int).Add(next, tip)
		} else {
			maxFee = new(big.Int).Add(new(big.Int).Lsh(next, 1), tip)
		}
	}
	gas := p.gasLimit
	if gas == 0 {
		if gas, err = estimateGas(ctx, c, from, p); err != nil {
			return nil, nil, err
		}
	}
	worst := new(big.Int).Add(p.value, new(big.Int).Mul(maxFee, new(big.Int).SetUint64(gas)))
	if bal := queryInt(acc.Balance); bal.Cmp(worst) < 0 {
		return nil, nil, plainErrorf("%s has %s; this transaction can cost up to %s CRN (value + gas limit × max fee): send less or fund the account first",
			from.Hex(), queryCRN(bal), queryUnits(worst, 18))
	}
	to := &p.to
	if p.create {
		to = nil
	}
	var data types.TxData
	if f.legacy {
		data = &types.LegacyTx{Nonce: nonce, GasPrice: maxFee, Gas: gas, To: to, Value: p.value, Data: p.data}
	} else {
		data = &types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: maxFee, Gas: gas, To: to, Value: p.value, Data: p.data}
	}
	return types.NewTx(data), chainID, nil
}

// plainErr is an error whose message is already complete for the user, so
// it is shown as it is rather than as a failure to talk to the node.
type plainErr struct{ error }

func plainErrorf(format string, args ...any) error { return plainErr{fmt.Errorf(format, args...)} }

// estimateGas runs the transaction as a read-only call and adds a margin
// for refunds and the 63/64 rule; a call that fails is reported instead of
// sent.
func estimateGas(ctx context.Context, c *api.Client, from common.Address, p *sendPlan) (uint64, error) {
	to := &p.to
	if p.create {
		to = nil
	}
	res, err := c.Call(ctx, api.CallRequest{From: from, To: to, Data: p.data, Value: api.NewAmount(p.value)})
	if err != nil {
		return 0, err
	}
	if res.Error != "" {
		reason := res.Error
		if p.explainRevert != nil && strings.HasPrefix(reason, "execution reverted") {
			reason = "reverted: " + p.explainRevert(res.ReturnData)
		}
		return 0, plainErrorf("the transaction would fail (%s): nothing was sent; give --gas-limit to send it anyway", reason)
	}
	return max(transferGas, res.GasUsed+res.GasUsed/4), nil
}

// waitIncluded follows the node's events until hash is in a block (its
// transaction with receipt), the node drops it (the reason), or ctx ends.
// It looks the transaction up once now and again after every new block.
func waitIncluded(ctx context.Context, c *api.Client, evs <-chan api.Event, hash common.Hash) (*api.Tx, string, error) {
	for {
		tx, err := c.Tx(ctx, hash)
		var apiErr *api.Error
		switch {
		case err == nil && tx.Status == api.TxIncluded && tx.Receipt != nil:
			return tx, "", nil
		case err != nil && !(errors.As(err, &apiErr) && apiErr.Code == api.CodeNotFound):
			return nil, "", err
		}
		for again := false; !again; {
			select {
			case ev, ok := <-evs:
				if !ok {
					if ctx.Err() != nil {
						return nil, "", ctx.Err()
					}
					return nil, "", errors.New("the node's event stream ended before the transaction was included")
				}
				if ev.Dropped != nil && ev.Dropped.Hash == hash {
					return nil, ev.Dropped.Reason, nil
				}
				again = ev.Block != nil
			case <-ctx.Done():
				return nil, "", ctx.Err()
			}
		}
	}
}

// print shows the result: JSON, or the hash and, after --wait, the receipt.
func (f *sendFlags) print(cmd *cobra.Command, res *sendResult) error {
	p := &queryPrinter{w: cmd.OutOrStdout(), json: f.qf.json}
	return p.show(res, func() {
		p.kv("hash", "%s", res.Hash.Hex())
		p.kv("from", "%s (nonce %d)", res.From, res.Nonce)
		p.kv("to", "%s", res.To)
		p.kv("value", "%s", queryCRN(res.Value.Int()))
		r := res.Tx
		if r == nil {
			p.kv("status", "sent; follow it with `cairn query tx %s`", res.Hash.Hex())
			return
		}
		outcome := "success"
		if r.Receipt.Status != 1 {
			outcome = "failed (reverted or out of gas)"
		}
		p.kv("status", "%s", outcome)
		if r.BlockHeight != nil {
			p.kv("block", "%d", *r.BlockHeight)
		}
		p.kv("gas used", "%d of %d", r.Receipt.GasUsed, r.Gas)
		p.kv("fee paid", "%s", queryCRN(res.FeePaid.Int()))
	})
}
