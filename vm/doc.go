// Package vm runs Ethereum transactions and read-only calls for Cairn on
// go-ethereum's EVM and state database, unchanged: Cairn builds the block
// context by hand and adds its own limits (a per-transaction gas cap inside
// blocks, a wall-clock bound for calls and for a proposer building a block).
//
// Inside a block gas is the only bound, so every node that replays a block
// reaches the same result; clocks only ever guard work no other node redoes.
package vm
