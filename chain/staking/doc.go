// Package staking is Cairn's native staking contract: validators, their
// delegations and unbonding stake, the rewards they earn and the slashing
// and jailing that punish them. It is reached like any contract at Address,
// by transactions and calls whose data is ABI-encoded (IStaking.sol), and
// the chain drives it once per block: paying the signers of the last commit,
// counting missed commits, slashing on evidence and, at the end of each
// epoch, picking the next validator set.
//
// Everything it keeps is words in the storage of the staking account, so the
// state root commits to it and a reverted call rolls it back.
package staking

import "github.com/ethereum/go-ethereum/common"

// Address is where the staking contract lives: "Stake" in ASCII.
var Address = common.HexToAddress("0x0000000000000000000000000000005374616b65")
