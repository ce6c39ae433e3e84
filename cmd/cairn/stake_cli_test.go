package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/chain/staking"
	"cairn/node"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/accounts/abi"
)

// stakingView calls a view of the staking contract on the node and
// unpacks its outputs.
func stakingView(t *testing.T, c *api.Client, method string, args ...any) []any {
	t.Helper()
	data, err := staking.ABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	to := staking.Address
	res, err := c.Call(context.Background(), api.CallRequest{To: &to, Data: data})
	if err != nil || res.Error != "" {
		t.Fatalf("%s: %v %+v", method, err, res)
	}
	out, err := staking.ABI.Unpack(method, res.ReturnData)
	if err != nil {
		t.Fatalf("unpack %s: %v", method, err)
	}
	return out
}

// TestTxStake runs the staking commands against a devnet node: each one
// that the contract would refuse fails before the password with the
// contract's reason, and each one that it accepts moves the stake.
func TestTxStake(t *testing.T) {
	t.Parallel()
	home, pw := importDev(t)
	p := startNode(t, t.TempDir())
	st, err := p.client.Status(context.Background())
	if err != nil || st.Validator == nil {
		t.Fatalf("status: %v %+v", err, st)
	}
	// The devnet's first account operates its validator: stake from the
	// second.
	mustWallet(t, "", "wallet", "derive", "--home", home, "--password-file", pw)
	val, from := st.Validator.Hex(), chain.DevnetAccounts[1]
	send := func(args ...string) sendResult {
		t.Helper()
		out := mustWallet(t, "", append(append([]string{"tx", "stake"}, args...),
			"--from", "2", "--home", home, "--password-file", pw, "--wait", "--json", "--api", p.addr)...)
		var res sendResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Tx == nil || res.Tx.Receipt == nil || res.Tx.Receipt.Status != 1 {
			t.Fatalf("tx stake %v: %v: %s", args, err, out)
		}
		return res
	}
	refused := func(args []string, want ...string) {
		t.Helper()
		// No password file: reaching the prompt would fail otherwise.
		line := mustFail(t, "", append(append([]string{"tx", "stake"}, args...), "--from", "2", "--home", home, "--api", p.addr), want...)
		if strings.Contains(line, "password") {
			t.Fatalf("%v: %q; want the refusal before any password prompt", args, line)
		}
	}

	send("delegate", val, "250")
	if out := stakingView(t, p.client, "delegation", from, *st.Validator); out[0].(*big.Int).Cmp(chain.CRN(250)) != 0 {
		t.Fatalf("delegation after delegate 250: %v", out[0])
	}
	refused([]string{"undelegate", val, "300"}, "would fail", "exceeds the delegation's 250 CRN")
	refused([]string{"delegate", "0x1234", "1"}, "invalid address")
	refused([]string{"delegate", val, "0"}, "above zero")
	refused([]string{"delegate", val}, "takes 2 arguments")

	send("undelegate", val, "100")
	u := stakingView(t, p.client, "unbondings", from)[0]
	entries := *abi.ConvertType(u, new([]staking.Unbonding)).(*[]staking.Unbonding)
	if len(entries) != 1 || entries[0].Amount.Cmp(chain.CRN(100)) != 0 {
		t.Fatalf("unbondings after undelegate 100: %+v", entries)
	}
	refused([]string{"withdraw"}, "nothing to withdraw")
	send("claim", val)

	// The queries read the same state.
	out, errOut, code := runCLI(t, "query", "delegations", from.Hex(), "--json", "--api", p.addr)
	var d api.Delegations
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || len(d.Delegations) != 1 || d.Delegations[0].Amount.Int().Cmp(chain.CRN(150)) != 0 ||
		len(d.Unbondings) != 1 || d.Unbondings[0].Kind != api.UnbondingKindUnbonding {
		t.Fatalf("query delegations: exit %d %s: %s", code, errOut, out)
	}
	out, _, code = runCLI(t, "query", "validators", "--api", p.addr)
	if code != 0 || !strings.Contains(out, "devnet-0") || !strings.Contains(out, "active") {
		t.Fatalf("query validators: exit %d: %s", code, out)
	}
	for _, q := range []string{"rewards", "unbondings"} {
		if out, errOut, code := runCLI(t, "query", q, from.Hex(), "--api", p.addr); code != 0 || out == "" {
			t.Fatalf("query %s: exit %d %s", q, code, errOut)
		}
	}
	if _, errOut, code := runCLI(t, "query", "validator", from.Hex(), "--api", p.addr); code == 0 || !strings.Contains(errOut, "no validator") {
		t.Fatalf("query validator of a non-validator: exit %d %q", code, errOut)
	}

	// A second validator, registered from the CLI with its own key file.
	seed := sha256.Sum256([]byte("cairn cli test validator"))
	keyFile := filepath.Join(t.TempDir(), "validator_key.json")
	if err := node.SaveValidatorKey(keyFile, ed25519.NewKeyFromSeed(seed[:])); err != nil {
		t.Fatal(err)
	}
	refused([]string{"create-validator", "--consensus-key", keyFile, "--stake", "2000", "--commission", "5"}, "--commission", "5%")
	refused([]string{"create-validator", "--consensus-key", keyFile, "--stake", "10", "--commission", "5%"}, "below the minimum 1000 CRN")
	send("create-validator", "--consensus-key", keyFile, "--stake", "2000", "--commission", "5%", "--moniker", "cli validator")
	v := stakingView(t, p.client, "validator", from)[0]
	info := *abi.ConvertType(v, new(staking.ValidatorInfo)).(*staking.ValidatorInfo)
	if info.Moniker != "cli validator" || info.CommissionBps != 500 || info.Tokens.Cmp(chain.CRN(2000)) != 0 {
		t.Fatalf("validator view after create-validator: %+v", info)
	}
	refused([]string{"create-validator", "--consensus-key", keyFile, "--stake", "2000"}, "already a validator")
	send("edit-validator", "--commission", "7.5%", "--moniker", "renamed")
	info = *abi.ConvertType(stakingView(t, p.client, "validator", from)[0], new(staking.ValidatorInfo)).(*staking.ValidatorInfo)
	if info.Moniker != "renamed" || info.CommissionBps != 750 {
		t.Fatalf("validator view after edit-validator: %+v", info)
	}
	refused([]string{"unjail"}, "is not jailed")
	send("claim") // every validator with rewards since the last claim: the one

	// The devnet validator's operator, the first account, claims its own
	// rewards.
	out = mustWallet(t, "", "tx", "stake", "claim", val, "--from", "1", "--home", home, "--password-file", pw,
		"--wait", "--json", "--api", p.addr)
	var res sendResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Tx == nil || res.Tx.Receipt.Status != 1 || len(res.Tx.Receipt.Logs) != 1 {
		t.Fatalf("operator claim: %v: %s", err, out)
	}
}

func TestParseCommission(t *testing.T) {
	for in, want := range map[string]uint16{"5%": 500, "0%": 0, "100%": 10000, "7.25%": 725, "525bps": 525} {
		if got, err := parseCommission(in); err != nil || got != want {
			t.Errorf("parseCommission(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"5", "101%", "-1%", "0.001%", "x%", "10001bps", ""} {
		if _, err := parseCommission(in); err == nil {
			t.Errorf("parseCommission(%q) accepted", in)
		}
	}
}
