package wallet

import (
	"bytes"
	"testing"
)

// TestPassphraseIsNFKDNormalized: BIP-39 hashes the NFKD form of the
// passphrase, so composed and decomposed spellings of the same passphrase
// must open the same wallet (as they do in other BIP-39 wallets).
func TestPassphraseIsNFKDNormalized(t *testing.T) {
	composed := "caf\u00e9"    // é as one code point
	decomposed := "cafe\u0301" // e + combining acute accent
	a, err := Seed(DevMnemonic, composed)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Seed(DevMnemonic, decomposed)
	c, _ := Seed(DevMnemonic, "")
	if !bytes.Equal(a, b) {
		t.Fatal("composed and decomposed passphrases give different seeds")
	}
	if bytes.Equal(a, c) {
		t.Fatal("a passphrase did not change the seed")
	}
}
