package engine

import (
	"crypto/ed25519"
	"errors"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Signer signs this validator's proposals and votes. The engine never holds
// a key; SignGuard is the implementation that makes double signing
// impossible.
type Signer interface {
	// Sign returns the signature of req.SignBytes, or an error if signing
	// it would conflict with something signed before.
	Sign(req SignRequest) ([]byte, error)
}

// SignRequest is one message to sign: its canonical bytes and its place in
// the (height, round, step) order.
type SignRequest struct {
	Height    uint64
	Round     uint32
	Step      Step
	SignBytes []byte
}

// ProposalSource builds blocks when this validator proposes and has no
// valid value to propose again.
type ProposalSource interface {
	// Propose builds a new valid block for height, round and returns its
	// hash. Asked again for the same height and round, also after a
	// restart, it must return the same block (keep it on disk before
	// returning): a restarted engine that got another block would find its
	// proposal, and so its prevote, refused by the signing guard.
	Propose(height uint64, round uint32) (common.Hash, error)
}

// Verifier checks a signature made with a validator's consensus key.
// Ed25519Verifier is the real one; a simulation may cache or fake it.
type Verifier interface {
	Verify(pub ed25519.PublicKey, msg, sig []byte) bool
}

// Ed25519Verifier verifies ed25519 signatures.
type Ed25519Verifier struct{}

// Verify reports whether sig is pub's ed25519 signature of msg.
func (Ed25519Verifier) Verify(pub ed25519.PublicKey, msg, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, msg, sig)
}

// Config is an engine's parameters and collaborators.
type Config struct {
	// ChainID is part of every signed message.
	ChainID *big.Int
	// Self is this node's validator address. A node whose address is not in
	// a height's validator set follows that height without voting.
	Self common.Address
	// Signer signs proposals and votes; required for a validator.
	Signer Signer
	// Proposals builds blocks; required for a validator.
	Proposals ProposalSource
	// Verifier checks signatures; nil means Ed25519Verifier.
	Verifier Verifier

	// Round r of a step waits Timeout<Step> + r*TimeoutDelta.
	TimeoutPropose   time.Duration
	TimeoutPrevote   time.Duration
	TimeoutPrecommit time.Duration
	TimeoutDelta     time.Duration
	// ResendInterval is how long a round lasts before the engine re-sends
	// its own messages of this round and the last (and again each interval).
	ResendInterval time.Duration
	// FutureCommits is how many heights ahead catch-up commits are kept
	// until the engine reaches them.
	FutureCommits int
}

// DefaultConfig is CometBFT's timing: propose 3 s, prevote and precommit
// 1 s, each 0.5 s longer per round; own messages re-sent every 2 s of a
// round.
func DefaultConfig(chainID *big.Int, self common.Address, signer Signer, proposals ProposalSource) Config {
	return Config{
		ChainID: chainID, Self: self, Signer: signer, Proposals: proposals,
		TimeoutPropose:   3 * time.Second,
		TimeoutPrevote:   time.Second,
		TimeoutPrecommit: time.Second,
		TimeoutDelta:     500 * time.Millisecond,
		ResendInterval:   2 * time.Second,
		FutureCommits:    16,
	}
}

// Timeout is how long the given step of round waits.
func (c *Config) Timeout(step Step, round uint32) time.Duration {
	var base time.Duration
	switch step {
	case StepPropose:
		base = c.TimeoutPropose
	case StepPrevote:
		base = c.TimeoutPrevote
	case StepPrecommit:
		base = c.TimeoutPrecommit
	case StepResend:
		return c.ResendInterval
	}
	return base + time.Duration(round)*c.TimeoutDelta
}

func (c *Config) validate() error {
	switch {
	case c.ChainID == nil || c.ChainID.Sign() <= 0 || !c.ChainID.IsUint64():
		return errors.New("config: chain ID must be a positive 64-bit number")
	case c.TimeoutPropose <= 0 || c.TimeoutPrevote <= 0 || c.TimeoutPrecommit <= 0 || c.ResendInterval <= 0:
		return errors.New("config: timeouts and resend interval must be positive")
	case c.TimeoutDelta < 0:
		return errors.New("config: timeout delta must not be negative")
	case c.FutureCommits < 0:
		return errors.New("config: future commits must not be negative")
	}
	return nil
}
