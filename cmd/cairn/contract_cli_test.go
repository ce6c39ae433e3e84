package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// The fixtures of wallet/contracts: one solc-js 0.8.28 compilation of
// Token.sol written as Foundry, Hardhat and solc outputs.
var (
	foundryToken  = filepath.Join("..", "..", "wallet", "contracts", "testdata", "out", "Token.sol", "Token.json")
	hardhatToken  = filepath.Join("..", "..", "wallet", "contracts", "testdata", "artifacts", "contracts", "Token.sol", "Token.json")
	combinedToken = filepath.Join("..", "..", "wallet", "contracts", "testdata", "combined.json")
	standardToken = filepath.Join("..", "..", "wallet", "contracts", "testdata", "standard-output.json")
)

// contractTxJSON is what `contract deploy|send --json` prints, as a
// script reads it.
type contractTxJSON struct {
	sendResult
	Contract     string `json:"contract"`
	ContractName string `json:"contractName"`
	Function     string `json:"function"`
	Saved        bool   `json:"savedToAddressBook"`
	Events       []struct {
		Address  string `json:"address"`
		Contract string `json:"contract"`
		Event    *struct {
			Name      string `json:"name"`
			Signature string `json:"signature"`
			Args      []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Value any    `json:"value"`
			} `json:"args"`
		} `json:"event"`
	} `json:"events"`
}

// TestContractCLI deploys the fixture Token from its Foundry and its
// Hardhat artifact to a devnet node, calls it, sends to it, decodes its
// events and a custom-error revert, names a contract by hand and reads
// its logs through eth_getLogs.
func TestContractCLI(t *testing.T) {
	t.Parallel()
	home, pw := importDev(t)
	mustWallet(t, "", "wallet", "derive", "--home", home, "--password-file", pw)
	p := startNode(t, t.TempDir())
	dev, bob := chain.DevnetAccounts[0].Hex(), chain.DevnetAccounts[1].Hex()
	at := []string{"--home", home, "--api", p.addr}
	signed := append([]string{"--password-file", pw}, at...)
	run := func(args ...string) string {
		t.Helper()
		return mustWallet(t, "", append(args, at...)...)
	}
	tx := func(args ...string) contractTxJSON {
		t.Helper()
		out := mustWallet(t, "", append(append(args, "--wait", "--json"), signed...)...)
		var r contractTxJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil || r.Tx == nil || r.Tx.Receipt == nil || r.Tx.Receipt.Status != 1 {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
		return r
	}

	// Deploy from the Foundry artifact: the constructor mints 1000000e18.
	d := tx("contract", "deploy", foundryToken, "--args", "1000000e18", "--from", "1")
	if d.ContractName != "Token" || !d.Saved || d.To != "" || d.Tx.Receipt.ContractAddress == nil ||
		d.Contract != d.Tx.Receipt.ContractAddress.Hex() {
		t.Fatalf("deploy: %+v", d)
	}
	if len(d.Events) != 1 || d.Events[0].Event == nil || d.Events[0].Event.Name != "Transfer" || d.Events[0].Contract != "Token" ||
		d.Events[0].Event.Args[2].Value != "1000000000000000000000000" {
		t.Fatalf("deploy events: %+v", d.Events)
	}
	token := d.Contract
	acc, err := p.client.Account(context.Background(), common.HexToAddress(token))
	if err != nil || !acc.IsContract {
		t.Fatalf("no contract at %s: %v %+v", token, err, acc)
	}

	// Deploy from the Hardhat artifact under another name, arguments after
	// the file.
	h := tx("contract", "deploy", hardhatToken, "7", "--from", "1", "--name", "HH")
	if h.ContractName != "HH" || h.Contract == token {
		t.Fatalf("hardhat deploy: %+v", h)
	}

	// From solc's standard-JSON output, without --wait: the book gets the
	// address the nonce gives, which is where the contract lands.
	out := mustWallet(t, "", append([]string{"contract", "deploy", standardToken, "--contract", "Token", "3", "--from", "1", "--name", "Std", "--json"}, signed...)...)
	var sd contractTxJSON
	if err := json.Unmarshal([]byte(out), &sd); err != nil || !sd.Saved || sd.Tx != nil {
		t.Fatalf("deploy without --wait: %v %s", err, out)
	}
	if inc := p.waitTx(context.Background(), sd.Hash); inc.Receipt == nil || inc.Receipt.ContractAddress == nil || inc.Receipt.ContractAddress.Hex() != sd.Contract {
		t.Fatalf("deployed without --wait to %s, the receipt says %+v", sd.Contract, inc.Receipt)
	}
	if out := run("contract", "call", "Std", "totalSupply"); out != "3\n" {
		t.Fatalf("call Std: %q", out)
	}

	// Calls: by name with the book's ABI, and by address with only a
	// signature (a home with no book).
	if out := run("contract", "call", "Token", "balanceOf", dev); out != "1000000000000000000000000\n" {
		t.Fatalf("call balanceOf: %q", out)
	}
	bare := []string{"--home", t.TempDir(), "--api", p.addr}
	if out := mustWallet(t, "", append([]string{"contract", "call", h.Contract, "totalSupply() returns (uint256)"}, bare...)...); out != "7\n" {
		t.Fatalf("call by signature: %q", out)
	}
	if out := mustWallet(t, "", append([]string{"contract", "call", h.Contract, "name()", "--returns", "string"}, bare...)...); out != "\"Token\"\n" {
		t.Fatalf("call with --returns: %q", out)
	}
	if out := run("contract", "call", "HH", "flip", "(5, -9)"); out != "(x: 9, y: 5)\n" {
		t.Fatalf("call with a tuple: %q", out)
	}
	var cj struct {
		Values []struct {
			Type  string `json:"type"`
			Value any    `json:"value"`
		} `json:"values"`
	}
	out = run("contract", "call", "HH", "sum", "[1, 2, 3e3]", "--json")
	if err := json.Unmarshal([]byte(out), &cj); err != nil || len(cj.Values) != 1 || cj.Values[0].Value != "3003" {
		t.Fatalf("call --json: %v %s", err, out)
	}

	// Send with --wait: the receipt and the decoded Transfer.
	s := tx("contract", "send", "Token", "transfer(address,uint256)", bob, "5e18", "--from", "1")
	if s.Function != "transfer(address,uint256)" || s.ContractName != "Token" || len(s.Events) != 1 {
		t.Fatalf("send: %+v", s)
	}
	ev := s.Events[0].Event
	if ev == nil || ev.Signature != "Transfer(address,address,uint256)" || ev.Args[0].Value != dev || ev.Args[1].Value != bob || ev.Args[2].Value != "5000000000000000000" {
		t.Fatalf("send event: %+v", ev)
	}
	human := mustWallet(t, "", append([]string{"contract", "send", "Token", "transfer(address,uint256)", bob, "1", "--from", "1", "--wait"}, signed...)...)
	if !strings.Contains(human, "Token Transfer(from: "+dev+", to: "+bob+", value: 1)") || !strings.Contains(human, "status         success") {
		t.Fatalf("send, human output:\n%s", human)
	}
	if out := run("contract", "call", "Token", "balanceOf", bob); out != "5000000000000000001\n" {
		t.Fatalf("balanceOf after the transfers: %q", out)
	}

	// Reverts, decoded: a custom error refused before any password prompt,
	// Error(string) and Panic(uint256) from calls.
	line := mustFail(t, "", append([]string{"contract", "send", "Token", "transfer(address,uint256)", dev, "100e18", "--from", "2"}, at...),
		"would fail", "TooLow(got: 5000000000000000001, want: 100000000000000000000)")
	if strings.Contains(line, "password") {
		t.Fatalf("a reverting send reached the password prompt: %q", line)
	}
	mustFail(t, "", append([]string{"contract", "send", "Token", "mint", bob, "1", "--from", "2"}, at...), "NotOwner(caller: "+bob+")")
	mustFail(t, "", append([]string{"contract", "call", "Token", "rename", ""}, at...), "reverted: empty name")
	mustFail(t, "", append([]string{"contract", "call", "Token", "divide", "1", "0"}, at...), "panic 0x12: division or modulo by zero")
	var rj struct {
		Revert struct {
			Kind  string `json:"kind"`
			Error string `json:"error"`
		} `json:"revert"`
	}
	out, _, code := walletCLI(t, "", append([]string{"contract", "call", "Token", "transfer(address,uint256)", dev, "100e18", "--from", "2", "--json"}, at...)...)
	if code == 0 || json.Unmarshal([]byte(out), &rj) != nil || rj.Revert.Kind != "custom" || rj.Revert.Error != "TooLow(uint256,uint256)" {
		t.Fatalf("call --json of a revert: exit %d: %s", code, out)
	}

	// Bad input is one line that says what to do.
	mustFail(t, "", append([]string{"contract", "deploy", combinedToken, "1", "--from", "1"}, at...), "src/Token.sol:IToken, src/Token.sol:Token", "--contract")
	mustFail(t, "", append([]string{"contract", "call", "Nope", "balanceOf", dev}, at...), "neither a 0x address nor a name", "HH, Std, Token")
	mustFail(t, "", append([]string{"contract", "call", "Token", "balanceOf", "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"}, at...), "EIP-55")
	mustFail(t, "", append([]string{"contract", "call", "Token", "transfer", dev, "1"}, at...), "overloaded", "transfer(address,uint256,bytes)")
	mustFail(t, "", append([]string{"contract", "call", h.Contract, "totalSupply"}, bare...), "signature")
	mustFail(t, "", append([]string{"contract", "call", "Token", "sum", "[1,2"}, at...), "argument 1 (xs uint256[])")
	mustFail(t, "", append([]string{"contract", "call", "Token", "divide", "1", "-2"}, at...), "after --")

	// A contract added by hand is known by name, with its ABI.
	out = run("contract", "add", "Mine", strings.ToLower(h.Contract), "--abi", foundryToken, "--json")
	var added struct {
		Address string `json:"address"`
		HasABI  bool   `json:"hasAbi"`
	}
	if err := json.Unmarshal([]byte(out), &added); err != nil || !added.HasABI || added.Address != h.Contract {
		t.Fatalf("contract add: %v %s", err, out)
	}
	if out := run("contract", "call", "Mine", "totalSupply"); out != "7\n" {
		t.Fatalf("call by an added name: %q", out)
	}
	// A name in the book also stands for an address argument.
	if out := run("contract", "call", "Token", "balanceOf", "Mine"); out != "0\n" {
		t.Fatalf("balanceOf(a book name): %q", out)
	}
	if out := run("contract", "list"); !strings.Contains(out, "Mine") || !strings.Contains(out, "HH") || !strings.Contains(out, token) {
		t.Fatalf("contract list:\n%s", out)
	}

	// Events through eth_getLogs, decoded with the book's ABI.
	out = run("contract", "events", "Token", "--from-block", "0", "--json")
	var logs []struct {
		BlockNumber uint64 `json:"blockNumber"`
		Event       *struct {
			Name string `json:"name"`
		} `json:"event"`
	}
	if err := json.Unmarshal([]byte(out), &logs); err != nil || len(logs) != 3 {
		t.Fatalf("events: %v %s", err, out)
	}
	for _, l := range logs {
		if l.Event == nil || l.Event.Name != "Transfer" || l.BlockNumber == 0 {
			t.Fatalf("event: %s", out)
		}
	}
	if out := run("contract", "events", "Token", "--event", "Transfer", "--from-block", "0"); strings.Count(out, "Token Transfer(") != 3 ||
		!strings.Contains(out, "block ") || !strings.Contains(out, " tx 0x") {
		t.Fatalf("events --event Transfer:\n%s", out)
	}
	if out := run("contract", "events", "Token", "--event", "Renamed"); !strings.Contains(out, "no events") {
		t.Fatalf("events --event Renamed: %q", out)
	}
	mustFail(t, "", append([]string{"contract", "events", "Token", "--event", "Nope"}, at...), "no event", "Transfer(address,address,uint256)")
	mustFail(t, "", append([]string{"contract", "events", "Token", "--from-block", "9", "--to-block", "3"}, at...), "after --to-block")
}

// TestContractBookDamaged checks that a damaged address book is one clear
// error and stays as it was.
func TestContractBookDamaged(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	path := filepath.Join(home, "contracts.json")
	if err := os.WriteFile(path, []byte(`{"version": 1, "contracts": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	mustFail(t, "", []string{"contract", "list", "--home", home}, "address book is damaged", path, "move it aside")
	mustFail(t, "", []string{"contract", "add", "T", devAddress, "--home", home}, "address book is damaged")
	if b, _ := os.ReadFile(path); string(b) != `{"version": 1, "contracts": [` {
		t.Fatalf("the damaged book was changed: %q", b)
	}
}
