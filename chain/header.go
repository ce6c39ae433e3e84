package chain

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Header is a Cairn block header. Its hash is keccak256 of its RLP encoding, and
// the roots in it describe the state after the block's own transactions ran
// (Ethereum style), so a finalized header commits to a fully executed block.
type Header struct {
	ParentHash     common.Hash
	Height         uint64
	Time           uint64 // unix milliseconds
	Proposer       common.Address
	Round          uint32
	StateRoot      common.Hash
	TxRoot         common.Hash
	ReceiptRoot    common.Hash
	Bloom          types.Bloom
	GasLimit       uint64
	GasUsed        uint64
	BaseFee        *big.Int
	VRFOutput      []byte      // beta: the block's randomness beacon
	VRFProof       []byte      // pi: proves VRFOutput came from the proposer's key
	ValidatorsHash common.Hash // the set that validates this block
	// NextValidatorsHash is the set that validates the next block: the same
	// set except after the last block of an epoch, so a client that follows
	// headers learns of every change from a block the old set signed.
	NextValidatorsHash common.Hash
	LastCommitHash     common.Hash
	EvidenceHash       common.Hash
}

// Hash returns the block hash: keccak256 of the RLP-encoded header.
func (h *Header) Hash() common.Hash {
	return rlpHash(h)
}

// TimeSeconds is the header time as the EVM sees it (TIMESTAMP opcode).
func (h *Header) TimeSeconds() uint64 { return h.Time / 1000 }

// Random is the value of PREVRANDAO for this block: the first 32 bytes of the
// block's VRF beacon.
func (h *Header) Random() common.Hash {
	var r common.Hash
	copy(r[:], h.VRFOutput)
	return r
}

// Copy returns a deep copy, so a caller can change it without touching a
// header that may be cached or shared.
func (h *Header) Copy() *Header {
	c := *h
	if h.BaseFee != nil {
		c.BaseFee = new(big.Int).Set(h.BaseFee)
	}
	c.VRFOutput = common.CopyBytes(h.VRFOutput)
	c.VRFProof = common.CopyBytes(h.VRFProof)
	return &c
}

func rlpHash(v any) common.Hash {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		// Only values of Cairn's own fixed types are hashed; an encoding
		// failure is a programming error, not bad input.
		panic("rlp hash: " + err.Error())
	}
	return crypto.Keccak256Hash(b)
}
