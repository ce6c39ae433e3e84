package main

import (
	"context"
	"fmt"
	"strings"

	"cairn/node/api"
	"cairn/wallet/contracts"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/spf13/cobra"
)

// callResult is what `contract call --json` prints.
type callResult struct {
	Contract     checksummed       `json:"contract"`
	ContractName string            `json:"contractName,omitempty"`
	Function     string            `json:"function"`
	From         checksummed       `json:"from"`
	GasUsed      uint64            `json:"gasUsed"`
	ReturnData   hexutil.Bytes     `json:"returnData"`
	Values       []contracts.Value `json:"values"`
	// Revert is set when the call reverted; Error when it failed otherwise
	// (out of gas, …).
	Revert *contracts.Revert `json:"revert,omitempty"`
	Error  string            `json:"error,omitempty"`
}

func newContractCallCmd() *cobra.Command {
	var rf readFlags
	var af abiFlags
	var returns, from, value string
	cmd := &cobra.Command{
		Use:   "call CONTRACT FUNCTION [ARG...]",
		Short: "Call a contract function read-only and print what it returns, decoded",
		Long: "call runs FUNCTION of CONTRACT (a 0x address or a name in the address book) on the\n" +
			"node's latest state without sending a transaction, and prints the decoded return values.\n" +
			"FUNCTION is a signature ('balanceOf(address) returns (uint256)', or --returns) or, when\n" +
			"the ABI is known (--abi or the address book), a name. A call that reverts exits with\n" +
			"its decoded reason: Error(string), Panic(uint256) with its meaning, or a custom error.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErr("contract call takes the contract, the function and its arguments: contract call CONTRACT FUNCTION [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			book, t, err := rf.target(args[0], af)
			if err != nil {
				return err
			}
			m, err := t.resolveMethod(args[1], returns)
			if err != nil {
				return err
			}
			data, err := contracts.Pack(m, bookAddresses(book, m.Inputs, args[2:]))
			if err != nil {
				return usageErr("%v", err)
			}
			val, err := parseCRN(value)
			if err != nil {
				return usageErr("--value: %v", err)
			}
			var sender common.Address
			if from != "" {
				if hasPrefixFold(from, "0x") {
					if sender, err = contracts.ParseAddress(from); err != nil {
						return usageErr("--from: %v", err)
					}
				} else {
					wf := walletFlags{home: rf.home}
					w, err := wf.open()
					if err != nil {
						return err
					}
					acc, err := resolveAccount(w, from, "--from")
					if err != nil {
						return err
					}
					sender = acc.Address
				}
			}
			res := &callResult{Contract: checksummed(t.addr), Function: m.Sig, From: checksummed(sender), Values: []contracts.Value{}}
			if t.entry != nil {
				res.ContractName = t.entry.Name
			}
			var failed error
			err = rf.qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error {
				out, err := c.Call(ctx, api.CallRequest{From: sender, To: &t.addr, Data: data, Value: api.NewAmount(val)})
				if err != nil {
					return err
				}
				res.GasUsed, res.ReturnData = out.GasUsed, out.ReturnData
				switch {
				case strings.HasPrefix(out.Error, "execution reverted"):
					res.Revert = contracts.ParseRevert(out.ReturnData, t.abi)
					failed = fmt.Errorf("the call of %s on %s reverted: %s", m.Sig, t.label(), res.Revert)
				case out.Error != "":
					res.Error = out.Error
					failed = fmt.Errorf("the call of %s on %s failed: %s", m.Sig, t.label(), out.Error)
				default:
					vals, err := contracts.DecodeOutputs(m, out.ReturnData)
					if err != nil {
						failed = err
						break
					}
					if vals != nil {
						res.Values = vals
					}
				}
				if failed != nil && !p.json {
					return nil // the error says it all
				}
				return p.show(res, func() { printCallResult(p, len(m.Outputs) > 0, res) })
			})
			if err != nil {
				return err
			}
			return failed
		},
	}
	fl := cmd.Flags()
	af.register(fl)
	fl.StringVar(&returns, "returns", "", "the function's return types, when the ABI is not known (\"uint256\" or \"(uint256,bool)\")")
	fl.StringVar(&from, "from", "", "the caller (msg.sender): a 0x address, or an account number of the wallet in --home (default: the zero address)")
	fl.StringVar(&value, "value", "0", "CRN sent with the call (payable functions)")
	rf.register(fl)
	return cmd
}

// printCallResult writes the decoded values, one a line.
func printCallResult(p *queryPrinter, hasOutputs bool, res *callResult) {
	if !hasOutputs {
		if len(res.ReturnData) == 0 {
			fmt.Fprintln(p.w, "(no return value)")
		} else {
			fmt.Fprintf(p.w, "%s\n(raw return data: give the return types, like 'f() returns (uint256)' or --returns, to decode it)\n", hexutil.Encode(res.ReturnData))
		}
		return
	}
	for _, v := range res.Values {
		if v.Name != "" && len(res.Values) > 1 {
			fmt.Fprintf(p.w, "%s: %s\n", v.Name, v)
		} else {
			fmt.Fprintln(p.w, v.String())
		}
	}
}
