// Package p2p is the node's libp2p transport: a host on TCP and QUIC with
// Noise and yamux, resource and connection limits, a persistent identity,
// discovery (bootstrap peers, a private Kademlia DHT, mDNS), gossipsub
// topics checked by validators with peer scoring, and request/response
// protocols for status, blocks and transactions. It implements
// transport.Transport.
//
// On the wire, for chain ID c:
//
//   - Gossip topics /cairn/c/consensus/1 (messages up to 8 MiB) and
//     /cairn/c/tx/1 (up to 128 KiB), signed (strict signing). A
//     transaction's message ID is the SHA-256 of its data; a consensus
//     message's also covers its author and sequence number, so the
//     engine's re-sends are not dropped as duplicates.
//   - Requests on /cairn/c/status/1, /cairn/c/blocks/1 and /cairn/c/txs/1:
//     one length-prefixed frame each way or more (see reqresp.go): the
//     status as JSON; blocks as Block.MarshalBinary and commits as RLP,
//     at most 64 a request and 64 MiB an answer; transactions as an RLP
//     list, at most 20,000 a request.
//   - The DHT under /cairn/c (its own bootstrap peers, server mode), with
//     nodes advertising under cairn/c/<genesis hash hex>; mDNS under a
//     service name derived from the chain ID and genesis hash.
//
// A peer shows in Peers once it answered the status handshake with this
// node's chain ID and genesis hash; a peer of another chain is
// disconnected and banned for a while, as is one whose gossip score
// falls below the graylist threshold (rejected messages, Penalize).
package p2p

import "strconv"

func itoa(i int) string { return strconv.Itoa(i) }
