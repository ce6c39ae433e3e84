package vrf

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"
)

// groupOrderLE is L = 2^252 + 27742317777372353535851937790883648493,
// little-endian.
var groupOrderLE = [32]byte{
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
	0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
}

// vector16 returns the key pair, input and proof of RFC 9381 Example 16.
func vector16(t testing.TB) (ed25519.PrivateKey, ed25519.PublicKey, []byte, []byte) {
	t.Helper()
	tv := rfcVectors[0]
	sk := ed25519.NewKeyFromSeed(unhex(t, tv.sk))
	return sk, sk.Public().(ed25519.PublicKey), unhex(t, tv.alpha), unhex(t, tv.pi)
}

// mustFail asserts that Verify rejects with the wanted error and no beta.
func mustFail(t *testing.T, want error, pk ed25519.PublicKey, alpha, pi []byte) {
	t.Helper()
	beta, err := Verify(pk, alpha, pi)
	if !errors.Is(err, want) {
		t.Fatalf("Verify error = %v, want %v", err, want)
	}
	if beta != nil {
		t.Fatalf("Verify returned beta %x with error %v", beta, err)
	}
}

// TestTamperedProof flips every bit of a valid proof, one at a time, in each
// region (Gamma, c, s): every flipped proof must be rejected.
func TestTamperedProof(t *testing.T) {
	_, pk, alpha, pi := vector16(t)
	if _, err := Verify(pk, alpha, pi); err != nil {
		t.Fatalf("untampered proof rejected: %v", err)
	}
	regions := []struct {
		name     string
		from, to int
	}{
		{"Gamma", 0, ptLen},
		{"c", ptLen, ptLen + cLen},
		{"s", ptLen + cLen, ProofSize},
	}
	for _, r := range regions {
		t.Run(r.name, func(t *testing.T) {
			rejected := 0
			for i := r.from; i < r.to; i++ {
				for bit := 0; bit < 8; bit++ {
					bad := bytes.Clone(pi)
					bad[i] ^= 1 << bit
					beta, err := Verify(pk, alpha, bad)
					if err == nil || beta != nil {
						t.Fatalf("byte %d bit %d flipped: accepted (beta %x)", i, bit, beta)
					}
					if !errors.Is(err, ErrVerificationFailed) && !errors.Is(err, ErrMalformedProof) {
						t.Fatalf("byte %d bit %d flipped: unexpected error %v", i, bit, err)
					}
					rejected++
				}
			}
			if want := (r.to - r.from) * 8; rejected != want {
				t.Fatalf("rejected %d tampered proofs, want %d", rejected, want)
			}
		})
	}
	// A change to c or to a low bit of s keeps the proof well formed, so it
	// must fail the challenge check itself.
	for _, i := range []int{ptLen, ptLen + cLen} {
		bad := bytes.Clone(pi)
		bad[i] ^= 1
		mustFail(t, ErrVerificationFailed, pk, alpha, bad)
	}
}

// TestWrongAlpha checks that a proof does not verify for another input.
func TestWrongAlpha(t *testing.T) {
	_, pk, _, pi := vector16(t)
	for _, alpha := range [][]byte{{0}, []byte("cairn"), unhex(t, rfcVectors[1].alpha)} {
		mustFail(t, ErrVerificationFailed, pk, alpha, pi)
	}
}

// TestWrongKey checks that a proof does not verify under another valid key.
func TestWrongKey(t *testing.T) {
	_, _, alpha, pi := vector16(t)
	for _, tv := range rfcVectors[1:] {
		mustFail(t, ErrVerificationFailed, unhex(t, tv.pk), alpha, pi)
	}
}

// addLE returns a+b for 32-byte little-endian integers (no overflow here).
func addLE(a []byte, b [32]byte) []byte {
	out := make([]byte, 32)
	carry := 0
	for i := range 32 {
		v := int(a[i]) + int(b[i]) + carry
		out[i] = byte(v)
		carry = v >> 8
	}
	return out
}

// TestNonCanonicalS checks that s must be below L: s+L is the same scalar
// modulo L, so without the check the proof would verify.
func TestNonCanonicalS(t *testing.T) {
	_, pk, alpha, pi := vector16(t)
	s := pi[ptLen+cLen:]
	sPlusL := addLE(s, groupOrderLE)

	// Precondition: s+L reduces to s, so only the range check can reject it.
	var wide [64]byte
	copy(wide[:], sPlusL)
	reduced, err := edwards25519.NewScalar().SetUniformBytes(wide[:])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(reduced.Bytes(), s) {
		t.Fatalf("s+L does not reduce to s")
	}

	for name, sBad := range map[string][]byte{
		"s+L": sPlusL,
		"L":   groupOrderLE[:],
		"max": bytes.Repeat([]byte{0xff}, 32),
	} {
		t.Run(name, func(t *testing.T) {
			bad := append(bytes.Clone(pi[:ptLen+cLen]), sBad...)
			mustFail(t, ErrMalformedProof, pk, alpha, bad)
			if _, err := ProofToHash(bad); !errors.Is(err, ErrMalformedProof) {
				t.Fatalf("ProofToHash error = %v, want ErrMalformedProof", err)
			}
		})
	}
}

// smallOrderEncodings are the canonical encodings of the eight points of
// order dividing 8 on edwards25519.
var smallOrderEncodings = []string{
	"0100000000000000000000000000000000000000000000000000000000000000", // identity
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
	"0000000000000000000000000000000000000000000000000000000000000000", // order 4
	"0000000000000000000000000000000000000000000000000000000000000080", // order 4
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
}

// TestSmallOrderPublicKey checks that validate_key rejects every point of
// small order, which would otherwise let a prover choose beta freely.
func TestSmallOrderPublicKey(t *testing.T) {
	_, _, alpha, pi := vector16(t)
	for _, enc := range smallOrderEncodings {
		t.Run(enc[:8], func(t *testing.T) {
			pk := unhex(t, enc)
			p, ok := stringToPoint(pk)
			if !ok {
				t.Fatalf("precondition: %s does not decode canonically", enc)
			}
			if !isSmallOrder(p) {
				t.Fatalf("precondition: %s is not of small order", enc)
			}
			mustFail(t, ErrInvalidPublicKey, pk, alpha, pi)
		})
	}
}

// nonCanonicalY3 encodes the point with y = 3 as y + p, a non-canonical
// encoding that edwards25519.Point.SetBytes accepts but RFC 8032 rejects.
var nonCanonicalY3 = "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"

// TestUndecodablePoints checks that public keys and Gammas that are not
// curve points, or are encoded non-canonically, are rejected.
func TestUndecodablePoints(t *testing.T) {
	_, pk, alpha, pi := vector16(t)
	notOnCurve := unhex(t, "0200000000000000000000000000000000000000000000000000000000000000")
	if _, err := new(edwards25519.Point).SetBytes(notOnCurve); err == nil {
		t.Fatal("precondition: y = 2 decodes to a point")
	}
	nonCanonical := unhex(t, nonCanonicalY3)
	lax, err := new(edwards25519.Point).SetBytes(nonCanonical)
	if err != nil || isSmallOrder(lax) {
		t.Fatalf("precondition: y = 3 + p should decode laxly to a large-order point (err %v)", err)
	}
	identitySigned := unhex(t, "0100000000000000000000000000000000000000000000000000000000000080")

	for name, enc := range map[string][]byte{
		"not on curve":          notOnCurve,
		"y >= p":                nonCanonical,
		"x = 0 with sign bit 1": identitySigned,
	} {
		t.Run("public key "+name, func(t *testing.T) {
			mustFail(t, ErrInvalidPublicKey, enc, alpha, pi)
		})
		t.Run("Gamma "+name, func(t *testing.T) {
			bad := append(bytes.Clone(enc), pi[ptLen:]...)
			mustFail(t, ErrMalformedProof, pk, alpha, bad)
			if _, err := ProofToHash(bad); !errors.Is(err, ErrMalformedProof) {
				t.Fatalf("ProofToHash error = %v, want ErrMalformedProof", err)
			}
		})
	}
}

// TestWrongLengths checks that keys and proofs of the wrong length give an
// error (or nil from Prove), never a panic.
func TestWrongLengths(t *testing.T) {
	sk, pk, alpha, pi := vector16(t)
	lengths := func(n int) map[string][]byte {
		return map[string][]byte{
			"nil":   nil,
			"empty": {},
			"short": make([]byte, n-1),
			"long":  make([]byte, n+1),
		}
	}
	for name, b := range lengths(PublicKeySize) {
		t.Run("public key "+name, func(t *testing.T) {
			mustFail(t, ErrInvalidPublicKey, b, alpha, pi)
		})
	}
	for name, b := range lengths(ProofSize) {
		t.Run("proof "+name, func(t *testing.T) {
			mustFail(t, ErrMalformedProof, pk, alpha, b)
			beta, err := ProofToHash(b)
			if !errors.Is(err, ErrMalformedProof) || beta != nil {
				t.Fatalf("ProofToHash = %x, %v; want nil, ErrMalformedProof", beta, err)
			}
		})
	}
	longProof := append(bytes.Clone(pi), 0)
	mustFail(t, ErrMalformedProof, pk, alpha, longProof)

	keys := lengths(PrivateKeySize)
	keys["seed only"] = sk.Seed()
	for name, b := range keys {
		t.Run("private key "+name, func(t *testing.T) {
			gotPi, gotBeta := Prove(b, alpha)
			if gotPi != nil || gotBeta != nil {
				t.Fatalf("Prove = %x, %x; want nil, nil", gotPi, gotBeta)
			}
			_, _, err := ProveErr(b, alpha)
			if !errors.Is(err, ErrInvalidPrivateKey) {
				t.Fatalf("ProveErr error = %v, want ErrInvalidPrivateKey", err)
			}
		})
	}
}

// TestProveUsesSeedOnly checks that a private key whose public half is
// corrupt still proves under the public key of its seed.
func TestProveUsesSeedOnly(t *testing.T) {
	sk, pk, alpha, pi := vector16(t)
	corrupt := bytes.Clone(sk)
	for i := 32; i < 64; i++ {
		corrupt[i] ^= 0xa5
	}
	got, _ := Prove(corrupt, alpha)
	if !bytes.Equal(got, pi) {
		t.Fatalf("Prove with corrupt public half = %x, want %x", got, pi)
	}
	if _, err := Verify(pk, alpha, got); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// TestRoundTrip proves and verifies over keys and inputs drawn from a fixed
// seed, and checks determinism, sizes, and that proofs bind key and input.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9381, 3))
	const n = 48
	betas := make(map[string]bool, n)
	var prevPK ed25519.PublicKey
	for i := range n {
		seed := make([]byte, ed25519.SeedSize)
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		sk := ed25519.NewKeyFromSeed(seed)
		pk := sk.Public().(ed25519.PublicKey)
		alpha := make([]byte, rng.IntN(130))
		for j := range alpha {
			alpha[j] = byte(rng.Uint32())
		}

		t.Run(fmt.Sprint(i), func(t *testing.T) {
			pi, beta := Prove(sk, alpha)
			if len(pi) != ProofSize || len(beta) != OutputSize {
				t.Fatalf("sizes: pi %d, beta %d", len(pi), len(beta))
			}
			pi2, beta2 := Prove(sk, alpha)
			if !bytes.Equal(pi, pi2) || !bytes.Equal(beta, beta2) {
				t.Fatal("Prove is not deterministic")
			}
			got, err := Verify(pk, alpha, pi)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !bytes.Equal(got, beta) {
				t.Fatalf("Verify beta = %x, want %x", got, beta)
			}
			if h, err := ProofToHash(pi); err != nil || !bytes.Equal(h, beta) {
				t.Fatalf("ProofToHash = %x, %v; want %x", h, err, beta)
			}
			mustFail(t, ErrVerificationFailed, pk, append(bytes.Clone(alpha), 0), pi)
			if prevPK != nil {
				mustFail(t, ErrVerificationFailed, prevPK, alpha, pi)
			}
		})
		betas[string(mustBeta(t, sk, alpha))] = true
		prevPK = pk
	}
	if len(betas) != n {
		t.Fatalf("%d distinct outputs for %d key/input pairs", len(betas), n)
	}
}

func mustBeta(t *testing.T, sk ed25519.PrivateKey, alpha []byte) []byte {
	t.Helper()
	_, beta, err := ProveErr(sk, alpha)
	if err != nil {
		t.Fatal(err)
	}
	return beta
}
