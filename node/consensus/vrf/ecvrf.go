package vrf

import (
	"bytes"
	"crypto/sha512"
	"errors"
	"fmt"

	"filippo.io/edwards25519"
)

// Parameters of ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381 section 5.5).
const (
	suiteString = 0x03 // ECVRF-EDWARDS25519-SHA512-TAI
	ptLen       = 32   // length of an encoded point
	cLen        = 16   // length of the challenge c
	qLen        = 32   // length of an encoded scalar

	// Domain separators of the RFC's hash calls.
	encodeToCurveFront = 0x01
	challengeFront     = 0x02
	proofToHashFront   = 0x03
	backDomain         = 0x00
)

// errEncodeToCurve reports that try-and-increment found no point within its
// 256 counter values, which happens with probability about 2^-256.
var errEncodeToCurve = errors.New("vrf: encode to curve found no point")

// proof is a decoded proof: Gamma, the challenge c and the response s.
type proof struct {
	gamma *edwards25519.Point
	c     *edwards25519.Scalar // less than 2^128
	s     *edwards25519.Scalar
}

// bytes encodes the proof as Gamma || c (16 bytes) || s (RFC 9381 5.1 step 8).
func (p *proof) bytes() []byte {
	out := make([]byte, 0, ProofSize)
	out = append(out, p.gamma.Bytes()...)
	out = append(out, p.c.Bytes()[:cLen]...)
	return append(out, p.s.Bytes()...)
}

// hash is ECVRF_proof_to_hash on a decoded proof (RFC 9381 5.2):
// SHA-512(suite || 0x03 || point_to_string(cofactor*Gamma) || 0x00).
func (p *proof) hash() []byte {
	g := new(edwards25519.Point).MultByCofactor(p.gamma)
	h := sha512.New()
	h.Write([]byte{suiteString, proofToHashFront})
	h.Write(g.Bytes())
	h.Write([]byte{backDomain})
	return h.Sum(nil)
}

// stringToPoint decodes a point as RFC 8032 section 5.1.3 does, rejecting
// the non-canonical encodings (y >= p, or x = 0 with the sign bit set) that
// edwards25519.Point.SetBytes accepts.
func stringToPoint(b []byte) (*edwards25519.Point, bool) {
	p, err := new(edwards25519.Point).SetBytes(b)
	if err != nil || !bytes.Equal(p.Bytes(), b) {
		return nil, false
	}
	return p, true
}

// validateKey is ECVRF_validate_key (RFC 9381 5.4.5): pk must decode and
// cofactor*Y must not be the identity.
func validateKey(pk []byte) (*edwards25519.Point, error) {
	y, ok := stringToPoint(pk)
	if !ok {
		return nil, fmt.Errorf("public key is not a curve point: %w", ErrInvalidPublicKey)
	}
	if isSmallOrder(y) {
		return nil, fmt.Errorf("public key has small order: %w", ErrInvalidPublicKey)
	}
	return y, nil
}

// isSmallOrder reports whether cofactor*p is the identity.
func isSmallOrder(p *edwards25519.Point) bool {
	g := new(edwards25519.Point).MultByCofactor(p)
	return g.Equal(edwards25519.NewIdentityPoint()) == 1
}

// decodeProof is ECVRF_decode_proof (RFC 9381 5.4.4).
func decodeProof(pi []byte) (*proof, error) {
	if len(pi) != ProofSize {
		return nil, fmt.Errorf("proof is %d bytes, want %d: %w", len(pi), ProofSize, ErrMalformedProof)
	}
	gamma, ok := stringToPoint(pi[:ptLen])
	if !ok {
		return nil, fmt.Errorf("gamma is not a curve point: %w", ErrMalformedProof)
	}
	c := scalarFromChallenge(pi[ptLen : ptLen+cLen])
	s, err := edwards25519.NewScalar().SetCanonicalBytes(pi[ptLen+cLen:])
	if err != nil {
		return nil, fmt.Errorf("s is not below the group order: %w", ErrMalformedProof)
	}
	return &proof{gamma: gamma, c: c, s: s}, nil
}

// encodeToCurve is ECVRF_encode_to_curve_try_and_increment (RFC 9381
// 5.4.1.1) with encode_to_curve_salt = PK_string. It hashes
// suite || 0x01 || pk || alpha || ctr || 0x00 for ctr = 0, 1, ... until the
// first 32 bytes of the digest decode to a point, and returns that point
// times the cofactor.
func encodeToCurve(pk, alpha []byte) (*edwards25519.Point, error) {
	h := sha512.New()
	var digest [sha512.Size]byte
	for ctr := 0; ctr < 256; ctr++ {
		h.Reset()
		h.Write([]byte{suiteString, encodeToCurveFront})
		h.Write(pk)
		h.Write(alpha)
		h.Write([]byte{byte(ctr), backDomain})
		sum := h.Sum(digest[:0])
		if p, ok := stringToPoint(sum[:ptLen]); ok {
			return p.MultByCofactor(p), nil
		}
	}
	return nil, errEncodeToCurve
}

// challenge is ECVRF_challenge_generation (RFC 9381 5.4.3) over
// Y, H, Gamma, U, V: the first 16 bytes of
// SHA-512(suite || 0x02 || Y || H || Gamma || U || V || 0x00), read as a
// little-endian integer. Hashing Y is what the final RFC added over the
// earlier drafts.
func challenge(points ...[]byte) *edwards25519.Scalar {
	h := sha512.New()
	h.Write([]byte{suiteString, challengeFront})
	for _, p := range points {
		h.Write(p)
	}
	h.Write([]byte{backDomain})
	return scalarFromChallenge(h.Sum(nil)[:cLen])
}

// scalarFromChallenge reads a cLen-byte little-endian challenge as a scalar.
// The value is below 2^128 < L, so no reduction takes place.
func scalarFromChallenge(b []byte) *edwards25519.Scalar {
	var wide [64]byte
	copy(wide[:], b)
	// SetUniformBytes fails only on an input that is not 64 bytes long.
	c, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
	return c
}

// prove is ECVRF_prove (RFC 9381 5.1) for the 32-byte ed25519 seed.
func prove(seed, alpha []byte) (*proof, error) {
	// Secret scalar x and nonce key as in RFC 8032 5.1.5 / RFC 9381 5.4.2.2.
	hashed := sha512.Sum512(seed)
	defer clear(hashed[:])
	x, err := edwards25519.NewScalar().SetBytesWithClamping(hashed[:32])
	if err != nil { // unreachable: the slice is 32 bytes
		return nil, fmt.Errorf("secret scalar: %w", err)
	}
	pk := new(edwards25519.Point).ScalarBaseMult(x).Bytes()

	hPoint, err := encodeToCurve(pk, alpha)
	if err != nil {
		return nil, err
	}
	hString := hPoint.Bytes()
	gamma := new(edwards25519.Point).ScalarMult(x, hPoint)

	// ECVRF_nonce_generation_RFC8032: k = SHA-512(hashed[32:64] || h_string) mod L.
	nh := sha512.New()
	nh.Write(hashed[32:])
	nh.Write(hString)
	var kString [sha512.Size]byte
	nh.Sum(kString[:0])
	defer clear(kString[:])
	k, err := edwards25519.NewScalar().SetUniformBytes(kString[:])
	if err != nil { // unreachable: the slice is 64 bytes
		return nil, fmt.Errorf("nonce: %w", err)
	}

	u := new(edwards25519.Point).ScalarBaseMult(k)
	v := new(edwards25519.Point).ScalarMult(k, hPoint)
	c := challenge(pk, hString, gamma.Bytes(), u.Bytes(), v.Bytes())
	s := edwards25519.NewScalar().MultiplyAdd(c, x, k)
	return &proof{gamma: gamma, c: c, s: s}, nil
}

// verify is steps 4 to 8 of ECVRF_verify (RFC 9381 5.3) for the validated
// key y, its encoding pk and a decoded proof.
func verify(y *edwards25519.Point, pk, alpha []byte, p *proof) error {
	hPoint, err := encodeToCurve(pk, alpha)
	if err != nil {
		return err
	}
	negC := edwards25519.NewScalar().Negate(p.c)
	// U = s*B - c*Y
	u := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(negC, y, p.s)
	// V = s*H - c*Gamma
	v := new(edwards25519.Point).VarTimeMultiScalarMult(
		[]*edwards25519.Scalar{p.s, negC},
		[]*edwards25519.Point{hPoint, p.gamma})
	c := challenge(pk, hPoint.Bytes(), p.gamma.Bytes(), u.Bytes(), v.Bytes())
	if c.Equal(p.c) != 1 {
		return ErrVerificationFailed
	}
	return nil
}
