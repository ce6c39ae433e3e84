// Package contracts is what a wallet needs to work with Solidity contracts:
// it reads compiled artifacts (solc's --combined-json and standard-JSON
// output, Hardhat's and Foundry's artifact files, or a bare ABI), parses
// function signatures and arguments typed on the command line into
// go-ethereum's accounts/abi values, decodes return values, events and
// reverts (Error(string), Panic(uint256) and custom errors) into text and
// JSON, and keeps an address book of known contracts in the Cairn home.
//
// It links none of the chain, the EVM or the node: the CLI and the console
// use it on top of a node's API. Every function is safe to call with any
// input; bad input is an error that says what is wrong, never a panic.
package contracts
