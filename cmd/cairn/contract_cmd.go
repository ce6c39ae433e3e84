package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"cairn/node/api"
	"cairn/wallet/contracts"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { extraCommands = append(extraCommands, newContractCmd) }

// newContractCmd is `cairn contract deploy|call|send|events|add|list`.
func newContractCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "contract",
		Short: "Deploy compiled contracts, call and send to them, list their events, keep an address book",
		Long: "contract works with Solidity contracts on a node: deploy reads a compiled artifact\n" +
			"(Foundry's out/X.sol/X.json, Hardhat's artifacts/**/X.json, or solc's --combined-json\n" +
			"and --standard-json output), call and send encode arguments by the function's ABI types,\n" +
			"and results, events and reverts are decoded. A function is named by its signature\n" +
			"('transfer(address,uint256)', which needs no ABI; add 'returns (uint256)' to decode a\n" +
			"result) or, when the ABI is known, by its name. Contracts deployed or added are kept in\n" +
			"<home>/contracts.json with their ABI, and every command takes a name from it in place of\n" +
			"an address. A negative number argument reads as a flag: give the arguments after --.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetFlagErrorFunc(contractFlagError)
	cmd.AddCommand(newContractDeployCmd(), newContractCallCmd(), newContractSendCmd(),
		newContractEventsCmd(), newContractAddCmd(), newContractListCmd())
	return cmd
}

// contractFlagError is flagErrorLine with a hint for negative numbers,
// which the flag parser takes for flags.
func contractFlagError(c *cobra.Command, err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "unknown shorthand flag: '"); i >= 0 && i+26 < len(msg) && msg[i+25] >= '0' && msg[i+25] <= '9' {
		return usageErr("%v: a negative number reads as a flag; give the arguments after -- (like `%s CONTRACT FUNCTION -- -5`)", err, c.CommandPath())
	}
	return flagErrorLine(c, err)
}

// abiFlags are how a command learns a contract's ABI besides the book.
type abiFlags struct {
	abiFile  string // --abi: an artifact or a bare ABI
	contract string // --contract: which contract of a multi-contract file
}

func (a *abiFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&a.abiFile, "abi", "", "the contract's ABI: an artifact (Foundry, Hardhat, solc output) or a bare ABI JSON file (default: the address book's)")
	fl.StringVar(&a.contract, "contract", "", "which contract of a file that holds several (\"Token\" or \"src/Token.sol:Token\")")
}

// readFlags are the flags of the commands that only read: the home
// holding the address book and the node.
type readFlags struct {
	home string
	qf   queryFlags
}

func (r *readFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&r.home, "home", defaultHome(), "Cairn home directory holding the address book (contracts.json)")
	fl.StringVar(&r.qf.api, "api", "http://127.0.0.1:8545", "the node's API (host:port or URL)")
	fl.BoolVar(&r.qf.json, "json", false, "print the result as JSON")
	fl.DurationVar(&r.qf.timeout, "timeout", 15*time.Second, "how long to wait for the node")
}

// target checks the read flags, opens the home's address book and
// resolves the contract ref names (an address or a book name), with its
// ABI from af or the book.
func (r *readFlags) target(ref string, af abiFlags) (*contracts.Book, *target, error) {
	if r.qf.timeout <= 0 {
		return nil, nil, usageErr("--timeout must be positive")
	}
	book, err := openBook(r.home)
	if err != nil {
		return nil, nil, err
	}
	t, err := resolveTarget(book, ref, af)
	if err != nil {
		return nil, nil, err
	}
	return book, t, nil
}

// openBook opens the home's address book; a damaged one is an error
// that names the file and says what to do.
func openBook(home string) (*contracts.Book, error) { return contracts.OpenBook(home) }

// loadArtifact reads an artifact, turning the package's errors into usage
// errors that name the flag to use.
func loadArtifact(path, name string) (*contracts.Artifact, error) {
	a, err := contracts.LoadArtifact(path, name)
	if err == nil {
		if abs, aerr := filepath.Abs(path); aerr == nil {
			a.Path = abs // the address book keeps where the ABI came from
		}
	}
	var amb *contracts.AmbiguousError
	var nf *contracts.NotFoundError
	switch {
	case errors.As(err, &amb):
		return nil, usageErr("%s: %v with --contract", path, amb)
	case errors.As(err, &nf):
		return nil, usageErr("%s: %v", path, nf)
	}
	return a, err
}

// target is the contract a command works with.
type target struct {
	addr  common.Address
	entry *contracts.Entry // from the address book, if it knows it
	abi   *abi.ABI         // nil when unknown
}

// label is the contract as output shows it: "Token (0x5FbD…)" or the
// address.
func (t *target) label() string {
	if t.entry != nil {
		return t.entry.Name + " (" + t.addr.Hex() + ")"
	}
	return t.addr.Hex()
}

// resolveTarget reads a contract typed as an address or a book name and
// finds its ABI: --abi first, then the book's.
func resolveTarget(book *contracts.Book, ref string, af abiFlags) (*target, error) {
	addr, entry, err := book.Resolve(ref)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	t := &target{addr: addr, entry: entry}
	if af.abiFile != "" {
		a, err := loadArtifact(af.abiFile, af.contract)
		if err != nil {
			return nil, err
		}
		t.abi = &a.ABI
	} else if entry != nil {
		if t.abi, err = entry.ParsedABI(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// resolveMethod names the function to call, with a hint when the ABI is
// unknown.
func (t *target) resolveMethod(fn, returns string) (abi.Method, error) {
	m, err := contracts.ResolveMethod(t.abi, fn, returns)
	if err != nil {
		if t.abi == nil && !strings.Contains(fn, "(") {
			return abi.Method{}, usageErr("%v (--abi FILE, or `cairn contract add`)", err)
		}
		return abi.Method{}, usageErr("%v", err)
	}
	return m, nil
}

// bookAddresses replaces the address arguments typed as names in the
// address book by their addresses, so `approve Router 5e18` works.
func bookAddresses(book *contracts.Book, inputs abi.Arguments, in []string) []string {
	out := append([]string(nil), in...)
	for i, s := range out {
		if i >= len(inputs) || inputs[i].Type.T != abi.AddressTy || hasPrefixFold(strings.TrimSpace(s), "0x") {
			continue
		}
		if e, ok := book.Lookup(strings.TrimSpace(s)); ok {
			out[i] = e.Address.Hex()
		}
	}
	return out
}

// explainRevert decodes revert data with the target's ABI.
func (t *target) explainRevert(data []byte) string { return contracts.DecodeRevert(data, t.abi) }

// checksummed is an address that JSON shows EIP-55 checksummed, as the
// rest of the CLI's output does.
type checksummed common.Address

// MarshalJSON writes the checksummed 0x address.
func (a checksummed) MarshalJSON() ([]byte, error) { return json.Marshal(common.Address(a).Hex()) }

// logJSON is a log as the contract commands print it: decoded when the
// emitter's ABI is known, raw otherwise.
type logJSON struct {
	Address     checksummed      `json:"address"`
	Contract    string           `json:"contract,omitempty"` // its name in the address book
	BlockNumber *uint64          `json:"blockNumber,omitempty"`
	TxHash      *common.Hash     `json:"transactionHash,omitempty"`
	LogIndex    uint             `json:"logIndex"`
	Event       *contracts.Event `json:"event,omitempty"`
	Topics      []common.Hash    `json:"topics"`
	Data        hexutil.Bytes    `json:"data"`
	// DecodeError says why a log of a known ABI did not decode.
	DecodeError string `json:"decodeError,omitempty"`
}

// decodeLog decodes one log with the ABI of its emitter: the target's for
// the target's logs, the book's for other known contracts.
func decodeLog(book *contracts.Book, t *target, l *logJSON) {
	var a *abi.ABI
	addr := common.Address(l.Address)
	if t != nil && addr == t.addr {
		a = t.abi
		if t.entry != nil {
			l.Contract = t.entry.Name
		}
	} else if e, ok := book.LookupAddress(addr); ok {
		l.Contract = e.Name
		a, _ = e.ParsedABI()
	}
	if a == nil {
		return
	}
	ev, err := contracts.DecodeLog(a, l.Topics, l.Data)
	switch {
	case err == nil:
		l.Event = ev
	case !errors.Is(err, contracts.ErrUnknownEvent):
		l.DecodeError = err.Error()
	}
}

// printLog writes one log on one line (two when raw).
func printLog(w io.Writer, indent string, l *logJSON) {
	who := common.Address(l.Address).Hex()
	if l.Contract != "" {
		who = l.Contract
	}
	where := ""
	if l.BlockNumber != nil {
		where = fmt.Sprintf("block %d ", *l.BlockNumber)
	}
	if l.TxHash != nil {
		where += "tx " + queryShortHex(l.TxHash.Bytes())[:12] + "… "
	}
	switch {
	case l.Event != nil:
		fmt.Fprintf(w, "%s%s[%d] %s %s\n", indent, where, l.LogIndex, who, l.Event)
	default:
		why := "unknown event"
		if l.DecodeError != "" {
			why = l.DecodeError
		}
		topics := make([]string, len(l.Topics))
		for i, t := range l.Topics {
			topics[i] = t.Hex()
		}
		fmt.Fprintf(w, "%s%s[%d] %s (%s) topics [%s] data %s\n", indent, where, l.LogIndex, who, why,
			strings.Join(topics, ", "), queryShortHex(l.Data))
	}
}

// logsOf converts a receipt's logs.
func logsOf(logs []api.Log) []*logJSON {
	out := make([]*logJSON, len(logs))
	for i, l := range logs {
		out[i] = &logJSON{Address: checksummed(l.Address), LogIndex: l.LogIndex, Topics: l.Topics, Data: l.Data}
		if out[i].Topics == nil {
			out[i].Topics = []common.Hash{}
		}
	}
	return out
}
