package main

import (
	"fmt"

	"cairn/wallet/contracts"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"
)

// contractTxResult is what `contract deploy|send --json` prints: the
// transaction as `tx send` shows it, and the contract's view of it.
type contractTxResult struct {
	*sendResult
	// Contract is the contract sent to, or the one created.
	Contract checksummed `json:"contract"`
	// ContractName is its name in the address book, if it has one.
	ContractName string `json:"contractName,omitempty"`
	// Function is the signature called (send only).
	Function string `json:"function,omitempty"`
	// Saved is set when deploy put the contract in the address book.
	Saved bool `json:"savedToAddressBook,omitempty"`
	// Events are the receipt's logs, decoded where the ABI is known
	// (with --wait).
	Events []*logJSON `json:"events,omitempty"`
}

// printContractTx shows a contract transaction: JSON, or the summary of
// `tx send` with the contract and its decoded events.
func printContractTx(cmd *cobra.Command, f *sendFlags, r *contractTxResult, book *contracts.Book, t *target) error {
	if r.Tx != nil && r.Tx.Receipt != nil {
		r.Events = logsOf(r.Tx.Receipt.Logs)
		for _, l := range r.Events {
			decodeLog(book, t, l)
		}
	}
	p := &queryPrinter{w: cmd.OutOrStdout(), json: f.qf.json}
	return p.show(r, func() {
		res := r.sendResult
		p.kv("hash", "%s", res.Hash.Hex())
		p.kv("from", "%s (nonce %d)", res.From, res.Nonce)
		who := common.Address(r.Contract).Hex()
		if r.ContractName != "" {
			who = r.ContractName + " " + who
		}
		if r.Function != "" {
			p.kv("to", "%s", who)
			p.kv("function", "%s", r.Function)
		} else {
			saved := ""
			if r.Saved {
				saved = fmt.Sprintf(" (saved as %s in %s)", r.ContractName, book.Path())
			}
			p.kv("contract", "%s%s", common.Address(r.Contract).Hex(), saved)
		}
		if res.Value.Int().Sign() != 0 {
			p.kv("value", "%s", queryCRN(res.Value.Int()))
		}
		tx := res.Tx
		if tx == nil {
			p.kv("status", "sent; follow it with `cairn query tx %s`", res.Hash.Hex())
			return
		}
		outcome := "success"
		if tx.Receipt.Status != 1 {
			outcome = "failed (reverted or out of gas)"
		}
		p.kv("status", "%s", outcome)
		if tx.BlockHeight != nil {
			p.kv("block", "%d", *tx.BlockHeight)
		}
		p.kv("gas used", "%d of %d", tx.Receipt.GasUsed, tx.Gas)
		p.kv("fee paid", "%s", queryCRN(res.FeePaid.Int()))
		p.kv("events", "%d", len(r.Events))
		for _, l := range r.Events {
			printLog(p.w, "  ", l)
		}
	})
}

func newContractDeployCmd() *cobra.Command {
	var f sendFlags
	var contractName, bookName string
	var ctorFlags []string
	cmd := &cobra.Command{
		Use:   "deploy ARTIFACT [CONSTRUCTOR_ARG...]",
		Short: "Deploy a compiled contract from a wallet account and save it in the address book",
		Long: "deploy reads ARTIFACT (Foundry's out/X.sol/X.json, Hardhat's artifacts/**/X.json, or\n" +
			"solc's --combined-json abi,bin or --standard-json output; --contract picks one of several),\n" +
			"encodes the constructor arguments by their ABI types, estimates the gas and sends the\n" +
			"creation from --from. The contract is saved in <home>/contracts.json under its name (or\n" +
			"--name), replacing an older one of that name. A constructor that would revert is\n" +
			"reported with its decoded reason and nothing is sent.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("contract deploy needs the artifact file: contract deploy ARTIFACT [CONSTRUCTOR_ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			art, err := loadArtifact(args[0], contractName)
			if err != nil {
				return err
			}
			if err := art.Deployable(); err != nil {
				return usageErr("%s: %v", args[0], err)
			}
			ctorArgs := args[1:]
			if len(ctorFlags) > 0 {
				if len(ctorArgs) > 0 {
					return usageErr("give the constructor arguments after the artifact or with --args, not both")
				}
				ctorArgs = ctorFlags
			}
			book, err := openBook(f.wf.home) // a damaged book fails before anything is spent
			if err != nil {
				return err
			}
			data, err := contracts.PackConstructor(art, bookAddresses(book, art.ABI.Constructor.Inputs, ctorArgs))
			if err != nil {
				return usageErr("%v", err)
			}
			if len(data) > maxTxData {
				return usageErr("the creation code is %d bytes, at most %d", len(data), maxTxData)
			}
			value, err := parseCRN(f.value)
			if err != nil {
				return usageErr("--value: %v", err)
			}
			if value.Sign() > 0 && !art.ABI.Constructor.Payable {
				return usageErr("--value: the constructor of %s is not payable", art.Name)
			}
			if bookName == "" {
				bookName = art.Name
			}
			if err := contracts.CheckName(bookName); err != nil {
				return usageErr("--name: %v", err)
			}
			t := &target{abi: &art.ABI}
			p := &sendPlan{create: true, value: value, data: data, explainRevert: t.explainRevert}
			p.print = func(cmd *cobra.Command, res *sendResult) error {
				r := &contractTxResult{sendResult: res}
				created := crypto.CreateAddress(common.HexToAddress(res.From), res.Nonce)
				ok := true
				if res.Tx != nil && res.Tx.Receipt != nil {
					ok = res.Tx.Receipt.Status == 1
					if a := res.Tx.Receipt.ContractAddress; a != nil {
						created = *a
					}
				}
				r.Contract, t.addr = checksummed(created), created
				if ok {
					// Without --wait the address is the one the nonce gives;
					// the gas estimate showed the creation succeeds.
					entry := contracts.Entry{Name: bookName, Address: created, ABI: art.RawABI, Artifact: art.Path, TxHash: &res.Hash}
					// Read the book again: another command may have changed
					// it while this one waited for the block.
					fresh, err := openBook(f.wf.home)
					if err == nil {
						book = fresh
						err = book.Add(entry)
					}
					if err == nil {
						err = book.Save()
					}
					if err != nil {
						return fmt.Errorf("contract %s was deployed at %s (transaction %s), but the address book could not be saved: %w; add it later with `cairn contract add %s %s --abi %s`",
							bookName, created.Hex(), res.Hash.Hex(), err, bookName, created.Hex(), art.Path)
					}
					r.Saved, r.ContractName = true, bookName
					t.entry = &entry
				}
				return printContractTx(cmd, &f, r, book, t)
			}
			if err := f.checkCommon(cmd, p); err != nil {
				return err
			}
			return f.send(cmd, p)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&contractName, "contract", "", "which contract of an artifact that holds several (\"Token\" or \"src/Token.sol:Token\")")
	fl.StringArrayVar(&ctorFlags, "args", nil, "a constructor argument; repeat for each, in order (or give them after ARTIFACT)")
	fl.StringVar(&bookName, "name", "", "the contract's name in the address book (default: its name in the artifact)")
	fl.StringVar(&f.value, "value", "0", "CRN sent to a payable constructor")
	fl.BoolVar(&f.legacy, "legacy", false, "send an EIP-155 legacy transaction instead of EIP-1559")
	f.register(fl, 0)
	return cmd
}

func newContractSendCmd() *cobra.Command {
	var f sendFlags
	var af abiFlags
	cmd := &cobra.Command{
		Use:   "send CONTRACT FUNCTION [ARG...]",
		Short: "Send a transaction calling a contract function from a wallet account",
		Long: "send calls FUNCTION of CONTRACT (a 0x address or a name in the address book) in a signed\n" +
			"transaction from --from. FUNCTION is a signature ('transfer(address,uint256)') or, when\n" +
			"the ABI is known (--abi or the address book), a name. The call is run first to estimate\n" +
			"the gas: one that would revert is reported with its decoded reason and not sent.\n" +
			"--wait prints the receipt and the events, decoded with the ABIs the address book knows.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErr("contract send takes the contract, the function and its arguments: contract send CONTRACT FUNCTION [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			book, err := openBook(f.wf.home)
			if err != nil {
				return err
			}
			t, err := resolveTarget(book, args[0], af)
			if err != nil {
				return err
			}
			m, err := t.resolveMethod(args[1], "")
			if err != nil {
				return err
			}
			data, err := contracts.Pack(m, bookAddresses(book, m.Inputs, args[2:]))
			if err != nil {
				return usageErr("%v", err)
			}
			if len(data) > maxTxData {
				return usageErr("the call data is %d bytes, at most %d", len(data), maxTxData)
			}
			value, err := parseCRN(f.value)
			if err != nil {
				return usageErr("--value: %v", err)
			}
			if value.Sign() > 0 && t.abi != nil {
				if known, ok := t.abi.Methods[m.Name]; ok && known.Sig == m.Sig && !known.Payable && known.StateMutability != "payable" {
					return usageErr("--value: %s is not payable", m.Sig)
				}
			}
			p := &sendPlan{to: t.addr, value: value, data: data, explainRevert: t.explainRevert}
			p.print = func(cmd *cobra.Command, res *sendResult) error {
				r := &contractTxResult{sendResult: res, Contract: checksummed(t.addr), Function: m.Sig}
				if t.entry != nil {
					r.ContractName = t.entry.Name
				}
				return printContractTx(cmd, &f, r, book, t)
			}
			if err := f.checkCommon(cmd, p); err != nil {
				return err
			}
			return f.send(cmd, p)
		},
	}
	fl := cmd.Flags()
	af.register(fl)
	fl.StringVar(&f.value, "value", "0", "CRN sent with the call (payable functions)")
	fl.BoolVar(&f.legacy, "legacy", false, "send an EIP-155 legacy transaction instead of EIP-1559")
	f.register(fl, 0)
	return cmd
}
