// Package staking is Cairn's native staking contract: validators, their
// delegations and unbonding stake, the rewards they earn and the slashing
// and jailing that punish them. It is reached like any contract at Address,
// by transactions and calls whose data is ABI-encoded (stakingabi/IStaking.sol), and
// the chain drives it once per block: paying the signers of the last commit,
// counting missed commits, slashing on evidence and, at the end of each
// epoch, picking the next validator set.
//
// Everything it keeps is words in the storage of the staking account, so the
// state root commits to it and a reverted call rolls it back.
package staking

import "cairn/chain/staking/stakingabi"

// Address is where the staking contract lives: "Stake" in ASCII.
var Address = stakingabi.Address

// ABI is the staking contract's interface (stakingabi.ABI).
var ABI = stakingabi.ABI

// MarkerCode is the code the staking account holds: one INVALID opcode,
// which never runs, since the native contract answers every call to the
// address first. It is there because Solidity refuses to call a function
// that returns nothing at an address without code (extcodesize is 0).
var MarkerCode = []byte{0xfe}
