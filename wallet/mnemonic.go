// Package wallet is Cairn's HD wallet: BIP-39 mnemonics, BIP-32/BIP-44
// derivation on Ethereum's path m/44'/60'/0'/0/i, an encrypted wallet file,
// Ethereum keystore v3 import and export, and transaction and message signing.
//
// Nothing in this package logs or prints a key, mnemonic or password, and no
// error message contains one.
package wallet

import (
	"errors"
	"fmt"
	"golang.org/x/text/unicode/norm"
	"strings"

	"github.com/tyler-smith/go-bip39"
)

// DevMnemonic is the well-known development mnemonic used by Hardhat and
// Anvil. Its keys are PUBLIC: anyone can spend funds held by its accounts on
// any network. Use it only for local development chains.
const DevMnemonic = "test test test test test test test test test test test junk"

// ErrInvalidMnemonic reports a mnemonic that is not a valid BIP-39 English
// phrase (wrong word count, unknown word or bad checksum).
var ErrInvalidMnemonic = errors.New("invalid mnemonic")

// NewMnemonic returns a fresh random BIP-39 English mnemonic of 12 words
// (128 bits of entropy) or 24 words (256 bits).
func NewMnemonic(words int) (string, error) {
	var bits int
	switch words {
	case 12:
		bits = 128
	case 24:
		bits = 256
	default:
		return "", fmt.Errorf("new mnemonic: %d words requested, want 12 or 24", words)
	}
	entropy, err := bip39.NewEntropy(bits)
	if err != nil {
		return "", fmt.Errorf("new mnemonic: read entropy: %w", err)
	}
	m, err := bip39.NewMnemonic(entropy)
	if err != nil {
		return "", fmt.Errorf("new mnemonic: encode: %w", err)
	}
	return m, nil
}

// NormalizeMnemonic returns m lower-cased with words separated by single
// spaces, the form whose bytes feed the BIP-39 seed function. It does not
// validate.
func NormalizeMnemonic(m string) string {
	return strings.Join(strings.Fields(strings.ToLower(m)), " ")
}

// ValidateMnemonic checks that m (after NormalizeMnemonic) is a BIP-39
// English mnemonic of 12, 15, 18, 21 or 24 words with a correct checksum.
// Errors wrap ErrInvalidMnemonic and never quote the words themselves.
func ValidateMnemonic(m string) error {
	words := strings.Fields(NormalizeMnemonic(m))
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return fmt.Errorf("%w: %d words, want 12, 15, 18, 21 or 24", ErrInvalidMnemonic, len(words))
	}
	for i, w := range words {
		if _, ok := bip39.GetWordIndex(w); !ok {
			return fmt.Errorf("%w: word %d is not in the BIP-39 English word list", ErrInvalidMnemonic, i+1)
		}
	}
	if _, err := bip39.EntropyFromMnemonic(strings.Join(words, " ")); err != nil {
		return fmt.Errorf("%w: checksum does not match (a word is probably mistyped)", ErrInvalidMnemonic)
	}
	return nil
}

// MnemonicEntropy returns the entropy encoded by a valid mnemonic.
func MnemonicEntropy(m string) ([]byte, error) {
	if err := ValidateMnemonic(m); err != nil {
		return nil, err
	}
	e, err := bip39.EntropyFromMnemonic(NormalizeMnemonic(m))
	if err != nil {
		return nil, fmt.Errorf("%w: decode entropy", ErrInvalidMnemonic)
	}
	return e, nil
}

// MnemonicFromEntropy encodes 16, 20, 24, 28 or 32 bytes of entropy as a
// BIP-39 English mnemonic.
func MnemonicFromEntropy(entropy []byte) (string, error) {
	m, err := bip39.NewMnemonic(entropy)
	if err != nil {
		return "", fmt.Errorf("mnemonic from %d bytes of entropy: %w", len(entropy), err)
	}
	return m, nil
}

// Seed returns the 64-byte BIP-39 seed of a valid mnemonic and an optional
// passphrase (the "25th word"). The passphrase is used as given (UTF-8
// bytes); BIP-39 asks for NFKD normalization, which only matters for
// non-ASCII passphrases.
func Seed(mnemonic, passphrase string) ([]byte, error) {
	if err := ValidateMnemonic(mnemonic); err != nil {
		return nil, err
	}
	// BIP-39 hashes the NFKD forms of the words and the passphrase, so a
	// passphrase typed with composed or decomposed accents gives the same
	// wallet here as in every other BIP-39 wallet.
	return bip39.NewSeed(norm.NFKD.String(NormalizeMnemonic(mnemonic)), norm.NFKD.String(passphrase)), nil
}
