package wallet

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The wallet written by the previous format (version 1) in testdata: the
// development mnemonic under testPassword with testIters iterations, and
// accounts "Account 1" (m/.../0, default), "savings" (m/.../1) and
// "imported" (v1ImportedKey).
const (
	v1File        = "testdata/wallet-v1.json"
	v1ImportedKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
)

// threeAccountWallet returns a locked wallet file with the default account,
// a derived one labelled "savings" and an imported one labelled "spare".
func threeAccountWallet(t *testing.T) (path string, addrs []common.Address) {
	t.Helper()
	w := newTestWallet(t)
	d, err := w.Derive("savings")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := crypto.HexToECDSA(v1ImportedKey)
	imp, err := w.ImportKey(k, "spare")
	if err != nil {
		t.Fatal(err)
	}
	w.Lock()
	return w.Path(), []common.Address{w.Default().Address, d.Address, imp.Address}
}

// changeHexChar returns addr's EIP-55 text with the first hex letter
// (letter true) or decimal digit (letter false) after "0x" replaced by
// another of its kind and case: one character changed, no length or case
// change.
func changeHexChar(t *testing.T, text string, letter bool) string {
	t.Helper()
	b := []byte(text)
	for i := 2; i < len(b); i++ {
		c := b[i]
		switch {
		case letter && c >= 'a' && c <= 'f', letter && c >= 'A' && c <= 'F':
			b[i] = c ^ 0x07 // a<->f, b<->e, c<->d, same case
			return string(b)
		case !letter && c >= '0' && c <= '9':
			b[i] = '0' + ('9' - c) // 0<->9, 1<->8, ..., 4<->5
			return string(b)
		}
	}
	t.Fatalf("%s has no hex %s", text, map[bool]string{true: "letter", false: "digit"}[letter])
	return ""
}

// storedAddress returns the address text of account i (0-based) as the
// wallet file at path holds it.
func storedAddress(t *testing.T, path string, i int) string {
	t.Helper()
	var doc struct {
		Accounts []struct{ Address string }
	}
	if err := json.Unmarshal(readBytes(t, path), &doc); err != nil || i >= len(doc.Accounts) {
		t.Fatalf("read account %d: %v", i, err)
	}
	return doc.Accounts[i].Address
}

// replaceOnce rewrites the file at path with old replaced by new, which
// must occur exactly once.
func replaceOnce(t *testing.T, path, old, new string) {
	t.Helper()
	data := readBytes(t, path)
	if n := bytes.Count(data, []byte(old)); n != 1 {
		t.Fatalf("%q occurs %d times in the wallet file, want once", old, n)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o600); err != nil {
		t.Fatal(err)
	}
}

// One character changed in a stored non-default address is damage Open
// reports naming the account, whether or not the change keeps a valid
// EIP-55 checksum: the stored public key catches what the checksum cannot.
func TestChangedAddressIsDamageOnOpen(t *testing.T) {
	good, addrs := threeAccountWallet(t)
	goodBytes := readBytes(t, good)
	type edit struct {
		account int    // 0-based
		label   string // the account's label, which the error must name
		mutate  func(t *testing.T, text string) string
		want    string
	}
	reChecksummed := func(t *testing.T, text string) string {
		// A digit changed and the whole address rewritten in the new
		// address's EIP-55 form: the checksum holds, only the key can tell.
		changed := changeHexChar(t, text, false)
		return common.HexToAddress(changed).Hex()
	}
	cases := map[string]edit{
		"derived letter":                     {1, "savings", func(t *testing.T, s string) string { return changeHexChar(t, s, true) }, ""},
		"derived digit":                      {1, "savings", func(t *testing.T, s string) string { return changeHexChar(t, s, false) }, ""},
		"imported letter":                    {2, "spare", func(t *testing.T, s string) string { return changeHexChar(t, s, true) }, ""},
		"imported digit":                     {2, "spare", func(t *testing.T, s string) string { return changeHexChar(t, s, false) }, ""},
		"derived digit, checksum rewritten":  {1, "savings", reChecksummed, "does not match its stored public key"},
		"imported digit, checksum rewritten": {2, "spare", reChecksummed, "does not match its stored public key"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, goodBytes, 0o600); err != nil {
				t.Fatal(err)
			}
			text := storedAddress(t, path, c.account)
			if !strings.EqualFold(text, addrs[c.account].Hex()) {
				t.Fatalf("account %d is stored as %s, want %s", c.account, text, addrs[c.account].Hex())
			}
			changed := c.mutate(t, text)
			if changed == text || len(changed) != len(text) {
				t.Fatalf("bad edit %q -> %q", text, changed)
			}
			if name == "derived digit, checksum rewritten" || name == "imported digit, checksum rewritten" {
				if common.HexToAddress(changed).Hex() != changed {
					t.Fatalf("%q is not in EIP-55 form", changed)
				}
			}
			replaceOnce(t, path, text, changed)
			before := readBytes(t, path)
			w, err := Open(path, testOpts...)
			if !errors.Is(err, ErrDamaged) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open = %v, %v; want ErrDamaged", w, err)
			}
			msg := err.Error()
			for _, want := range []string{"account #" + string(rune('1'+c.account)), `"` + c.label + `"`, c.want} {
				if !strings.Contains(msg, want) {
					t.Fatalf("Open = %q, want it to name %q", msg, want)
				}
			}
			if !bytes.Equal(before, readBytes(t, path)) {
				t.Fatal("Open changed a damaged file")
			}
		})
	}

	// A character changed in a stored public key is damage too.
	t.Run("public key", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), FileName)
		if err := os.WriteFile(path, goodBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		var doc fileDoc
		if err := json.Unmarshal(goodBytes, &doc); err != nil {
			t.Fatal(err)
		}
		pub := doc.Accounts[1].PubKey.String()
		i := len(pub) - 1
		b := []byte(pub)
		b[i] = map[bool]byte{true: '1', false: '0'}[b[i] == '0']
		replaceOnce(t, path, pub, string(b))
		if _, err := Open(path, testOpts...); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), `account #2 "savings"`) {
			t.Fatalf("Open = %v, want damage naming account #2", err)
		}
	})

	// The untouched file opens and lists every account.
	w, err := Open(good, testOpts...)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range w.Accounts() {
		if a.Address != addrs[i] {
			t.Fatalf("account %d = %s, want %s", i, a.Address.Hex(), addrs[i].Hex())
		}
	}
}

// The file stores every address in EIP-55 form and each account's public
// key; decoding and encoding again gives the same document.
func TestFileFormatRoundTrip(t *testing.T) {
	path, addrs := threeAccountWallet(t)
	data := readBytes(t, path)
	for _, a := range addrs {
		if !bytes.Contains(data, []byte(`"`+a.Hex()+`"`)) {
			t.Fatalf("file lacks %s in EIP-55 form:\n%s", a.Hex(), data)
		}
	}
	doc, err := decodeFileDoc(data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != FileVersion || len(doc.HeaderSum) != 32 {
		t.Fatalf("version %d, header sum %x", doc.Version, doc.HeaderSum)
	}
	for i, a := range doc.Accounts {
		pub, err := crypto.DecompressPubkey(a.PubKey)
		if err != nil || crypto.PubkeyToAddress(*pub) != addrs[i] {
			t.Fatalf("account %d: public key %x: %v", i, a.PubKey, err)
		}
	}
	again, err := doc.encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatalf("encode(decode(file)) differs:\n%s\n%s", data, again)
	}
	doc2, err := decodeFileDoc(again)
	if err != nil || !reflect.DeepEqual(doc, doc2) {
		t.Fatalf("decode(encode(doc)) = %+v, %v; want %+v", doc2, err, doc)
	}
}

// A damaged salt, password check, nonce, iteration count or ciphertext
// fails the header checksum: Unlock says damaged with the right password
// and with a wrong one, never "wrong password"; only an intact file with a
// failing password check says that.
func TestDamagedHeaderIsNotWrongPassword(t *testing.T) {
	good, _ := threeAccountWallet(t)
	goodBytes := readBytes(t, good)
	flipLast := func(s string) string {
		b := []byte(s)
		b[len(b)-1] = map[bool]byte{true: '1', false: '0'}[b[len(b)-1] == '0']
		return string(b)
	}
	field := func(section, name string) func(d map[string]any) {
		return func(d map[string]any) {
			m := d
			if section != "" {
				m = d[section].(map[string]any)
			}
			v, _ := m[name].(string)
			if v == "" {
				v = "0x00"
			}
			m[name] = flipLast(v)
		}
	}
	cases := map[string]func(d map[string]any){
		"salt":          field("kdf", "salt"),
		"check":         field("kdf", "check"),
		"nonce":         field("cipher", "nonce"),
		"ciphertext":    field("cipher", "ciphertext"),
		"header sum":    field("", "header_sha256"),
		"iterations":    func(d map[string]any) { d["kdf"].(map[string]any)["iterations"] = float64(testIters + 1) },
		"salt and sum":  func(d map[string]any) { field("kdf", "salt")(d); delete(d, "header_sha256") },
		"version moved": func(d map[string]any) { d["version"] = float64(fileVersion1) },
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, goodBytes, 0o600); err != nil {
				t.Fatal(err)
			}
			editDoc(t, path, damage)
			before := readBytes(t, path)
			w, err := Open(path, testOpts...)
			if err != nil {
				// A removed checksum, or one in a version 1 file, is a
				// structural fault Open already finds.
				if (name == "salt and sum" || name == "version moved") && errors.Is(err, ErrDamaged) {
					return
				}
				t.Fatalf("Open = %v", err)
			}
			for _, pw := range []string{testPassword, "not the password"} {
				err := w.Unlock(pw)
				if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrWrongPassword) {
					t.Fatalf("Unlock(%q) = %v, want damage, not a wrong password", pw, err)
				}
				if strings.Contains(err.Error(), pw) {
					t.Fatalf("Unlock error quotes the password: %v", err)
				}
				if !w.Locked() {
					t.Fatal("a damaged wallet unlocked")
				}
			}
			if err := w.ChangePassword(testPassword, "new"); !errors.Is(err, ErrDamaged) {
				t.Fatalf("ChangePassword = %v, want damage", err)
			}
			// A change that needs no password does not write the damaged
			// header back as if it were intact.
			if err := w.SetLabel(w.Default().Address, "renamed"); !errors.Is(err, ErrDamaged) {
				t.Fatalf("SetLabel = %v, want damage", err)
			}
			if !bytes.Equal(before, readBytes(t, path)) {
				t.Fatal("a damaged file was changed")
			}
		})
	}

	// The intact file: a wrong password is just that, the right one works.
	w, err := Open(good, testOpts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Unlock("not the password"); !errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrDamaged) {
		t.Fatalf("Unlock(wrong) on an intact file = %v, want ErrWrongPassword", err)
	}
	if err := w.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
}

// A file of the previous format (version 1, no public keys or header
// checksum, lowercase addresses) still opens and unlocks; Unlock does not
// write it, and the first save after it writes the current format.
func TestVersion1FileOpensAndUpgrades(t *testing.T) {
	v1 := readBytes(t, v1File)
	k, _ := crypto.HexToECDSA(v1ImportedKey)
	want := []common.Address{devAddresses[0], devAddresses[1], crypto.PubkeyToAddress(k.PublicKey)}
	load := func(t *testing.T) string {
		path := filepath.Join(t.TempDir(), FileName)
		if err := os.WriteFile(path, v1, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	checkAccounts := func(t *testing.T, w *Wallet) {
		t.Helper()
		accs := w.Accounts()
		if len(accs) < 3 || w.Default().Address != want[0] {
			t.Fatalf("accounts %+v", accs)
		}
		for i, a := range accs[:3] {
			if a.Address != want[i] {
				t.Fatalf("account %d = %s, want %s", i, a.Address.Hex(), want[i].Hex())
			}
		}
	}
	checkUpgraded := func(t *testing.T, path string) {
		t.Helper()
		doc, err := decodeFileDoc(readBytes(t, path))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Version != FileVersion || len(doc.HeaderSum) != 32 || !bytes.Equal(doc.HeaderSum, doc.computeHeaderSum()) {
			t.Fatalf("after save: version %d, header sum %x", doc.Version, doc.HeaderSum)
		}
		for i, a := range doc.Accounts {
			if a.PubKey == nil || a.checkPubKey(doc.Version) != nil {
				t.Fatalf("account %d has no valid public key after the upgrade", i)
			}
		}
		if !bytes.Contains(readBytes(t, path), []byte(want[2].Hex())) {
			t.Fatal("upgraded file lacks EIP-55 addresses")
		}
		w, err := Open(path, testOpts...)
		if err != nil {
			t.Fatal(err)
		}
		checkAccounts(t, w)
		if err := w.Unlock("wrong"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("Unlock(wrong) after upgrade = %v", err)
		}
		if err := w.Unlock(testPassword); err != nil {
			t.Fatal(err)
		}
		if got, err := w.PrivateKey(want[2]); err != nil || !got.Equal(k) {
			t.Fatalf("imported key after upgrade: %v", err)
		}
	}

	t.Run("unlock then save", func(t *testing.T) {
		path := load(t)
		w, err := Open(path, testOpts...)
		if err != nil {
			t.Fatal(err)
		}
		checkAccounts(t, w)
		if l := w.Accounts()[1].Label; l != "savings" {
			t.Fatalf("account 2 label %q", l)
		}
		if err := w.Unlock("wrong"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("Unlock(wrong) = %v", err)
		}
		if err := w.Unlock(testPassword); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(v1, readBytes(t, path)) {
			t.Fatal("Unlock wrote the file")
		}
		if got, err := w.PrivateKey(want[2]); err != nil || !got.Equal(k) {
			t.Fatalf("imported key: %v", err)
		}
		w.Lock()
		if err := w.SetLabel(want[1], "rainy day"); err != nil {
			t.Fatal(err)
		}
		checkUpgraded(t, path)
	})

	t.Run("derive", func(t *testing.T) {
		path := load(t)
		w, err := Open(path, testOpts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Unlock(testPassword); err != nil {
			t.Fatal(err)
		}
		if a, err := w.Derive(""); err != nil || a.Address != devAddresses[2] {
			t.Fatalf("Derive = %+v, %v", a, err)
		}
		checkUpgraded(t, path)
	})

	t.Run("change password while locked", func(t *testing.T) {
		path := load(t)
		w, err := Open(path, testOpts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.ChangePassword(testPassword, testPassword); err != nil {
			t.Fatal(err)
		}
		checkUpgraded(t, path)
	})

	t.Run("locked change keeps version 1", func(t *testing.T) {
		// Without the password the public keys cannot be computed: the
		// file stays version 1, still readable.
		path := load(t)
		w, err := Open(path, testOpts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.SetDefault(want[1]); err != nil {
			t.Fatal(err)
		}
		doc, err := decodeFileDoc(readBytes(t, path))
		if err != nil || doc.Version != fileVersion1 || doc.Default != want[1] {
			t.Fatalf("after a locked change: %+v, %v", doc, err)
		}
		w, err = Open(path, testOpts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Unlock(testPassword); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("mixed-case address with a wrong checksum", func(t *testing.T) {
		// Version 1 addresses are lowercase, which carries no checksum;
		// one in mixed case must be in its EIP-55 form.
		path := load(t)
		lower := strings.ToLower(want[1].Hex())
		replaceOnce(t, path, lower, changeHexChar(t, want[1].Hex(), false))
		if _, err := Open(path, testOpts...); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), `account #2 "savings"`) {
			t.Fatalf("Open = %v, want damage naming account #2", err)
		}
	})
}
