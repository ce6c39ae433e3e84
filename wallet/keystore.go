package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Bounds on keystore KDF parameters accepted by ImportKeystore, so a crafted
// file cannot exhaust memory or CPU. Files written by geth, MetaMask, ethers
// and Foundry (scrypt N up to 2^18 with r=8) are well inside them.
const (
	maxKeystoreScryptMem  = 1 << 21 // N*r; memory is 128*N*r bytes = 256 MiB
	maxKeystoreScryptWork = 1 << 23 // N*r*p
	maxKeystorePBKDF2     = 10_000_000
	maxKeystoreSize       = 64 << 10
)

// keystoreV3 is the Web3 Secret Storage (keystore v3) document.
type keystoreV3 struct {
	Address string              `json:"address"`
	Crypto  keystore.CryptoJSON `json:"crypto"`
	ID      string              `json:"id"`
	Version int                 `json:"version"`
}

// ExportKeystore returns account addr's private key as an Ethereum
// keystore v3 JSON document encrypted with keystorePassword (scrypt with
// StandardScryptN/P unless WithKeystoreScrypt says otherwise), the format
// geth, MetaMask and ethers import. Needs the wallet unlocked.
func (w *Wallet) ExportKeystore(addr common.Address, keystorePassword string) ([]byte, error) {
	w.mu.Lock()
	key, err := w.privateKey(addr)
	n, p := w.cfg.scryptN, w.cfg.scryptP
	w.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("export keystore: %w", err)
	}
	if keystorePassword == "" {
		return nil, fmt.Errorf("export keystore: %w", errEmptyPassword)
	}
	raw := crypto.FromECDSA(key)
	defer clear(raw)
	cj, err := keystore.EncryptDataV3(raw, []byte(keystorePassword), n, p)
	if err != nil {
		return nil, fmt.Errorf("export keystore: encrypt: %w", err)
	}
	id, err := newUUID()
	if err != nil {
		return nil, fmt.Errorf("export keystore: %w", err)
	}
	out, err := json.Marshal(keystoreV3{
		Address: hex.EncodeToString(addr[:]),
		Crypto:  cj,
		ID:      id,
		Version: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("export keystore: encode: %w", err)
	}
	return out, nil
}

// ImportKeystore decrypts a keystore v3 JSON document (scrypt or PBKDF2 KDF)
// with keystorePassword and adds its key as an imported account labelled
// label. Needs the wallet unlocked. A wrong keystore password gives an
// error matching both ErrWrongPassword and keystore.ErrDecrypt; a key
// already in the wallet gives ErrAccountExists.
func (w *Wallet) ImportKeystore(keyJSON []byte, keystorePassword, label string) (Account, error) {
	if w.Locked() { // checked first so a locked wallet does not pay for scrypt
		return Account{}, fmt.Errorf("import keystore: %w", ErrLocked)
	}
	raw, err := decryptKeystore(keyJSON, keystorePassword)
	if err != nil {
		return Account{}, fmt.Errorf("import keystore: %w", err)
	}
	defer clear(raw)
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		return Account{}, fmt.Errorf("import keystore: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	acc, err := w.importKey(key, label)
	if err != nil {
		return Account{}, fmt.Errorf("import keystore: %w", err)
	}
	return acc, nil
}

// decryptKeystore validates a keystore v3 document and returns its 32-byte
// private key. Every field go-ethereum's decoder would panic on (missing or
// mistyped KDF parameters, bad IV length, short derived key) is checked
// first, and KDF costs are bounded.
func decryptKeystore(keyJSON []byte, password string) ([]byte, error) {
	if len(keyJSON) > maxKeystoreSize {
		return nil, fmt.Errorf("keystore is larger than %d bytes", maxKeystoreSize)
	}
	var head struct {
		Version any `json:"version"`
	}
	if err := json.Unmarshal(keyJSON, &head); err != nil {
		return nil, fmt.Errorf("keystore is not valid JSON: %w", err)
	}
	if v, ok := head.Version.(float64); !ok || v != 3 {
		return nil, fmt.Errorf("keystore version %v not supported, want 3", head.Version)
	}
	var ks keystoreV3
	if err := json.Unmarshal(keyJSON, &ks); err != nil {
		return nil, fmt.Errorf("keystore: %w", err)
	}
	c := ks.Crypto
	if c.Cipher != "aes-128-ctr" {
		return nil, fmt.Errorf("keystore cipher %q not supported, want aes-128-ctr", c.Cipher)
	}
	if err := hexLen("iv", c.CipherParams.IV, 16, 16); err != nil {
		return nil, err
	}
	if err := hexLen("ciphertext", c.CipherText, 1, 32); err != nil {
		return nil, err
	}
	if err := hexLen("mac", c.MAC, 32, 32); err != nil {
		return nil, err
	}
	if err := checkKeystoreKDF(c.KDF, c.KDFParams); err != nil {
		return nil, err
	}
	raw, err := keystore.DecryptDataV3(c, password)
	if err != nil {
		if errors.Is(err, keystore.ErrDecrypt) {
			return nil, fmt.Errorf("%w: %w", ErrWrongPassword, err)
		}
		return nil, fmt.Errorf("decrypt keystore: %w", err)
	}
	// Some old writers dropped leading zero bytes of the key.
	key, err := pad32(raw)
	clear(raw)
	if err != nil {
		return nil, err
	}
	if ks.Address != "" {
		want := strings.TrimPrefix(strings.ToLower(ks.Address), "0x")
		k, err := crypto.ToECDSA(key)
		if err != nil {
			clear(key)
			return nil, fmt.Errorf("keystore key: %w", err)
		}
		if got := hex.EncodeToString(crypto.PubkeyToAddress(k.PublicKey).Bytes()); got != want {
			clear(key)
			return nil, errors.New("keystore address field does not match its key")
		}
	}
	return key, nil
}

// checkKeystoreKDF checks the KDF name and parameters of a keystore.
func checkKeystoreKDF(kdf string, params map[string]any) error {
	num := func(name string) (int, error) {
		v, ok := params[name].(float64)
		if !ok || v < 1 || v > math.MaxInt32 || v != math.Trunc(v) {
			return 0, fmt.Errorf("keystore kdfparams.%s missing or not a positive integer", name)
		}
		return int(v), nil
	}
	salt, ok := params["salt"].(string)
	if !ok {
		return errors.New("keystore kdfparams.salt missing")
	}
	if err := hexLen("salt", salt, 0, 1024); err != nil {
		return err
	}
	dklen, err := num("dklen")
	if err != nil {
		return err
	}
	if dklen != 32 {
		return fmt.Errorf("keystore dklen %d not supported, want 32", dklen)
	}
	switch kdf {
	case "scrypt":
		n, err := num("n")
		if err != nil {
			return err
		}
		r, err := num("r")
		if err != nil {
			return err
		}
		p, err := num("p")
		if err != nil {
			return err
		}
		if n < 2 || n&(n-1) != 0 {
			return fmt.Errorf("keystore scrypt n=%d is not a power of two", n)
		}
		if int64(n)*int64(r) > maxKeystoreScryptMem || int64(n)*int64(r)*int64(p) > maxKeystoreScryptWork {
			return fmt.Errorf("keystore scrypt parameters n=%d r=%d p=%d exceed the accepted cost", n, r, p)
		}
	case "pbkdf2":
		c, err := num("c")
		if err != nil {
			return err
		}
		if c > maxKeystorePBKDF2 {
			return fmt.Errorf("keystore pbkdf2 count %d exceeds %d", c, maxKeystorePBKDF2)
		}
		if prf, _ := params["prf"].(string); prf != "hmac-sha256" {
			return fmt.Errorf("keystore pbkdf2 prf %q not supported, want hmac-sha256", prf)
		}
	default:
		return fmt.Errorf("keystore kdf %q not supported, want scrypt or pbkdf2", kdf)
	}
	return nil
}

// hexLen checks that s is hex of min..max bytes.
func hexLen(name, s string, min, max int) error {
	b, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("keystore %s is not hex", name)
	}
	if len(b) < min || len(b) > max {
		return fmt.Errorf("keystore %s is %d bytes, want %d..%d", name, len(b), min, max)
	}
	return nil
}

// newUUID returns a random RFC 4122 version 4 UUID string.
func newUUID() (string, error) {
	b, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// ExportKeystoreFile writes the account's keystore v3 JSON to path, mode
// 0600, atomically, and never over an existing file (ErrExists).
func (w *Wallet) ExportKeystoreFile(addr common.Address, keystorePassword, path string) error {
	data, err := w.ExportKeystore(addr, keystorePassword)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, data, true); err != nil {
		return fmt.Errorf("write keystore %s: %w", path, err)
	}
	return nil
}
