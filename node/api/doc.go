// Package api is the contract between a node and what talks to it: the
// Service interface that the console and the CLI use, the view types it
// answers with (amounts as Amount), the REST server that exposes any
// Service under /v1 (NewServer), and a client that implements the same
// interface over HTTP (Client), so a console can attach to a remote node
// with no change. It imports none of the chain, the EVM, the mempool or
// the store: the implementation over those is the node's (node/localapi),
// and a client links only this package.
//
// The endpoints, all under /v1 (the OpenAPI document at /v1/openapi.json
// describes each one), with the Service method behind each:
//
//	GET  /v1/status                 Status
//	GET  /v1/blocks                 Blocks (?from=height|latest&limit=n)
//	GET  /v1/blocks/{id}            Block (?full=true for transaction objects)
//	POST /v1/txs                    SendRawTx ({"raw":"0x…"} → {"hash"}), or SendRawTxs
//	                                ({"txs":["0x…",…]}, ≤1,000 → {"results":[{"hash"}|{"error"},…]})
//	GET  /v1/txs/{hash}             Tx
//	GET  /v1/accounts/{address}     Account
//	GET  /v1/validators             Validators
//	GET  /v1/validators/{address}   Validator (by operator address)
//	GET  /v1/delegations/{address}  Delegations (of a delegator)
//	GET  /v1/mempool                Mempool
//	GET  /v1/peers                  Peers
//	POST /v1/call                   Call
//	GET  /v1/events                 Subscribe (server-sent events; ?types=block,tx,dropped)
//	GET  /v1/logs                   the node's recent log lines (?level=info&limit=n; RemoteLogs)
//	GET  /v1/logs/stream            its new log lines (server-sent events "log"; ?level=)
//	GET  /v1/openapi.json           the OpenAPI 3.1 document
//
// JSON conventions: amounts of wei are decimal strings, heights, nonces and
// gas are JSON numbers, hashes, addresses and byte strings are 0x-hex.
//
// Errors are *Error values with an HTTP status and a stable machine code,
// written as {"error":{"code":…,"message":…}}:
//
//	400 bad_request         malformed JSON, hex, hash, address, block id or query
//	400 <mempool reason>    a transaction the mempool refused: nonce_too_low,
//	                        insufficient_funds, fee_too_low, malformed, … (the
//	                        mempool's Reason* constants, passed through)
//	400 timeout             a read-only call ran past its time bound
//	400 return_too_large    a read-only call returned more than the cap
//	400 call_failed         a read-only call could not start (e.g. value above balance)
//	404 not_found           unknown block, transaction, validator or route
//	405 method_not_allowed  known route, wrong method
//	413 body_too_large      request body over the limit
//	503 pool_full           the mempool is full of better-paying transactions: retry later
//	503 too_many_subscribers the node serves as many event streams (or streams
//	                        with tx events, or log streams) as it allows: retry
//	                        later, or ask for fewer types (GET /v1/events?types=block)
//	500 internal            anything else (logged by the server)
//
// Every refusal caused by what the client sent is a 400 whose code says
// why, so a client needs one status check and one switch on the code.
package api
