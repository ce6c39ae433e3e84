// Package vmtest holds the compiled contracts Cairn's tests deploy (see
// contracts/README.md for how they were built), so every test loads them
// the same way.
package vmtest

import (
	"embed"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

//go:embed contracts/*.bin contracts/*.abi.json
var files embed.FS

// Contract is a compiled contract: creation bytecode and ABI.
type Contract struct {
	Code []byte
	ABI  abi.ABI
}

// Load returns the contract with this name ("Counter", "Spinner").
func Load(name string) (*Contract, error) {
	bin, err := files.ReadFile("contracts/" + name + ".bin")
	if err != nil {
		return nil, fmt.Errorf("load contract %s: %w", name, err)
	}
	abiJSON, err := files.ReadFile("contracts/" + name + ".abi.json")
	if err != nil {
		return nil, fmt.Errorf("load contract %s: %w", name, err)
	}
	parsed, err := abi.JSON(strings.NewReader(string(abiJSON)))
	if err != nil {
		return nil, fmt.Errorf("parse ABI of %s: %w", name, err)
	}
	return &Contract{Code: common.FromHex(strings.TrimSpace(string(bin))), ABI: parsed}, nil
}

// MustLoad is Load for tests, where a missing contract is a broken build.
func MustLoad(name string) *Contract {
	c, err := Load(name)
	if err != nil {
		panic(err)
	}
	return c
}

// Pack ABI-encodes a call of method with args; it panics on a mistake in
// the test itself (an unknown method or wrong arguments).
func (c *Contract) Pack(method string, args ...any) []byte {
	data, err := c.ABI.Pack(method, args...)
	if err != nil {
		panic(fmt.Sprintf("pack %s: %v", method, err))
	}
	return data
}
