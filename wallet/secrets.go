package wallet

// The sealed part of the wallet file: the secrets encrypted under the
// password, and the checks that tie them to the public part.

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// sealSecrets encrypts sec into d.Cipher under key, bound to d's header,
// and (from version 2 on) records the header's checksum.
func (d *fileDoc) sealSecrets(key []byte, sec *secretsDoc) error {
	pt, err := json.Marshal(sec)
	if err != nil {
		return fmt.Errorf("encode secrets: %w", err)
	}
	defer clear(pt)
	nonce, ct, err := seal(key, pt, sealAAD(d.Version, d.KDF.Iterations, d.KDF.Salt))
	if err != nil {
		return fmt.Errorf("encrypt secrets: %w", err)
	}
	d.Cipher = cipherDoc{Name: cipherName, Nonce: nonce, Ciphertext: ct}
	d.HeaderSum = nil
	if d.Version != fileVersion1 {
		d.HeaderSum = d.computeHeaderSum()
	}
	return nil
}

// upgrade moves a version 1 doc to FileVersion: it records every account's
// public key, computed from priv (the keys matchKeys returned). The caller
// must seal the secrets again afterwards, which binds them to the new
// version and sets the header checksum.
func (d *fileDoc) upgrade(priv map[common.Address][]byte) error {
	if d.Version == FileVersion {
		return nil
	}
	accs := make([]accountDoc, len(d.Accounts))
	for i, a := range d.Accounts {
		k, err := crypto.ToECDSA(priv[a.Address])
		if err != nil {
			return fmt.Errorf("%s: %w", a.name(i, a.Address.Hex()), err)
		}
		a.PubKey = crypto.CompressPubkey(&k.PublicKey)
		clear(k.D.Bits())
		accs[i] = a
	}
	d.Version, d.Accounts = FileVersion, accs
	return nil
}

// openSecrets checks the header checksum, then derives the keys from
// password and decrypts the secrets. The checksum comes first so that a
// damaged salt or check value is ErrCorrupt, not ErrWrongPassword.
func (d *fileDoc) openSecrets(password string) (*sealKeys, *secretsDoc, error) {
	if err := d.checkHeader(); err != nil {
		return nil, nil, err
	}
	sk, err := deriveSealKeys(password, d.KDF.Salt, d.KDF.Iterations)
	if err != nil {
		return nil, nil, err
	}
	if !sk.checkMatches(d.KDF.Check) {
		sk.wipe()
		return nil, nil, ErrWrongPassword
	}
	pt, err := open(sk.aesKey, d.Cipher.Nonce, d.Cipher.Ciphertext, sealAAD(d.Version, d.KDF.Iterations, d.KDF.Salt))
	if err != nil {
		sk.wipe()
		return nil, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer clear(pt)
	var sec secretsDoc
	if err := json.Unmarshal(pt, &sec); err != nil {
		sk.wipe()
		return nil, nil, fmt.Errorf("%w: secrets do not decode", ErrCorrupt)
	}
	if len(sec.Seed) != 64 || ValidateMnemonic(sec.Mnemonic) != nil {
		sk.wipe()
		wipeSecrets(&sec)
		return nil, nil, fmt.Errorf("%w: secrets lack a valid mnemonic and seed", ErrCorrupt)
	}
	return sk, &sec, nil
}

// matchKeys computes every account's private key from sec and checks that
// the public account list is exactly the one the secrets give.
func (d *fileDoc) matchKeys(sec *secretsDoc) (map[common.Address][]byte, error) {
	priv := make(map[common.Address][]byte, len(d.Accounts))
	fail := func(format string, args ...any) (map[common.Address][]byte, error) {
		for _, k := range priv {
			clear(k)
		}
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	imported := make(map[common.Address][]byte, len(sec.Keys))
	for _, k := range sec.Keys {
		key, err := crypto.ToECDSA(k.Key)
		if err != nil || crypto.PubkeyToAddress(key.PublicKey) != k.Address {
			return fail("imported key for %s does not match its address", k.Address.Hex())
		}
		imported[k.Address] = k.Key
	}
	base, err := ParsePath(BasePath)
	if err != nil {
		return nil, err
	}
	parent, err := deriveNode(sec.Seed, base)
	if err != nil {
		return fail("derive %s: %v", BasePath, err)
	}
	nImported := 0
	for _, a := range d.Accounts {
		if !a.HD {
			k, ok := imported[a.Address]
			if !ok {
				return fail("no key stored for imported account %s", a.Address.Hex())
			}
			if a.PubKey != nil {
				key, err := crypto.ToECDSA(k)
				if err != nil || !bytes.Equal(a.PubKey, crypto.CompressPubkey(&key.PublicKey)) {
					return fail("imported account %s: stored public key is not its key's", a.Address.Hex())
				}
			}
			priv[a.Address] = append([]byte(nil), k...)
			nImported++
			continue
		}
		child, err := childNode(parent, a.Index)
		if err != nil {
			return fail("derive %s: %v", a.Path, err)
		}
		key, err := nodeKey(child)
		if err != nil {
			return fail("derive %s: %v", a.Path, err)
		}
		if crypto.PubkeyToAddress(key.PublicKey) != a.Address {
			return fail("account %s is not what %s derives", a.Address.Hex(), a.Path)
		}
		if a.PubKey != nil && !bytes.Equal(a.PubKey, crypto.CompressPubkey(&key.PublicKey)) {
			return fail("account %s: stored public key is not what %s derives", a.Address.Hex(), a.Path)
		}
		priv[a.Address] = crypto.FromECDSA(key)
	}
	if nImported != len(imported) {
		return fail("%d imported keys stored but %d imported accounts listed", len(imported), nImported)
	}
	return priv, nil
}
