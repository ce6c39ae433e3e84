package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

const (
	testPassword = "correct horse battery staple"
	testIters    = 1000
)

// testOpts keeps key derivation cheap in tests.
var testOpts = []Option{WithKDFIterations(testIters), WithKeystoreScrypt(keystore.LightScryptN, keystore.LightScryptP)}

// newTestWallet creates an unlocked dev wallet in a fresh directory.
func newTestWallet(t *testing.T) *Wallet {
	t.Helper()
	w, err := Create(filepath.Join(t.TempDir(), FileName), DevMnemonic, "", testPassword, testOpts...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func reopen(t *testing.T, w *Wallet) *Wallet {
	t.Helper()
	w2, err := Open(w.Path(), testOpts...)
	if err != nil {
		t.Fatal(err)
	}
	return w2
}

func TestCreateOpenUnlock(t *testing.T) {
	w := newTestWallet(t)
	if w.Locked() {
		t.Fatal("new wallet is locked")
	}
	fi, err := os.Stat(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	accs := w.Accounts()
	if len(accs) != 1 || accs[0].Address != devAddresses[0] || !accs[0].HD || accs[0].Index != 0 ||
		accs[0].Path != "m/44'/60'/0'/0/0" || accs[0].Label != "Account 1" {
		t.Fatalf("accounts after create: %+v", accs)
	}
	if w.Default().Address != devAddresses[0] {
		t.Errorf("default %s", w.Default().Address.Hex())
	}

	w2 := reopen(t, w)
	if !w2.Locked() {
		t.Fatal("opened wallet is unlocked")
	}
	if got := w2.Accounts(); len(got) != 1 || got[0] != accs[0] {
		t.Fatalf("accounts after open: %+v", got)
	}
	if w2.KDFIterations() != testIters {
		t.Errorf("iterations %d", w2.KDFIterations())
	}
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	m, err := w2.Mnemonic()
	if err != nil || m != DevMnemonic {
		t.Fatalf("mnemonic after unlock: %v", err)
	}
	k, err := w2.PrivateKey(devAddresses[0])
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DeriveKey(DevMnemonic, "", 0)
	if !bytes.Equal(crypto.FromECDSA(k), crypto.FromECDSA(want)) {
		t.Fatal("unlocked key differs from derivation")
	}
	// The returned key is a copy: scribbling on it does not reach the wallet.
	k.D.SetInt64(1)
	k2, _ := w2.PrivateKey(devAddresses[0])
	if !bytes.Equal(crypto.FromECDSA(k2), crypto.FromECDSA(want)) {
		t.Fatal("wallet key changed through a returned copy")
	}
	w2.Lock()
	if !w2.Locked() {
		t.Fatal("Lock left the wallet unlocked")
	}
	if _, err := w2.PrivateKey(devAddresses[0]); !errors.Is(err, ErrLocked) {
		t.Fatalf("PrivateKey after Lock: %v", err)
	}
}

func TestPassphraseWallet(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := Create(path, DevMnemonic, "extra words", testPassword, testOpts...)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DeriveKey(DevMnemonic, "extra words", 0)
	if w.Default().Address != crypto.PubkeyToAddress(want.PublicKey) {
		t.Fatal("passphrase not used in derivation")
	}
	w2 := reopen(t, w)
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	acc, err := w2.Derive("")
	if err != nil {
		t.Fatal(err)
	}
	want1, _ := DeriveKey(DevMnemonic, "extra words", 1)
	if acc.Address != crypto.PubkeyToAddress(want1.PublicKey) {
		t.Fatal("derive after reopen ignored the stored passphrase seed")
	}
}

func TestDefaultKDFIterations(t *testing.T) {
	if DefaultKDFIterations < 600_000 {
		t.Fatalf("DefaultKDFIterations = %d", DefaultKDFIterations)
	}
	path := filepath.Join(t.TempDir(), FileName)
	if _, err := Create(path, DevMnemonic, "", testPassword); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(readBytes(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc["kdf"].(map[string]any)["iterations"]; got != float64(DefaultKDFIterations) {
		t.Fatalf("file iterations %v", got)
	}
	if _, err := Create(filepath.Join(t.TempDir(), FileName), DevMnemonic, "", testPassword, WithKDFIterations(0)); err == nil {
		t.Fatal("zero iterations accepted")
	}
}

func TestFileHoldsNoSecrets(t *testing.T) {
	w := newTestWallet(t)
	k1, _ := crypto.HexToECDSA("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	if _, err := w.ImportKey(k1, "imported"); err != nil {
		t.Fatal(err)
	}
	data := readBytes(t, w.Path())
	seed := mustSeed(t, DevMnemonic, "")
	k0, _ := DeriveKey(DevMnemonic, "", 0)
	for name, secret := range map[string]string{
		"mnemonic":     "test test",
		"password":     testPassword,
		"seed":         hex.EncodeToString(seed)[:32],
		"key 0":        hex.EncodeToString(crypto.FromECDSA(k0))[:32],
		"imported key": "0123456789abcdef0123456789abcdef",
	} {
		if bytes.Contains(bytes.ToLower(data), []byte(secret)) {
			t.Errorf("wallet file contains the %s", name)
		}
	}
	// The public part is readable JSON with the documented fields.
	var doc struct {
		Version  int
		Default  string
		Accounts []struct {
			Address, Label string
			HD             bool
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != FileVersion || len(doc.Accounts) != 2 || doc.Accounts[1].Label != "imported" ||
		!strings.EqualFold(doc.Default, devAddresses[0].Hex()) {
		t.Fatalf("public part: %+v", doc)
	}
}

func TestWrongPasswordLeavesFileUntouched(t *testing.T) {
	w := newTestWallet(t)
	before := readBytes(t, w.Path())
	w2 := reopen(t, w)
	if err := w2.Unlock("wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Unlock(wrong) = %v", err)
	}
	if err := w2.Unlock(""); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Unlock(\"\") = %v", err)
	}
	if !w2.Locked() {
		t.Fatal("wrong password unlocked the wallet")
	}
	if err := w2.ChangePassword("wrong", "new password"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("ChangePassword(wrong) = %v", err)
	}
	// A wrong password on an unlocked wallet keeps it unlocked.
	if err := w.Unlock("wrong"); !errors.Is(err, ErrWrongPassword) || w.Locked() {
		t.Fatalf("Unlock(wrong) on unlocked wallet = %v, locked %v", err, w.Locked())
	}
	if after := readBytes(t, w.Path()); !bytes.Equal(before, after) {
		t.Fatal("file changed after wrong passwords")
	}
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
}

func TestLockedOperationsRefused(t *testing.T) {
	w := newTestWallet(t)
	w.Lock()
	before := readBytes(t, w.Path())
	k, _ := crypto.GenerateKey()
	checks := map[string]error{}
	_, checks["Derive"] = w.Derive("x")
	_, checks["ImportKey"] = w.ImportKey(k, "x")
	_, checks["Mnemonic"] = w.Mnemonic()
	_, checks["PrivateKey"] = w.PrivateKey(devAddresses[0])
	_, checks["ExportKeystore"] = w.ExportKeystore(devAddresses[0], "ks")
	_, checks["ImportKeystore"] = w.ImportKeystore([]byte(lightJSON), "", "")
	_, checks["SignMessage"] = w.SignMessage(devAddresses[0], []byte("hi"))
	_, checks["SignTx"] = w.SignTx(devAddresses[0], types.NewTx(&types.LegacyTx{Gas: 21000}), big.NewInt(7777))
	for name, err := range checks {
		if !errors.Is(err, ErrLocked) {
			t.Errorf("%s while locked: %v, want ErrLocked", name, err)
		}
	}
	if !bytes.Equal(before, readBytes(t, w.Path())) {
		t.Fatal("refused operations changed the file")
	}
	// Public edits work while locked.
	if err := w.SetLabel(devAddresses[0], "main"); err != nil {
		t.Fatal(err)
	}
	if err := w.SetDefault(devAddresses[0]); err != nil {
		t.Fatal(err)
	}
	if got := reopen(t, w).Accounts()[0].Label; got != "main" {
		t.Fatalf("label after reopen %q", got)
	}
}

func TestDerivePersists(t *testing.T) {
	w := newTestWallet(t)
	a1, err := w.Derive("savings")
	if err != nil {
		t.Fatal(err)
	}
	a2, err := w.Derive("")
	if err != nil {
		t.Fatal(err)
	}
	if a1.Address != devAddresses[1] || a1.Index != 1 || a1.Label != "savings" || a1.Path != AccountPath(1) {
		t.Fatalf("first derived: %+v", a1)
	}
	if a2.Address != devAddresses[2] || a2.Index != 2 || a2.Label != "Account 3" {
		t.Fatalf("second derived: %+v", a2)
	}
	w2 := reopen(t, w)
	accs := w2.Accounts()
	if len(accs) != 3 || accs[1] != a1 || accs[2] != a2 {
		t.Fatalf("after reopen: %+v", accs)
	}
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	k, err := w2.PrivateKey(devAddresses[2])
	if err != nil || crypto.PubkeyToAddress(k.PublicKey) != devAddresses[2] {
		t.Fatalf("key of derived account: %v", err)
	}
	a3, err := w2.Derive("third")
	if err != nil || a3.Address != devAddresses[3] {
		t.Fatalf("derive after reopen: %+v %v", a3, err)
	}
	if _, err := w2.Derive(strings.Repeat("x", MaxLabelLen+1)); err == nil {
		t.Fatal("over-long label accepted")
	}
	if _, err := w2.Derive("bad\nlabel"); err == nil {
		t.Fatal("label with newline accepted")
	}
	if n := len(reopen(t, w).Accounts()); n != 4 {
		t.Fatalf("%d accounts after rejected derives, want 4", n)
	}
}

func TestImportKeyPersists(t *testing.T) {
	w := newTestWallet(t)
	k, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(k.PublicKey)
	acc, err := w.ImportKey(k, "  cold  ")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Address != addr || acc.HD || acc.Label != "cold" || acc.Path != "" {
		t.Fatalf("imported: %+v", acc)
	}
	if _, err := w.ImportKey(k, "again"); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("duplicate import: %v", err)
	}
	dev0, _ := DeriveKey(DevMnemonic, "", 0)
	if _, err := w.ImportKey(dev0, "dup of HD"); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("import of an HD key: %v", err)
	}
	if _, err := w.ImportKey(nil, ""); err == nil {
		t.Fatal("nil key accepted")
	}
	w2 := reopen(t, w)
	if got, err := w2.Account(addr); err != nil || got != acc {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	got, err := w2.PrivateKey(addr)
	if err != nil || !bytes.Equal(crypto.FromECDSA(got), crypto.FromECDSA(k)) {
		t.Fatalf("imported key after reopen: %v", err)
	}
	k2, _ := crypto.GenerateKey()
	if a, err := w2.ImportKey(k2, ""); err != nil || a.Label != "Imported 2" {
		t.Fatalf("second import: %+v %v", a, err)
	}
	// Deriving still continues the HD sequence.
	if a, err := w2.Derive(""); err != nil || a.Address != devAddresses[1] {
		t.Fatalf("derive after import: %+v %v", a, err)
	}
}

func TestSetDefaultAndLabel(t *testing.T) {
	w := newTestWallet(t)
	a1, _ := w.Derive("")
	if err := w.SetDefault(a1.Address); err != nil {
		t.Fatal(err)
	}
	if err := w.SetLabel(a1.Address, "trading"); err != nil {
		t.Fatal(err)
	}
	unknown := common.HexToAddress("0x0000000000000000000000000000000000000001")
	if err := w.SetDefault(unknown); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("SetDefault(unknown) = %v", err)
	}
	if err := w.SetLabel(unknown, "x"); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("SetLabel(unknown) = %v", err)
	}
	if _, err := w.Account(unknown); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("Account(unknown) = %v", err)
	}
	for _, bad := range []string{"", "   ", "tab\tlabel", string([]byte{0xff, 0xfe})} {
		if err := w.SetLabel(a1.Address, bad); err == nil {
			t.Errorf("SetLabel(%q) accepted", bad)
		}
	}
	w2 := reopen(t, w)
	if d := w2.Default(); d.Address != a1.Address || d.Label != "trading" {
		t.Fatalf("default after reopen: %+v", d)
	}
}

func TestChangePassword(t *testing.T) {
	w := newTestWallet(t)
	w.Lock()
	w2, err := Open(w.Path(), WithKDFIterations(2*testIters))
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.ChangePassword(testPassword, ""); err == nil {
		t.Fatal("empty new password accepted")
	}
	if err := w2.ChangePassword(testPassword, "new password"); err != nil {
		t.Fatal(err)
	}
	if !w2.Locked() {
		t.Fatal("ChangePassword unlocked a locked wallet")
	}
	if w2.KDFIterations() != 2*testIters {
		t.Fatalf("iterations after change %d", w2.KDFIterations())
	}
	w3 := reopen(t, w)
	if err := w3.Unlock(testPassword); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password after change: %v", err)
	}
	if err := w3.Unlock("new password"); err != nil {
		t.Fatal(err)
	}
	// An unlocked wallet stays unlocked and keeps working with the new key.
	if err := w3.ChangePassword("new password", "third"); err != nil {
		t.Fatal(err)
	}
	k, _ := crypto.GenerateKey()
	if _, err := w3.ImportKey(k, ""); err != nil {
		t.Fatal(err)
	}
	w4 := reopen(t, w)
	if err := w4.Unlock("third"); err != nil {
		t.Fatal(err)
	}
	if _, err := w4.PrivateKey(crypto.PubkeyToAddress(k.PublicKey)); err != nil {
		t.Fatal(err)
	}
}

// editDoc rewrites the wallet file's JSON through fn.
func editDoc(t *testing.T, path string, fn func(doc map[string]any)) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readBytes(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	fn(doc)
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCreateRefusesExistingAndBadInput(t *testing.T) {
	w := newTestWallet(t)
	before := readBytes(t, w.Path())
	if _, err := Create(w.Path(), DevMnemonic, "", "other", testOpts...); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over existing = %v", err)
	}
	if !bytes.Equal(before, readBytes(t, w.Path())) {
		t.Fatal("existing wallet modified")
	}
	dir := t.TempDir()
	if _, err := Create(filepath.Join(dir, FileName), DevMnemonic, "", "", testOpts...); err == nil {
		t.Fatal("empty password accepted")
	}
	if _, err := Create(filepath.Join(dir, FileName), "test test", "", "pw", testOpts...); !errors.Is(err, ErrInvalidMnemonic) {
		t.Fatalf("bad mnemonic: %v", err)
	}
	if _, err := Create(filepath.Join(dir, "missing", FileName), DevMnemonic, "", "pw", testOpts...); err == nil {
		t.Fatal("create in a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("failed creates left files: %v", entries)
	}
}

func TestNoTempFilesLeft(t *testing.T) {
	w := newTestWallet(t)
	w.Derive("")
	k, _ := crypto.GenerateKey()
	w.ImportKey(k, "")
	w.SetLabel(devAddresses[0], "x")
	w.ChangePassword(testPassword, "y")
	entries, err := os.ReadDir(filepath.Dir(w.Path()))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != FileName {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v", names)
	}
}

func TestDefaultPath(t *testing.T) {
	if got := DefaultPath("/home/u/.cairn"); got != filepath.Join("/home/u/.cairn", "wallet.json") {
		t.Fatal(got)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	if err := writeFileAtomic(path, []byte("one"), true); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, []byte("two"), true); !errors.Is(err, ErrExists) {
		t.Fatalf("exclusive write over a file: %v", err)
	}
	if got := string(readBytes(t, path)); got != "one" {
		t.Fatalf("content %q after refused write", got)
	}
	if err := writeFileAtomic(path, []byte("three"), false); err != nil {
		t.Fatal(err)
	}
	if got := string(readBytes(t, path)); got != "three" {
		t.Fatalf("content %q after replace", got)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("%d entries, want only the file", len(entries))
	}
}
