package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newQueryCmd) }

// queryFlags are the flags every `cairn query` subcommand shares.
type queryFlags struct {
	api     string
	json    bool
	timeout time.Duration
}

// newQueryCmd is `cairn query status|block|tx|account|peers`: read-only questions
// to a running node over its REST API.
func newQueryCmd() *cobra.Command {
	var qf queryFlags
	cmd := &cobra.Command{
		Use:   "query",
		Short: "Ask a running node about its chain (status, blocks, transactions, accounts, peers, staking)",
		Long: "query asks a running node over its REST API. Point it at the node with --api\n" +
			"(default http://127.0.0.1:8545); --json prints the API's JSON instead of a summary.",
		Args: cobra.NoArgs,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&qf.api, "api", "http://127.0.0.1:8545", "the node's REST API (host:port or URL)")
	pf.BoolVar(&qf.json, "json", false, "print the JSON the API returns")
	pf.DurationVar(&qf.timeout, "timeout", 15*time.Second, "how long to wait for the node")

	var full bool
	block := &cobra.Command{
		Use:   "block <height|0xhash|latest>",
		Short: "Show a block",
		Args:  queryArgs("block", "a height, a 0x block hash or \"latest\""),
		RunE: func(cmd *cobra.Command, args []string) error {
			return qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error {
				b, err := c.Block(ctx, args[0], full)
				if err != nil {
					return err
				}
				return p.show(b, func() { p.block(b) })
			})
		},
	}
	block.Flags().BoolVar(&full, "full", false, "include each transaction with its receipt")

	cmd.AddCommand(
		&cobra.Command{
			Use:   "status",
			Short: "Show the node's chain, head and mempool",
			Args:  queryArgs("status", ""),
			RunE: func(cmd *cobra.Command, _ []string) error {
				return qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error {
					st, err := c.Status(ctx)
					if err != nil {
						return err
					}
					return p.show(st, func() { p.status(st) })
				})
			},
		},
		block,
		newQueryPeersCmd(&qf),
		&cobra.Command{
			Use:   "tx <0xhash>",
			Short: "Show a transaction: pending, or included with its receipt",
			Args:  queryArgs("tx", "a 0x transaction hash"),
			RunE: func(cmd *cobra.Command, args []string) error {
				hash, err := api.ParseHash(args[0])
				if err != nil {
					return queryInputErr(err)
				}
				return qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error {
					tx, err := c.Tx(ctx, hash)
					if err != nil {
						return err
					}
					return p.show(tx, func() { p.tx(tx, "") })
				})
			},
		},
		&cobra.Command{
			Use:   "account <0xaddress>",
			Short: "Show an account's balance and nonce",
			Args:  queryArgs("account", "a 0x address"),
			RunE: func(cmd *cobra.Command, args []string) error {
				addr, err := api.ParseAddress(args[0])
				if err != nil {
					return queryInputErr(err)
				}
				return qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error {
					acc, err := c.Account(ctx, addr)
					if err != nil {
						return err
					}
					return p.show(acc, func() { p.account(acc) })
				})
			},
		},
	)
	cmd.AddCommand(newQueryStakingCmds(&qf)...)
	return cmd
}

// queryArgs checks a subcommand's arguments: none when what is empty, else
// exactly one, described by what.
func queryArgs(name, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case what == "" && len(args) > 0:
			return usageErr("query %s takes no arguments", name)
		case what != "" && len(args) != 1:
			return usageErr("query %s takes one argument: %s", name, what)
		}
		return nil
	}
}

// queryInputErr reports an argument the API helpers refused.
func queryInputErr(err error) error {
	var e *api.Error
	if errors.As(err, &e) {
		return usageErr("%s", e.Message)
	}
	return err
}

// run asks the node within the timeout and turns failures into one line
// that says what to do.
func (qf *queryFlags) run(cmd *cobra.Command, ask func(context.Context, *api.Client, *queryPrinter) error) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), qf.timeout)
	defer cancel()
	c := api.NewClient(qf.api, nil)
	err := ask(ctx, c, &queryPrinter{w: cmd.OutOrStdout(), json: qf.json})
	if err == nil {
		return nil
	}
	var apiErr *api.Error
	var netErr *net.OpError
	switch {
	case errors.As(err, &apiErr):
		if apiErr.Code == api.CodeNotFound || apiErr.Code == api.CodeBadRequest {
			return errors.New(apiErr.Message)
		}
		return fmt.Errorf("the node at %s answered %d: %s", c.BaseURL(), apiErr.Status, apiErr.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("the node at %s did not answer within %v: is it overloaded? (raise --timeout)", c.BaseURL(), qf.timeout)
	case errors.As(err, &netErr):
		return fmt.Errorf("cannot reach the node at %s: is `cairn node` running? (use --api to point elsewhere)", c.BaseURL())
	}
	return fmt.Errorf("query the node at %s: %w", c.BaseURL(), err)
}

// queryPrinter writes query results as indented JSON or as a short
// human-readable summary.
type queryPrinter struct {
	w    io.Writer
	json bool
}

// show prints v as JSON with --json, else calls human.
func (p *queryPrinter) show(v any, human func()) error {
	if p.json {
		enc := json.NewEncoder(p.w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	human()
	return nil
}

// kv prints one "key   value" line.
func (p *queryPrinter) kv(key string, format string, args ...any) {
	fmt.Fprintf(p.w, "%-14s %s\n", key, fmt.Sprintf(format, args...))
}

func (p *queryPrinter) status(st *api.Status) {
	p.kv("chain id", "%d", st.ChainID)
	p.kv("height", "%d", st.Height)
	p.kv("head", "%s (%s)", st.HeadHash.Hex(), queryTime(st.HeadTime))
	p.kv("finalized", "%d", st.FinalizedHeight)
	p.kv("genesis", "%s", st.GenesisHash.Hex())
	p.kv("mempool", "%d pending, %d queued, %d bytes", st.Mempool.Pending, st.Mempool.Queued, st.Mempool.Bytes)
	if st.Validator != nil {
		p.kv("validator", "%s", st.Validator.Hex())
	} else {
		p.kv("validator", "none (this node does not validate)")
	}
	if c := st.Consensus; c != nil {
		prop := "unknown"
		if c.Proposer != nil {
			prop = c.Proposer.Hex()
		}
		p.kv("consensus", "height %d round %d %s, proposer %s", c.Height, c.Round, c.Step, prop)
	}
	p.network(st)
	p.kv("block time", "%v", time.Duration(st.BlockTimeMs)*time.Millisecond)
	p.kv("node", "cairn %s, up %v", st.NodeVersion, time.Duration(st.UptimeSeconds)*time.Second)
}

func (p *queryPrinter) block(b *api.Block) {
	p.kv("height", "%d", b.Height)
	p.kv("hash", "%s", b.Hash.Hex())
	p.kv("parent", "%s", b.ParentHash.Hex())
	p.kv("time", "%s", queryTime(b.Time))
	p.kv("proposer", "%s (round %d)", b.Proposer.Hex(), b.Round)
	p.kv("gas", "%d used of %d", b.GasUsed, b.GasLimit)
	p.kv("base fee", "%s", queryGwei(queryInt(b.BaseFee)))
	p.kv("state root", "%s", b.StateRoot.Hex())
	p.kv("vrf output", "%s", queryShortHex(b.VRF.Output))
	if c := b.Commit; c != nil {
		p.kv("commit", "round %d, signed by %d validator(s)", c.Round, len(c.Signers))
	} else {
		p.kv("commit", "none stored")
	}
	p.kv("transactions", "%d", b.TxCount)
	if b.FullTransactions != nil {
		for _, tx := range b.FullTransactions {
			fmt.Fprintln(p.w)
			p.tx(tx, "  ")
		}
		return
	}
	for _, h := range b.Transactions {
		fmt.Fprintf(p.w, "  %s\n", h.Hex())
	}
}

func (p *queryPrinter) tx(tx *api.Tx, indent string) {
	kv := func(key, format string, args ...any) { p.kv(indent+key, format, args...) }
	kv("hash", "%s", tx.Hash.Hex())
	if tx.Status == api.TxIncluded && tx.BlockHeight != nil && tx.Index != nil {
		kv("status", "included in block %d at index %d", *tx.BlockHeight, *tx.Index)
	} else {
		kv("status", "%s (waiting in the mempool)", tx.Status)
	}
	kv("type", "%d (%s)", tx.Type, queryTxType(tx.Type))
	kv("from", "%s", tx.From.Hex())
	if tx.To != nil {
		kv("to", "%s", tx.To.Hex())
	} else {
		kv("to", "none (contract creation)")
	}
	kv("value", "%s", queryCRN(queryInt(tx.Value)))
	kv("nonce", "%d", tx.Nonce)
	kv("gas limit", "%d", tx.Gas)
	if tx.MaxFeePerGas != nil && tx.MaxPriorityFeePerGas != nil {
		kv("fees", "max %s, priority %s", queryGwei(queryInt(tx.MaxFeePerGas)), queryGwei(queryInt(tx.MaxPriorityFeePerGas)))
	} else if tx.GasPrice != nil {
		kv("gas price", "%s", queryGwei(queryInt(tx.GasPrice)))
	}
	if len(tx.Input) > 0 {
		kv("input", "%s (%d bytes)", queryShortHex(tx.Input), len(tx.Input))
	}
	r := tx.Receipt
	if r == nil {
		return
	}
	outcome := "success"
	if r.Status != 1 {
		outcome = "failed (reverted or out of gas)"
	}
	kv("result", "%s, gas used %d, paid %s per gas", outcome, r.GasUsed, queryGwei(queryInt(r.EffectiveGasPrice)))
	if r.ContractAddress != nil {
		kv("contract", "%s", r.ContractAddress.Hex())
	}
	kv("logs", "%d", len(r.Logs))
	for _, l := range r.Logs {
		topic := "no topics"
		if len(l.Topics) > 0 {
			topic = fmt.Sprintf("topic0 %s +%d", queryShortHex(l.Topics[0].Bytes()), len(l.Topics)-1)
		}
		fmt.Fprintf(p.w, "%s  [%d] %s %s, %d data bytes\n", indent, l.LogIndex, l.Address.Hex(), topic, len(l.Data))
	}
}

func (p *queryPrinter) account(a *api.Account) {
	p.kv("address", "%s", a.Address.Hex())
	p.kv("balance", "%s", queryCRN(queryInt(a.Balance)))
	if a.PendingNonce != a.Nonce {
		p.kv("nonce", "%d (next to use: %d, counting pending transactions)", a.Nonce, a.PendingNonce)
	} else {
		p.kv("nonce", "%d", a.Nonce)
	}
	if a.IsContract {
		p.kv("contract", "yes")
	} else {
		p.kv("contract", "no")
	}
}

// queryInt unwraps an API amount; a missing one counts as zero.
func queryInt(b *api.Amount) *big.Int {
	if b == nil {
		return new(big.Int)
	}
	return b.Int()
}

// queryCRN shows an amount of wei in CRN (18 decimals, exact) and in wei.
func queryCRN(wei *big.Int) string {
	return queryUnits(wei, 18) + " CRN (" + wei.String() + " wei)"
}

// queryGwei shows an amount of wei per gas in gwei (exact) and in wei.
func queryGwei(wei *big.Int) string {
	return queryUnits(wei, 9) + " gwei (" + wei.String() + " wei)"
}

// queryUnits writes x / 10^decimals exactly, without trailing zeros.
func queryUnits(x *big.Int, decimals int) string {
	abs := new(big.Int).Abs(x)
	unit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	whole, frac := new(big.Int).QuoRem(abs, unit, new(big.Int))
	s := whole.String()
	if frac.Sign() != 0 {
		f := frac.String()
		s += "." + strings.TrimRight(strings.Repeat("0", decimals-len(f))+f, "0")
	}
	if x.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// queryTime shows a block time (unix milliseconds) in UTC.
func queryTime(ms uint64) string {
	return time.UnixMilli(int64(ms)).UTC().Format("2006-01-02 15:04:05.000 UTC")
}

// queryShortHex shows bytes as 0x-hex, cut in the middle when long.
func queryShortHex(b []byte) string {
	s := common.Bytes2Hex(b)
	if len(s) > 64 {
		s = s[:28] + "…" + s[len(s)-28:]
	}
	return "0x" + s
}

// queryTxType names a transaction type.
func queryTxType(t uint8) string {
	switch t {
	case 0:
		return "legacy"
	case 1:
		return "EIP-2930 access list"
	case 2:
		return "EIP-1559 dynamic fee"
	}
	return "unknown"
}
