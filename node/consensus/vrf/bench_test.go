package vrf

import (
	"crypto/ed25519"
	"testing"
)

func BenchmarkProve(b *testing.B) {
	sk := ed25519.NewKeyFromSeed(unhex(b, rfcVectors[0].sk))
	alpha := []byte("cairn/seed block 12345 previous beta")
	b.ReportAllocs()
	for b.Loop() {
		if pi, _ := Prove(sk, alpha); pi == nil {
			b.Fatal("Prove failed")
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	sk := ed25519.NewKeyFromSeed(unhex(b, rfcVectors[0].sk))
	pk := sk.Public().(ed25519.PublicKey)
	alpha := []byte("cairn/seed block 12345 previous beta")
	pi, _ := Prove(sk, alpha)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(pk, alpha, pi); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProofToHash(b *testing.B) {
	pi := unhex(b, rfcVectors[0].pi)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ProofToHash(pi); err != nil {
			b.Fatal(err)
		}
	}
}
