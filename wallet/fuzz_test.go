package wallet

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The fuzz targets use only the package's exported API.

const (
	fzPassword         = "fuzz wallet password"
	fzKeystorePassword = "fuzz keystore password"
	// fzMaxIterations bounds the KDF work a fuzzed file may ask of Unlock
	// here; seeds use 1.
	fzMaxIterations = 64
)

var fzOpts = []Option{WithKDFIterations(1), WithKeystoreScrypt(2, 1)}

// fzWalletFile creates a wallet file (account 0, a derived account, an
// imported key, labels) and returns its bytes.
func fzWalletFile(tb testing.TB, extra bool) []byte {
	path := filepath.Join(tb.TempDir(), FileName)
	w, err := Create(path, DevMnemonic, "", fzPassword, fzOpts...)
	if err != nil {
		tb.Fatal(err)
	}
	if extra {
		if _, err := w.Derive("second"); err != nil {
			tb.Fatal(err)
		}
		k, _ := crypto.HexToECDSA("0101010101010101010101010101010101010101010101010101010101010101")
		acc, err := w.ImportKey(k, "imported ✓")
		if err != nil {
			tb.Fatal(err)
		}
		if err := w.SetDefault(acc.Address); err != nil {
			tb.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// fzVersion1 rewrites a wallet file in the first format's shape: no
// header checksum, no public keys, lowercase addresses.
func fzVersion1(tb testing.TB, data []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatal(err)
	}
	doc["version"] = 1
	delete(doc, "header_sha256")
	doc["default"] = strings.ToLower(doc["default"].(string))
	for _, a := range doc["accounts"].([]any) {
		acc := a.(map[string]any)
		delete(acc, "pubkey")
		acc["address"] = strings.ToLower(acc["address"].(string))
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// fzCheckPublic checks what Open promises of the public part.
func fzCheckPublic(t *testing.T, w *Wallet) {
	t.Helper()
	accs := w.Accounts()
	if len(accs) == 0 {
		t.Fatal("opened a wallet without accounts")
	}
	seen := map[common.Address]bool{}
	for _, a := range accs {
		if a.Address == (common.Address{}) || seen[a.Address] {
			t.Fatalf("account %s is zero or listed twice", a.Address)
		}
		seen[a.Address] = true
		if a.Label == "" || len(a.Label) > 4*MaxLabelLen {
			t.Fatalf("account %s has label %q", a.Address, a.Label)
		}
		if a.HD && a.Path != AccountPath(a.Index) || !a.HD && (a.Path != "" || a.Index != 0) {
			t.Fatalf("account %s: hd %v index %d path %q", a.Address, a.HD, a.Index, a.Path)
		}
		if got, err := w.Account(a.Address); err != nil || got != a {
			t.Fatalf("Account(%s) = %+v, %v", a.Address, got, err)
		}
	}
	if d := w.Default(); !seen[d.Address] {
		t.Fatalf("default account %s is not listed", d.Address)
	}
	if n := w.KDFIterations(); n < 1 {
		t.Fatalf("%d KDF iterations", n)
	}
}

// fzCheckUnlocked checks an unlocked wallet: every account has its key,
// the mnemonic is valid, and Lock forgets the keys.
func fzCheckUnlocked(t *testing.T, w *Wallet) {
	t.Helper()
	if w.Locked() {
		t.Fatal("unlocked, yet locked")
	}
	for _, a := range w.Accounts() {
		k, err := w.PrivateKey(a.Address)
		if err != nil || crypto.PubkeyToAddress(k.PublicKey) != a.Address {
			t.Fatalf("account %s: key %v", a.Address, err)
		}
	}
	m, err := w.Mnemonic()
	if err != nil || ValidateMnemonic(m) != nil {
		t.Fatalf("mnemonic: %v / %v", err, ValidateMnemonic(m))
	}
}

// FuzzOpen opens arbitrary wallet files and unlocks what opens with the
// password the seeds were made with. A refused file is ErrCorrupt or
// ErrUnsupportedVersion; an opened one is locked and consistent; Unlock
// either fails with ErrWrongPassword or ErrCorrupt, leaving the wallet
// locked, or yields every account's key. Neither writes the file.
func FuzzOpen(f *testing.F) {
	for _, extra := range []bool{false, true} {
		data := fzWalletFile(f, extra)
		f.Add(data)
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err == nil {
			f.Add(compact.Bytes())
		}
		f.Add(fzVersion1(f, data))
		f.Add(bytes.Replace(data, []byte(`"version": 2`), []byte(`"version": 3`), 1))
	}
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		unchanged := func(what string) {
			t.Helper()
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s wrote the wallet file (%v)", what, err)
			}
		}
		w, err := Open(path, fzOpts...)
		unchanged("Open")
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("refused with %v, neither ErrCorrupt nor ErrUnsupportedVersion", err)
			}
			return
		}
		if !w.Locked() {
			t.Fatal("opened unlocked")
		}
		fzCheckPublic(t, w)
		if _, err := w.PrivateKey(w.Default().Address); !errors.Is(err, ErrLocked) {
			t.Fatalf("locked wallet gave a key: %v", err)
		}
		if w.KDFIterations() > fzMaxIterations {
			return
		}
		for _, pw := range []string{"not the password", fzPassword} {
			err := w.Unlock(pw)
			unchanged("Unlock")
			if err != nil {
				if !errors.Is(err, ErrWrongPassword) && !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Unlock: %v, neither ErrWrongPassword nor ErrCorrupt", err)
				}
				if !w.Locked() {
					t.Fatal("a failed Unlock unlocked the wallet")
				}
				continue
			}
			if pw != fzPassword {
				t.Fatal("unlocked with the wrong password")
			}
			fzCheckUnlocked(t, w)
			fzCheckPublic(t, w)
			w.Lock()
			if !w.Locked() {
				t.Fatal("Lock left it unlocked")
			}
			if _, err := w.PrivateKey(w.Default().Address); !errors.Is(err, ErrLocked) {
				t.Fatalf("locked wallet gave a key: %v", err)
			}
		}
	})
}

// fzPBKDF2Keystore builds a keystore v3 document with a PBKDF2 KDF of c
// rounds, as other wallets write them (the package exports only scrypt).
func fzPBKDF2Keystore(tb testing.TB, key *ecdsa.PrivateKey, password string, c int, withAddress bool) []byte {
	salt := bytes.Repeat([]byte{0x5a}, 32)
	iv := bytes.Repeat([]byte{0x1f}, 16)
	dk, err := pbkdf2.Key(sha256.New, password, salt, c, 32)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := aes.NewCipher(dk[:16])
	ct := make([]byte, 32)
	cipher.NewCTR(block, iv).XORKeyStream(ct, crypto.FromECDSA(key))
	mac := crypto.Keccak256(dk[16:32], ct)
	doc := map[string]any{
		"crypto": map[string]any{
			"cipher": "aes-128-ctr", "cipherparams": map[string]any{"iv": hex.EncodeToString(iv)},
			"ciphertext": hex.EncodeToString(ct), "kdf": "pbkdf2",
			"kdfparams": map[string]any{"c": c, "dklen": 32, "prf": "hmac-sha256", "salt": hex.EncodeToString(salt)},
			"mac":       hex.EncodeToString(mac),
		},
		"id": "3198bc9c-6672-5ab3-d995-4942343ae5b6", "version": 3,
	}
	if withAddress {
		doc["address"] = hex.EncodeToString(crypto.PubkeyToAddress(key.PublicKey).Bytes())
	}
	data, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// fzKeystoreCost is the KDF work a keystore asks for, as this test reads
// it, so that fuzzed inputs asking for a lot can be skipped (the package
// bounds it, but far above what a fuzzer can afford per input).
func fzKeystoreCost(data []byte) float64 {
	var ks struct {
		Crypto struct {
			KDFParams map[string]any `json:"kdfparams"`
		} `json:"crypto"`
	}
	if json.Unmarshal(data, &ks) != nil {
		return 0
	}
	num := func(k string) float64 {
		// encoding/json matches keys case-insensitively; so may the
		// package's decoder.
		for name, v := range ks.Crypto.KDFParams {
			if strings.EqualFold(name, k) {
				if f, ok := v.(float64); ok && f > 1 {
					return f
				}
			}
		}
		return 1
	}
	return max(num("n")*num("r")*num("p"), num("c"))
}

// FuzzImportKeystore imports arbitrary keystore documents into a fresh
// unlocked wallet. A refused one changes nothing (accounts, file); an
// imported one is a new non-HD account whose key is its address's, that
// matches the document's address field when it has one, that is on disk
// (it survives reopening), that cannot be imported twice, and that exports
// to a keystore which imports back to the same account.
func FuzzImportKeystore(f *testing.F) {
	template := fzWalletFile(f, false)
	key, _ := crypto.HexToECDSA("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
	// A scrypt keystore as the package exports it.
	src, err := Create(filepath.Join(f.TempDir(), FileName), DevMnemonic, "", fzPassword, fzOpts...)
	if err != nil {
		f.Fatal(err)
	}
	acc, err := src.ImportKey(key, "")
	if err != nil {
		f.Fatal(err)
	}
	scrypt, err := src.ExportKeystore(acc.Address, fzKeystorePassword)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(scrypt, "from scrypt")
	f.Add(fzPBKDF2Keystore(f, key, fzKeystorePassword, 2, true), "")
	f.Add(fzPBKDF2Keystore(f, key, fzKeystorePassword, 3, false), " padded label ")
	f.Add(fzPBKDF2Keystore(f, key, "other password", 2, true), "wrong password")
	f.Add(bytes.Replace(scrypt, []byte(`"version":3`), []byte(`"version":4`), 1), "")
	f.Add([]byte(`{"version":3,"crypto":{"cipher":"aes-128-ctr","kdf":"scrypt","kdfparams":{}}}`), "")
	f.Add([]byte(`{"version":3}`), "")
	f.Add([]byte(`[]`), "")
	dir := f.TempDir()
	path := filepath.Join(dir, FileName)
	// The unlocked wallet inputs are imported into: the template, opened
	// again after an input changed it (a refused one changes nothing).
	var w *Wallet
	fresh := func(t *testing.T) *Wallet {
		t.Helper()
		if err := os.WriteFile(path, template, 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := Open(path, fzOpts...)
		if err == nil {
			err = w.Unlock(fzPassword)
		}
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	f.Fuzz(func(t *testing.T, keyJSON []byte, label string) {
		if fzKeystoreCost(keyJSON) > 64 {
			return
		}
		if w == nil {
			w = fresh(t)
		}
		before := w.Accounts()
		acc, err := w.ImportKeystore(keyJSON, fzKeystorePassword, label)
		if err != nil {
			if got, _ := os.ReadFile(path); !bytes.Equal(got, template) {
				t.Fatalf("refused import (%v) wrote the wallet file", err)
			}
			if after := w.Accounts(); len(after) != len(before) {
				t.Fatalf("refused import (%v) changed the accounts", err)
			}
			return
		}
		defer func() { w = nil }() // imported: the next input starts afresh
		after := w.Accounts()
		if len(after) != len(before)+1 || after[len(before)] != acc || acc.HD || acc.Path != "" {
			t.Fatalf("imported %+v; accounts %d then %d", acc, len(before), len(after))
		}
		k, err := w.PrivateKey(acc.Address)
		if err != nil || crypto.PubkeyToAddress(k.PublicKey) != acc.Address {
			t.Fatalf("imported account %s has no matching key (%v)", acc.Address, err)
		}
		var doc struct{ Address string }
		if json.Unmarshal(keyJSON, &doc) == nil && doc.Address != "" {
			if want := strings.TrimPrefix(strings.ToLower(doc.Address), "0x"); want != hex.EncodeToString(acc.Address[:]) {
				t.Fatalf("keystore says address %s, imported %s", doc.Address, acc.Address)
			}
		}
		if _, err := w.ImportKeystore(keyJSON, fzKeystorePassword, label); !errors.Is(err, ErrAccountExists) {
			t.Fatalf("second import: %v, want ErrAccountExists", err)
		}
		w2, err := Open(path, fzOpts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := w2.Unlock(fzPassword); err != nil {
			t.Fatal(err)
		}
		k2, err := w2.PrivateKey(acc.Address)
		if err != nil || !k2.Equal(k) {
			t.Fatalf("imported key not on disk: %v", err)
		}
		exported, err := w2.ExportKeystore(acc.Address, "again")
		if err != nil {
			t.Fatal(err)
		}
		w3 := fresh(t)
		back, err := w3.ImportKeystore(exported, "again", "")
		if err != nil || back.Address != acc.Address {
			t.Fatalf("export and import again: %+v, %v", back, err)
		}
	})
}
