// Package stakingabi is the staking contract's published interface: where
// it lives, IStaking.sol, and the ABI solc compiles from it. It is apart
// from the contract so that clients (the console, the CLI) encode calls
// without linking the chain.
package stakingabi

import (
	_ "embed"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// Address is where the staking contract lives: "Stake" in ASCII.
var Address = common.HexToAddress("0x0000000000000000000000000000005374616b65")

// JSON is IStaking.abi.json: the ABI as solc writes it.
//
//go:embed IStaking.abi.json
var JSON string

// ABI is the staking contract's interface, IStaking.sol as solc compiles it.
var ABI = func() abi.ABI {
	a, err := abi.JSON(strings.NewReader(JSON))
	if err != nil {
		panic("staking ABI: " + err.Error())
	}
	return a
}()
