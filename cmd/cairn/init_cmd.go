package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/atomicfile"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
)

func newInitCmd() *cobra.Command {
	var (
		home, operator, moniker string
		chainID                 uint64
		fund                    []string
		devAccounts, asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a genesis file and a new validator key for a new chain",
		Long: "init creates <home>/genesis.json for a new chain whose single validator is a new\n" +
			"consensus key written to <home>/validator_key.json (mode 0600), and a commented\n" +
			"<home>/config.toml unless one exists. Fund accounts with --fund 0xADDRESS=CRN\n" +
			"(repeatable) or --dev-accounts.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := newGenesis(chainID, operator, moniker, fund, devAccounts)
			if err != nil {
				return err
			}
			gpath, kpath := node.GenesisPath(home), node.ValidatorKeyPath(home)
			if _, err := os.Stat(gpath); err == nil {
				return fmt.Errorf("%s already exists; use another --home or remove it", gpath)
			}
			_, key, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			g.Validators[0].PubKey = []byte(key.Public().(ed25519.PublicKey))
			if err := g.Validate(); err != nil {
				return err
			}
			data, err := g.Marshal()
			if err != nil {
				return err
			}
			if err := node.SaveValidatorKey(kpath, key); err != nil {
				return err
			}
			if err := atomicfile.Write(gpath, append(data, '\n'), 0o644); err != nil {
				return err
			}
			cpath, err := writeConfigTemplate(home)
			if err != nil {
				return err
			}
			addr := g.Validators[0].OperatorAddress()
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{
					"genesis": gpath, "validatorKey": kpath, "config": cpath, "validator": addr, "chainId": g.ChainID,
				})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (chain %d)\nwrote %s (validator %s)\n", gpath, g.ChainID, kpath, addr)
			if cpath != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (settings, all commented out)\n", cpath)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "start it with: cairn node --home %s\n", home)
			if operator == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "note: the operator address %s is derived from the consensus key and has no private key:\n"+
					"  its rewards cannot be claimed and a jailed validator cannot be unjailed. To operate it from a wallet\n"+
					"  account, run init again with --operator 0xYOUR_ADDRESS.\n", addr)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&home, "home", defaultHome(), "directory for the genesis and key")
	fl.Uint64Var(&chainID, "chain-id", chain.DevnetChainID, "EIP-155 chain ID")
	fl.StringVar(&operator, "operator", "", "the validator's operator: the account that claims its rewards and unjails it (default: an address derived from the key, which no wallet holds)")
	fl.StringVar(&moniker, "moniker", "validator-0", "validator name")
	fl.StringArrayVar(&fund, "fund", nil, "fund an account at genesis: 0xADDRESS=CRN (repeatable)")
	fl.BoolVar(&devAccounts, "dev-accounts", false, "fund the 10 public development accounts with 1,000,000 CRN each")
	fl.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// writeConfigTemplate writes <home>/config.toml with every key commented
// out, unless the file exists; it returns the path written, or "".
func writeConfigTemplate(home string) (string, error) {
	path := node.ConfigPath(home)
	if _, err := os.Stat(path); err == nil {
		return "", nil
	}
	text := encodeConfigFile("Settings of the node in "+home+", written by `cairn init`. Uncomment to change.", &fileConfig{})
	if err := atomicfile.Write(path, text, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

func newGenesis(chainID uint64, operator, moniker string, fund []string, devAccounts bool) (*chain.Genesis, error) {
	g := &chain.Genesis{
		ChainID: chainID, Time: uint64(time.Now().UnixMilli()), Params: chain.DefaultParams(),
		Alloc: map[common.Address]chain.GenesisAccount{},
	}
	v := chain.GenesisValidator{Stake: chain.NewBigInt(chain.CRN(1_000_000)), Name: moniker}
	if operator != "" {
		if !common.IsHexAddress(operator) {
			return nil, usageErr("--operator %q is not an address", operator)
		}
		v.Address = common.HexToAddress(operator)
	}
	g.Validators = []chain.GenesisValidator{v}
	if devAccounts {
		for _, a := range chain.DevnetAccounts {
			g.Alloc[a] = chain.GenesisAccount{Balance: chain.NewBigInt(chain.CRN(1_000_000))}
		}
	}
	for _, f := range fund {
		addr, amount, ok := strings.Cut(f, "=")
		if !ok || !common.IsHexAddress(addr) {
			return nil, usageErr("--fund %q: want 0xADDRESS=CRN", f)
		}
		wei, err := parseCRN(amount)
		if err != nil {
			return nil, usageErr("--fund %q: %v", f, err)
		}
		g.Alloc[common.HexToAddress(addr)] = chain.GenesisAccount{Balance: chain.NewBigInt(wei)}
	}
	return g, nil
}

// parseCRN reads an amount of CRN with up to 18 decimals ("1.5") as wei.
func parseCRN(s string) (*big.Int, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 18 || strings.HasPrefix(whole, "-") {
		return nil, fmt.Errorf("%q is not an amount of CRN (up to 18 decimals)", s)
	}
	digits := whole + frac + strings.Repeat("0", 18-len(frac))
	wei, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, fmt.Errorf("%q is not an amount of CRN", s)
	}
	return wei, nil
}
