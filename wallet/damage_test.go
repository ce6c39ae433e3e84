package wallet

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestDamagedFilesRejected(t *testing.T) {
	good := readBytes(t, newTestWallet(t).Path())
	accounts := func(d map[string]any) []any { return d["accounts"].([]any) }
	cases := map[string]func(t *testing.T, path string){
		"truncated": func(t *testing.T, path string) { os.WriteFile(path, good[:len(good)/2], 0o600) },
		"empty":     func(t *testing.T, path string) { os.WriteFile(path, nil, 0o600) },
		"garbage":   func(t *testing.T, path string) { os.WriteFile(path, []byte("\x00\x01garbage\xff"), 0o600) },
		"null":      func(t *testing.T, path string) { os.WriteFile(path, []byte("null"), 0o600) },
		"trailing":  func(t *testing.T, path string) { os.WriteFile(path, append(append([]byte{}, good...), "{}"...), 0o600) },
		"no version": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { delete(d, "version") })
		},
		"version zero": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["version"] = 0 })
		},
		"short salt": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["kdf"].(map[string]any)["salt"] = "0x0011" })
		},
		"bad hex": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["cipher"].(map[string]any)["nonce"] = "0xzz" })
		},
		"unknown kdf": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["kdf"].(map[string]any)["name"] = "md5" })
		},
		"huge iterations": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["kdf"].(map[string]any)["iterations"] = 1 << 40 })
		},
		"no accounts": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["accounts"] = []any{} })
		},
		"default not listed": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["default"] = devAddresses[5].Hex() })
		},
		"duplicate account": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { d["accounts"] = append(accounts(d), accounts(d)[0]) })
		},
		"path mismatch": func(t *testing.T, path string) {
			editDoc(t, path, func(d map[string]any) { accounts(d)[0].(map[string]any)["path"] = "m/44'/60'/0'/0/9" })
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, good, 0o600); err != nil {
				t.Fatal(err)
			}
			damage(t, path)
			before := readBytes(t, path)
			_, err := Open(path, testOpts...)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open = %v, want ErrCorrupt", err)
			}
			if _, err := Create(path, DevMnemonic, "", testPassword, testOpts...); !errors.Is(err, ErrExists) {
				t.Fatalf("Create over damaged file = %v, want ErrExists", err)
			}
			if !bytes.Equal(before, readBytes(t, path)) {
				t.Fatal("damaged file was modified")
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), FileName))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open(missing) = %v", err)
	}
}

func TestFutureVersionRejected(t *testing.T) {
	w := newTestWallet(t)
	editDoc(t, w.Path(), func(d map[string]any) { d["version"] = FileVersion + 1 })
	_, err := Open(w.Path())
	if !errors.Is(err, ErrUnsupportedVersion) || !strings.Contains(err.Error(), "upgrade") {
		t.Fatalf("Open(future) = %v", err)
	}
}

// Flipped ciphertext bytes are reported as ErrCorrupt, not ErrWrongPassword:
// the header checksum no longer matches. So is a flipped byte in the check
// value itself (see also TestDamagedHeaderIsNotWrongPassword).
func TestFlippedCiphertextIsCorrupt(t *testing.T) {
	w := newTestWallet(t)
	w.Lock()
	var doc fileDoc
	if err := json.Unmarshal(readBytes(t, w.Path()), &doc); err != nil {
		t.Fatal(err)
	}
	for _, pos := range []int{0, len(doc.Cipher.Ciphertext) / 2, len(doc.Cipher.Ciphertext) - 1} {
		d := doc
		d.Cipher.Ciphertext = bytes.Clone(doc.Cipher.Ciphertext)
		d.Cipher.Ciphertext[pos] ^= 0x01
		data, _ := d.encode()
		if err := os.WriteFile(w.Path(), data, 0o600); err != nil {
			t.Fatal(err)
		}
		w2, err := Open(w.Path(), testOpts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := w2.Unlock(testPassword); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip at %d: Unlock = %v, want ErrCorrupt", pos, err)
		}
		if !w2.Locked() {
			t.Fatal("corrupt wallet unlocked")
		}
		if err := w2.ChangePassword(testPassword, "x"); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("ChangePassword on corrupt = %v", err)
		}
		if !bytes.Equal(data, readBytes(t, w.Path())) {
			t.Fatal("corrupt file was modified")
		}
	}
	d := doc
	d.KDF.Check = bytes.Clone(doc.KDF.Check)
	d.KDF.Check[0] ^= 0x80
	data, _ := d.encode()
	os.WriteFile(w.Path(), data, 0o600)
	w2, err := Open(w.Path(), testOpts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Unlock(testPassword); !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrWrongPassword) {
		t.Fatalf("flipped check: Unlock = %v, want ErrCorrupt", err)
	}
}

// Editing the public account list cannot make the wallet sign for or show
// an address its secrets do not produce: Open checks each address against
// its stored public key, and Unlock checks the list against the secrets.
func TestTamperedAccountListIsCorrupt(t *testing.T) {
	w := newTestWallet(t)
	k, _ := crypto.GenerateKey()
	imp, _ := w.ImportKey(k, "imp")
	w.Lock()
	good := readBytes(t, w.Path())
	cases := map[string]func(d map[string]any){
		"swapped HD address": func(d map[string]any) {
			d["accounts"].([]any)[0].(map[string]any)["address"] = devAddresses[7].Hex()
			d["default"] = devAddresses[7].Hex()
		},
		"dropped imported account": func(d map[string]any) {
			d["accounts"] = d["accounts"].([]any)[:1]
		},
		"imported address changed": func(d map[string]any) {
			d["accounts"].([]any)[1].(map[string]any)["address"] = devAddresses[8].Hex()
		},
		"imported marked HD": func(d map[string]any) {
			a := d["accounts"].([]any)[1].(map[string]any)
			a["hd"], a["index"], a["path"] = true, 3, AccountPath(3)
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			os.WriteFile(w.Path(), good, 0o600)
			editDoc(t, w.Path(), edit)
			w2, err := Open(w.Path(), testOpts...)
			if err == nil {
				err = w2.Unlock(testPassword)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open or Unlock = %v, want ErrCorrupt", err)
			}
		})
	}
	os.WriteFile(w.Path(), good, 0o600)
	w2 := reopen(t, w)
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatalf("untampered file: %v", err)
	}
	if _, err := w2.PrivateKey(imp.Address); err != nil {
		t.Fatal(err)
	}
}
