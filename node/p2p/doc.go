// Package p2p is the node's libp2p transport: a host on TCP and QUIC with
// Noise and yamux, resource and connection limits, a persistent identity,
// discovery (bootstrap peers, a private Kademlia DHT, mDNS), gossipsub
// topics checked by validators with peer scoring, and request/response
// protocols for status, blocks and transactions. It implements
// transport.Transport.
package p2p

import "strconv"

func itoa(i int) string { return strconv.Itoa(i) }
