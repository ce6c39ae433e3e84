// Package ethrpc is Cairn's Ethereum JSON-RPC endpoint: the eth_, net_ and
// web3_ methods that ethers, viem, web3.js, Foundry and MetaMask call,
// served over HTTP POST at "/" and WebSocket at "/ws" by go-ethereum's rpc
// server, with polling filters and subscriptions.
//
// It reads the chain through small interfaces (Chain, Pool, Bus) declared
// here, so it depends on what it uses, not on how the node is assembled.
// Blocks and receipts are shaped as Ethereum's, with Cairn's block hash as
// the block hash; docs/JSONRPC.md lists every method, tag, limit and error
// code, and where Cairn differs from ethereum/execution-apis.
package ethrpc
