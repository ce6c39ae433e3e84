package wallet

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// VerifyPassword checks password against the wallet file's password check,
// for asking it again before an action that gives a secret away or moves
// much value. It neither unlocks nor locks the wallet and decrypts nothing:
// a wrong password gives ErrWrongPassword, a damaged header ErrCorrupt. Like
// Unlock it stretches the password, which takes about a second at the
// default cost.
func (w *Wallet) VerifyPassword(password string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.doc.checkHeader(); err != nil {
		return fmt.Errorf("verify password: %w", err)
	}
	sk, err := deriveSealKeys(password, w.doc.KDF.Salt, w.doc.KDF.Iterations)
	if err != nil {
		return fmt.Errorf("verify password: %w", err)
	}
	defer sk.wipe()
	if !sk.checkMatches(w.doc.KDF.Check) {
		return fmt.Errorf("verify password: %w", ErrWrongPassword)
	}
	return nil
}

// CheckKeystore decrypts a keystore v3 document with keystorePassword and
// returns the address of its key, keeping nothing: for checking a
// keystore's password before anything else is asked of the user. A wrong
// password gives an error matching ErrWrongPassword, as ImportKeystore does.
func CheckKeystore(keyJSON []byte, keystorePassword string) (common.Address, error) {
	raw, err := decryptKeystore(keyJSON, keystorePassword)
	if err != nil {
		return common.Address{}, fmt.Errorf("check keystore: %w", err)
	}
	defer clear(raw)
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		return common.Address{}, fmt.Errorf("check keystore: %w", err)
	}
	return crypto.PubkeyToAddress(key.PublicKey), nil
}
