package ethrpc

import (
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// web3API is the web3_ namespace.
type web3API struct{ b *backend }

// ClientVersion is web3_clientVersion: the node software and version.
func (api *web3API) ClientVersion() string { return api.b.cfg.ClientVersion }

// Sha3 is web3_sha3: the keccak256 of the given bytes.
func (api *web3API) Sha3(input hexutil.Bytes) hexutil.Bytes { return crypto.Keccak256(input) }

// netAPI is the net_ namespace.
type netAPI struct{ b *backend }

// Version is net_version: the chain ID in decimal, as Ethereum's network
// ID is.
func (api *netAPI) Version() string { return api.b.chain.ChainID().String() }

// Listening is net_listening: the node always serves.
func (api *netAPI) Listening() bool { return true }

// PeerCount is net_peerCount: the connected peers.
func (api *netAPI) PeerCount() hexutil.Uint { return hexutil.Uint(api.b.cfg.PeerCount()) }
