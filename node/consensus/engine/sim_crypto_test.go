package engine_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"io"
	"math/big"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// Signatures in the simulation are real ed25519 in some scenarios and a
// fast keyed hash (sha512 of a per-validator secret and the message) in the
// rest, so thousands of scenarios fit in a test run. Both go through the
// engine's Verifier; certificates of real-crypto scenarios are also checked
// with chain.Commit.Verify.

// simKeys holds every validator's signing key and the matching verifier.
type simKeys struct {
	real    bool
	signers []crypto.Signer
	secrets map[string][]byte // by public key, fast mode
	memo    map[string]bool   // verified (pub, msg, sig), real mode
}

func newSimKeys(n int, real bool, seed uint64) *simKeys {
	k := &simKeys{real: real, secrets: map[string][]byte{}, memo: map[string]bool{}}
	for i := 0; i < n; i++ {
		s := make([]byte, 32)
		binary.BigEndian.PutUint64(s, seed)
		binary.BigEndian.PutUint64(s[8:], uint64(i))
		priv := ed25519.NewKeyFromSeed(s)
		if real {
			k.signers = append(k.signers, priv)
			continue
		}
		pub := priv.Public().(ed25519.PublicKey)
		k.secrets[string(pub)] = s
		k.signers = append(k.signers, fastKey{pub: pub, secret: s})
	}
	return k
}

func (k *simKeys) pub(i int) ed25519.PublicKey { return k.signers[i].Public().(ed25519.PublicKey) }

// Verify implements engine.Verifier.
func (k *simKeys) Verify(pub ed25519.PublicKey, msg, sig []byte) bool {
	if !k.real {
		secret, ok := k.secrets[string(pub)]
		if !ok || len(sig) != 64 {
			return false
		}
		want := fastSign(secret, msg)
		return string(want) == string(sig)
	}
	key := string(pub) + string(sig) + string(msg)
	ok, seen := k.memo[key]
	if !seen {
		ok = len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, msg, sig)
		k.memo[key] = ok
	}
	return ok
}

// verifyCommit is chain.Commit.Verify with the simulation's verifier; in
// real-crypto scenarios it runs chain.Commit.Verify itself.
func (k *simKeys) verifyCommit(c *chain.Commit, chainID *big.Int, set *chain.ValidatorSet, height uint64, hash common.Hash) error {
	if k.real {
		return c.Verify(chainID, set, height, hash)
	}
	if c.Height != height || c.BlockHash != hash {
		return errors.New("commit for another block")
	}
	var power uint64
	seen := map[common.Address]bool{}
	for i, s := range c.Signatures {
		val := set.ByAddress(s.Validator)
		if seen[s.Validator] || val == nil {
			return errors.New("duplicate or unknown signer")
		}
		seen[s.Validator] = true
		if !k.Verify(val.PubKey, c.Vote(i).SignBytes(chainID), s.Signature) {
			return errors.New("bad signature")
		}
		power += val.Power
	}
	if !set.HasQuorum(power) {
		return errors.New("no quorum")
	}
	return nil
}

type fastKey struct {
	pub    ed25519.PublicKey
	secret []byte
}

func (f fastKey) Public() crypto.PublicKey { return f.pub }

func (f fastKey) Sign(_ io.Reader, msg []byte, _ crypto.SignerOpts) ([]byte, error) {
	return fastSign(f.secret, msg), nil
}

func fastSign(secret, msg []byte) []byte {
	h := sha512.New()
	h.Write(secret)
	h.Write(msg)
	return h.Sum(nil)
}

// rawSigner signs anything: what a Byzantine validator uses.
type rawSigner struct{ key crypto.Signer }

func (r rawSigner) sign(b []byte) []byte {
	sig, _ := r.key.Sign(nil, b, crypto.Hash(0))
	return sig
}
