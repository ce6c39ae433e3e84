package main

import (
	"fmt"
	"text/tabwriter"

	"cairn/wallet/contracts"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
)

// bookEntryJSON is one contract as `contract add|list --json` print it
// (the ABI itself stays in contracts.json).
type bookEntryJSON struct {
	Name      string       `json:"name"`
	Address   checksummed  `json:"address"`
	Artifact  string       `json:"artifact,omitempty"`
	TxHash    *common.Hash `json:"txHash,omitempty"`
	HasABI    bool         `json:"hasAbi"`
	Functions int          `json:"functions"`
	Events    int          `json:"events"`
	Replaced  *string      `json:"replaced,omitempty"` // add: the address the name had before
}

func entryJSON(e contracts.Entry) bookEntryJSON {
	out := bookEntryJSON{Name: e.Name, Address: checksummed(e.Address), Artifact: e.Artifact, TxHash: e.TxHash}
	if a, err := e.ParsedABI(); err == nil && a != nil {
		out.HasABI, out.Functions, out.Events = true, len(a.Methods), len(a.Events)
	}
	return out
}

func newContractAddCmd() *cobra.Command {
	var rf readFlags
	var af abiFlags
	cmd := &cobra.Command{
		Use:   "add NAME ADDRESS --abi FILE",
		Short: "Add a contract to the address book by hand (name, address and ABI)",
		Long: "add puts a contract in <home>/contracts.json, so commands (and the console) take NAME in\n" +
			"place of ADDRESS and know its ABI. --abi reads an artifact (Foundry, Hardhat, solc output)\n" +
			"or a bare ABI file; without it only the name is kept. A name already in the book is\n" +
			"replaced.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErr("contract add takes the name and the address: contract add NAME ADDRESS --abi FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := contracts.CheckName(name); err != nil {
				return usageErr("%v", err)
			}
			addr, err := contracts.ParseAddress(args[1])
			if err != nil {
				return usageErr("%v", err)
			}
			e := contracts.Entry{Name: name, Address: addr}
			if af.abiFile != "" {
				a, err := loadArtifact(af.abiFile, af.contract)
				if err != nil {
					return err
				}
				e.ABI, e.Artifact = a.RawABI, a.Path
			}
			book, err := openBook(rf.home)
			if err != nil {
				return err
			}
			out := entryJSON(e)
			if old, ok := book.Lookup(name); ok {
				was := old.Address.Hex()
				out.Replaced = &was
			}
			if err := book.Add(e); err != nil {
				return usageErr("%v", err)
			}
			if err := book.Save(); err != nil {
				return err
			}
			p := &queryPrinter{w: cmd.OutOrStdout(), json: rf.qf.json}
			return p.show(out, func() {
				verb := "added"
				if out.Replaced != nil {
					verb = "replaced " + *out.Replaced + " with"
				}
				abiNote := "no ABI: name functions by their signatures"
				if out.HasABI {
					abiNote = fmt.Sprintf("ABI with %d functions and %d events", out.Functions, out.Events)
				}
				fmt.Fprintf(p.w, "%s %s %s (%s) in %s\n", verb, name, addr.Hex(), abiNote, book.Path())
			})
		},
	}
	af.register(cmd.Flags())
	rf.register(cmd.Flags())
	return cmd
}

func newContractListCmd() *cobra.Command {
	var rf readFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the contracts in the address book",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usageErr("contract list takes no arguments")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			book, err := openBook(rf.home)
			if err != nil {
				return err
			}
			entries := book.List()
			out := make([]bookEntryJSON, len(entries))
			for i, e := range entries {
				out[i] = entryJSON(e)
			}
			p := &queryPrinter{w: cmd.OutOrStdout(), json: rf.qf.json}
			return p.show(out, func() {
				if len(out) == 0 {
					fmt.Fprintf(p.w, "no contracts in %s: `cairn contract deploy` and `cairn contract add` put them there\n", book.Path())
					return
				}
				tw := tabwriter.NewWriter(p.w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tADDRESS\tABI\tARTIFACT")
				for _, e := range out {
					abiNote := "none"
					if e.HasABI {
						abiNote = fmt.Sprintf("%d functions, %d events", e.Functions, e.Events)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, common.Address(e.Address).Hex(), abiNote, e.Artifact)
				}
				tw.Flush()
			})
		},
	}
	rf.register(cmd.Flags())
	return cmd
}
