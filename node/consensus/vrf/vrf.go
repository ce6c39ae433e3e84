// Package vrf implements the verifiable random function
// ECVRF-EDWARDS25519-SHA512-TAI of RFC 9381 (suite string 0x03).
//
// A validator proves with its ed25519 consensus key that beta is the unique
// VRF output for an input alpha; anyone holding the public key checks the
// proof and obtains the same beta. Cairn uses beta as its randomness beacon
// and for proposer selection.
//
// Keys are the standard crypto/ed25519 keys: the secret scalar and the nonce
// are derived from the 32-byte seed exactly as RFC 9381 section 5.5 and
// RFC 8032 prescribe, so the RFC's test vectors apply unchanged.
package vrf

import (
	"crypto/ed25519"
	"errors"
	"fmt"
)

// Sizes of the values exchanged by this package, in bytes.
const (
	// ProofSize is the length of a proof pi: Gamma (32) || c (16) || s (32).
	ProofSize = ptLen + cLen + qLen
	// OutputSize is the length of a VRF output beta (a SHA-512 digest).
	OutputSize = 64
	// PublicKeySize is the length of a public key (an ed25519 public key).
	PublicKeySize = ed25519.PublicKeySize
	// PrivateKeySize is the length of a private key (an ed25519 seed||public key).
	PrivateKeySize = ed25519.PrivateKeySize
)

// Errors returned by this package. They are wrapped with context, so test
// for them with errors.Is.
var (
	// ErrInvalidPrivateKey reports a private key of the wrong length.
	ErrInvalidPrivateKey = errors.New("vrf: invalid private key")
	// ErrInvalidPublicKey reports a public key of the wrong length, one that
	// does not decode to a curve point, or one of small order.
	ErrInvalidPublicKey = errors.New("vrf: invalid public key")
	// ErrMalformedProof reports a proof of the wrong length, whose Gamma does
	// not decode to a curve point, or whose s is not a canonical scalar.
	ErrMalformedProof = errors.New("vrf: malformed proof")
	// ErrVerificationFailed reports a well-formed proof that does not prove
	// the given input under the given public key.
	ErrVerificationFailed = errors.New("vrf: proof verification failed")
)

// Prove computes the VRF proof pi and output beta of alpha under the secret
// key sk (crypto/ed25519's 64-byte seed||public key form). Only the seed is
// used: the public key hashed into the proof is derived from it, so a key
// whose second half is corrupt still yields a proof valid under the public
// key of its seed.
//
// Prove never panics: if sk is not PrivateKeySize bytes long it returns
// nil, nil. Use ProveErr to learn why no proof was made.
func Prove(sk ed25519.PrivateKey, alpha []byte) (pi, beta []byte) {
	pi, beta, err := ProveErr(sk, alpha)
	if err != nil {
		return nil, nil
	}
	return pi, beta
}

// ProveErr is Prove with an error instead of nil results when no proof can
// be made (a private key of the wrong length).
func ProveErr(sk ed25519.PrivateKey, alpha []byte) (pi, beta []byte, err error) {
	if len(sk) != PrivateKeySize {
		return nil, nil, fmt.Errorf("prove: private key is %d bytes, want %d: %w",
			len(sk), PrivateKeySize, ErrInvalidPrivateKey)
	}
	p, err := prove(sk.Seed(), alpha)
	if err != nil {
		return nil, nil, fmt.Errorf("prove: %w", err)
	}
	return p.bytes(), p.hash(), nil
}

// Verify checks that pi proves alpha under the public key pk and, if it
// does, returns the VRF output beta. It follows RFC 9381 section 5.3 with
// key validation: pk must decode canonically and not be of small order,
// Gamma must decode canonically and s must be below the group order.
// Any failure returns a nil beta and an error.
func Verify(pk ed25519.PublicKey, alpha, pi []byte) (beta []byte, err error) {
	if len(pk) != PublicKeySize {
		return nil, fmt.Errorf("verify: public key is %d bytes, want %d: %w",
			len(pk), PublicKeySize, ErrInvalidPublicKey)
	}
	y, err := validateKey(pk)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	p, err := decodeProof(pi)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if err := verify(y, pk, alpha, p); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return p.hash(), nil
}

// ProofToHash returns the VRF output beta carried by the proof pi without
// checking the proof against any key or input: call it only on a proof that
// Verify has accepted (Verify already returns beta). It fails if pi is
// malformed.
func ProofToHash(pi []byte) (beta []byte, err error) {
	p, err := decodeProof(pi)
	if err != nil {
		return nil, fmt.Errorf("proof to hash: %w", err)
	}
	return p.hash(), nil
}
