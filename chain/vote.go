package chain

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// VoteType says which step of a round a vote belongs to.
type VoteType uint8

// The two voting steps of a Tendermint round.
const (
	Prevote   VoteType = 1
	Precommit VoteType = 2
)

func (t VoteType) String() string {
	switch t {
	case Prevote:
		return "prevote"
	case Precommit:
		return "precommit"
	}
	return fmt.Sprintf("vote(%d)", uint8(t))
}

// Vote is one validator's signed prevote or precommit for a block (or for
// nothing: the zero BlockHash is a nil vote).
type Vote struct {
	Type      VoteType
	Height    uint64
	Round     uint32
	BlockHash common.Hash
	Validator common.Address
	Signature []byte
}

// voteSignDoc is what a validator signs. The chain ID and a domain tag keep a
// signature from being replayed on another chain or read as another message.
type voteSignDoc struct {
	Domain    string
	ChainID   uint64
	Type      uint8
	Height    uint64
	Round     uint32
	BlockHash common.Hash
}

// SignBytes is the canonical encoding a validator signs for this vote.
func (v *Vote) SignBytes(chainID *big.Int) []byte {
	b, err := rlp.EncodeToBytes(&voteSignDoc{
		Domain: "cairn/vote", ChainID: chainID.Uint64(), Type: uint8(v.Type),
		Height: v.Height, Round: v.Round, BlockHash: v.BlockHash,
	})
	if err != nil {
		panic("encode vote sign doc: " + err.Error())
	}
	return b
}

// Sign fills in the signature with the validator's consensus key.
func (v *Vote) Sign(chainID *big.Int, key ed25519.PrivateKey) {
	v.Signature = ed25519.Sign(key, v.SignBytes(chainID))
}

// Verify checks the vote's signature against the validator's consensus key.
func (v *Vote) Verify(chainID *big.Int, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("verify vote: bad public key length")
	}
	if len(v.Signature) != ed25519.SignatureSize {
		return fmt.Errorf("verify vote: signature is %d bytes, want %d", len(v.Signature), ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, v.SignBytes(chainID), v.Signature) {
		return errors.New("verify vote: bad signature")
	}
	return nil
}

// CommitSig is one validator's precommit signature inside a Commit.
type CommitSig struct {
	Validator common.Address
	Signature []byte
}

// Commit is the set of precommits that finalized a block: more than 2/3 of
// the voting power signed a precommit for BlockHash at (Height, Round).
type Commit struct {
	Height     uint64
	Round      uint32
	BlockHash  common.Hash
	Signatures []CommitSig
}

// Vote reconstructs the precommit that signature i signed.
func (c *Commit) Vote(i int) *Vote {
	s := c.Signatures[i]
	return &Vote{Type: Precommit, Height: c.Height, Round: c.Round, BlockHash: c.BlockHash,
		Validator: s.Validator, Signature: s.Signature}
}

// Verify checks that the commit is for the given block and carries valid
// precommit signatures from more than 2/3 of the set's voting power.
func (c *Commit) Verify(chainID *big.Int, set *ValidatorSet, height uint64, hash common.Hash) error {
	if c.Height != height || c.BlockHash != hash {
		return fmt.Errorf("commit is for %d/%x, want %d/%x", c.Height, c.BlockHash, height, hash)
	}
	var power uint64
	seen := make(map[common.Address]bool, len(c.Signatures))
	for i, s := range c.Signatures {
		if seen[s.Validator] {
			return fmt.Errorf("commit: validator %s signed twice", s.Validator)
		}
		seen[s.Validator] = true
		val := set.ByAddress(s.Validator)
		if val == nil {
			return fmt.Errorf("commit: %s is not a validator", s.Validator)
		}
		if err := c.Vote(i).Verify(chainID, val.PubKey); err != nil {
			return fmt.Errorf("commit: signature of %s: %w", s.Validator, err)
		}
		power += val.Power
	}
	if !set.HasQuorum(power) {
		return fmt.Errorf("commit: %d of %d voting power signed, need more than 2/3", power, set.TotalPower())
	}
	return nil
}

// Evidence proves that a validator signed two conflicting votes for the same
// height, round and step.
type Evidence struct {
	VoteA Vote
	VoteB Vote
}
