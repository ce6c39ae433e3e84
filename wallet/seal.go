package wallet

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

const (
	// DefaultKDFIterations is the PBKDF2-HMAC-SHA512 iteration count new
	// wallet files get (OWASP's 2023 figure for PBKDF2-HMAC-SHA512 is
	// 210,000; Cairn uses more). It is stored in the file, so it can rise
	// in later releases: ChangePassword re-encrypts with the current value.
	DefaultKDFIterations = 600_000

	// maxKDFIterations bounds the count read from a file so a crafted file
	// cannot make Unlock run for hours.
	maxKDFIterations = 50_000_000

	kdfName    = "pbkdf2-hmac-sha512"
	cipherName = "aes-256-gcm"
	saltLen    = 16
	nonceLen   = 12
	checkLen   = 32
)

// sealKeys are the two halves of one PBKDF2 output: the AES-256 key and a
// password check value stored in the file. The check value lets Unlock tell
// a wrong password (ErrWrongPassword) from damaged ciphertext (ErrCorrupt);
// it costs an attacker the same PBKDF2 work per guess as trying to decrypt.
type sealKeys struct {
	aesKey []byte
	check  []byte
}

// deriveSealKeys runs PBKDF2-HMAC-SHA512 over the password.
func deriveSealKeys(password string, salt []byte, iterations int) (*sealKeys, error) {
	if iterations < 1 || iterations > maxKDFIterations {
		return nil, fmt.Errorf("kdf iterations %d out of range 1..%d", iterations, maxKDFIterations)
	}
	out, err := pbkdf2.Key(sha512.New, password, salt, iterations, 32+checkLen)
	if err != nil {
		return nil, fmt.Errorf("pbkdf2: %w", err)
	}
	return &sealKeys{aesKey: out[:32:32], check: out[32:]}, nil
}

// checkMatches compares a stored check value in constant time.
func (k *sealKeys) checkMatches(stored []byte) bool {
	return subtle.ConstantTimeCompare(k.check, stored) == 1
}

// wipe overwrites the AES key. The check value is public (it is in the
// file) and may be shared with a fileDoc, so it is left alone.
func (k *sealKeys) wipe() {
	if k == nil {
		return
	}
	clear(k.aesKey)
}

// sealAAD is the associated data authenticated with the ciphertext: the
// format version, KDF parameters and salt, so none can be swapped unnoticed.
func sealAAD(version, iterations int, salt []byte) []byte {
	aad := []byte("cairn-wallet/" + kdfName + "/" + cipherName + "/")
	aad = binary.BigEndian.AppendUint32(aad, uint32(version))
	aad = binary.BigEndian.AppendUint64(aad, uint64(iterations))
	return append(aad, salt...)
}

// seal encrypts plaintext under key with a fresh random nonce.
func seal(key, plaintext, aad []byte) (nonce, ciphertext []byte, err error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, nil, err
	}
	nonce = make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, fmt.Errorf("read nonce: %w", err)
	}
	return nonce, gcm.Seal(nil, nonce, plaintext, aad), nil
}

// open decrypts and authenticates ciphertext.
func open(key, nonce, ciphertext, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(nonce) != gcm.NonceSize() {
		return nil, fmt.Errorf("nonce is %d bytes, want %d", len(nonce), gcm.NonceSize())
	}
	pt, err := gcm.Open(nil, nonce, ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("authenticate ciphertext: %w", err)
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return gcm, nil
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("read random: %w", err)
	}
	return b, nil
}
