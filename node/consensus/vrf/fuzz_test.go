package vrf

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

// FuzzVerify feeds arbitrary keys, inputs and proofs to Verify: it must
// never panic, must return a beta exactly when it returns no error, and an
// accepted proof's beta must equal ProofToHash's.
func FuzzVerify(f *testing.F) {
	for _, tv := range rfcVectors {
		pk, alpha, pi := unhex(f, tv.pk), unhex(f, tv.alpha), unhex(f, tv.pi)
		f.Add(pk, alpha, pi)
		f.Add(pk, alpha, pi[:ProofSize-1])
		f.Add(pk[:PublicKeySize-1], alpha, pi)
	}
	f.Add(unhex(f, smallOrderEncodings[4]), []byte{}, make([]byte, ProofSize))
	f.Add(unhex(f, nonCanonicalY3), []byte("x"), bytes.Repeat([]byte{0xff}, ProofSize))
	f.Add([]byte(nil), []byte(nil), []byte(nil))

	f.Fuzz(func(t *testing.T, pk, alpha, pi []byte) {
		beta, err := Verify(ed25519.PublicKey(pk), alpha, pi)
		if err != nil {
			if beta != nil {
				t.Fatalf("beta %x returned with error %v", beta, err)
			}
			return
		}
		if len(beta) != OutputSize {
			t.Fatalf("beta is %d bytes", len(beta))
		}
		h, err := ProofToHash(pi)
		if err != nil || !bytes.Equal(h, beta) {
			t.Fatalf("ProofToHash = %x, %v; Verify gave %x", h, err, beta)
		}
	})
}
