// Package consensus decides which blocks Cairn commits: it picks the
// proposer of each round by stake with a VRF beacon (this package), and
// runs Tendermint-style BFT voting as a pure state machine (engine).
package consensus

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"cairn/chain"
	"cairn/node/consensus/vrf"

	"github.com/ethereum/go-ethereum/crypto"
)

// SeedInput is the VRF input (alpha) of the block at height:
// "cairn/seed" ‖ chainID ‖ height ‖ beta of the previous block. Each block's
// beacon chains to the last, and a proposer cannot choose it: the VRF output
// is unique for its key and this input.
func SeedInput(chainID *big.Int, height uint64, prevBeta []byte) []byte {
	alpha := make([]byte, 0, 10+8+8+len(prevBeta))
	alpha = append(alpha, "cairn/seed"...)
	alpha = binary.BigEndian.AppendUint64(alpha, chainID.Uint64())
	alpha = binary.BigEndian.AppendUint64(alpha, height)
	return append(alpha, prevBeta...)
}

// ProposerFor is the validator that proposes in round of the block after
// the one whose beacon is prevBeta: a stake-weighted pick with
// H(prevBeta ‖ round) as the random number. If the chosen validator stays
// silent, the next round draws again.
func ProposerFor(set *chain.ValidatorSet, prevBeta []byte, round uint32) *chain.Validator {
	var r [4]byte
	binary.BigEndian.PutUint32(r[:], round)
	h := crypto.Keccak256(prevBeta, r[:])
	return set.Pick(binary.BigEndian.Uint64(h[:8]))
}

// ProveBeacon makes the VRF output and proof for a block the holder of key
// proposes.
func ProveBeacon(key ed25519.PrivateKey, chainID *big.Int, height uint64, prevBeta []byte) (beta, pi []byte, err error) {
	pi, beta, err = vrf.ProveErr(key, SeedInput(chainID, height, prevBeta))
	if err != nil {
		return nil, nil, fmt.Errorf("prove beacon of block %d: %w", height, err)
	}
	return beta, pi, nil
}

// ErrWrongProposer is returned for a block proposed by a validator that was
// not chosen for its round.
var ErrWrongProposer = errors.New("not the chosen proposer")

// VerifyProposer checks that h was proposed by the validator chosen for its
// round and that its beacon is the VRF output of that validator's key on the
// right input.
func VerifyProposer(set *chain.ValidatorSet, chainID *big.Int, h *chain.Header, prevBeta []byte) error {
	want := ProposerFor(set, prevBeta, h.Round)
	if want == nil {
		return errors.New("verify proposer: empty validator set")
	}
	if want.Address != h.Proposer {
		return fmt.Errorf("block %d round %d: %s is %w (want %s)", h.Height, h.Round, h.Proposer, ErrWrongProposer, want.Address)
	}
	beta, err := vrf.Verify(want.PubKey, SeedInput(chainID, h.Height, prevBeta), h.VRFProof)
	if err != nil {
		return fmt.Errorf("block %d: beacon proof: %w", h.Height, err)
	}
	if string(beta) != string(h.VRFOutput) {
		return fmt.Errorf("block %d: beacon output does not match its proof", h.Height)
	}
	return nil
}
