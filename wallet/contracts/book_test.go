package contracts

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func TestBookAddLookupSave(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home") // not there yet: Save creates it
	b, err := OpenBook(home)
	if err != nil || len(b.List()) != 0 {
		t.Fatalf("a missing book: %v %v", b, err)
	}
	a := loadToken(t)
	tokenAddr := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	hash := common.HexToHash("0x01")
	if err := b.Add(Entry{Name: "Token", Address: tokenAddr, ABI: a.RawABI, Artifact: a.Path, ChainID: 7777, TxHash: &hash}); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(Entry{Name: "bare", Address: bob}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(home, BookFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("book file: %v %v", st, err)
	}
	if left, _ := filepath.Glob(filepath.Join(home, ".*tmp*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}

	b, err = OpenBook(home)
	if err != nil {
		t.Fatal(err)
	}
	if l := b.List(); len(l) != 2 || l[0].Name != "bare" || l[1].Name != "Token" {
		t.Fatalf("list: %+v", l)
	}
	e, ok := b.Lookup("token") // names compare without case
	if !ok || e.Address != tokenAddr || e.ChainID != 7777 || *e.TxHash != hash {
		t.Fatalf("lookup: %+v %v", e, ok)
	}
	parsed, err := e.ParsedABI()
	if err != nil || parsed == nil || parsed.Methods["balanceOf"].Sig != "balanceOf(address)" {
		t.Fatalf("ABI from the book: %v", err)
	}
	if e, _ := b.Lookup("bare"); e.ABI != nil {
		if p, err := e.ParsedABI(); p != nil || err != nil {
			t.Fatalf("no ABI: %v %v", p, err)
		}
	}

	// Resolve takes names and addresses.
	addr, ent, err := b.Resolve("Token")
	if err != nil || addr != tokenAddr || ent == nil || ent.Name != "Token" {
		t.Fatalf("resolve by name: %v %v %v", addr, ent, err)
	}
	addr, ent, err = b.Resolve(strings.ToLower(tokenAddr.Hex()))
	if err != nil || addr != tokenAddr || ent == nil || ent.Name != "Token" {
		t.Fatalf("resolve a known address: %v %v %v", addr, ent, err)
	}
	if _, ent, err = b.Resolve(owner.Hex()); err != nil || ent != nil {
		t.Fatalf("resolve an unknown address: %v %v", ent, err)
	}
	if _, _, err = b.Resolve("Nope"); err == nil || !strings.Contains(err.Error(), "it knows bare, Token") {
		t.Fatalf("resolve an unknown name: %v", err)
	}
	if _, _, err = b.Resolve("0x5FbDB2315678afecb367f032d93F642f64180AA3"); err == nil || !strings.Contains(err.Error(), "EIP-55") {
		t.Fatalf("resolve a mistyped address: %v", err)
	}

	// Adding a name again replaces it; Remove takes it out.
	if err := b.Add(Entry{Name: "TOKEN", Address: owner}); err != nil {
		t.Fatal(err)
	}
	if l := b.List(); len(l) != 2 {
		t.Fatalf("replace: %+v", l)
	}
	if e, _ := b.Lookup("Token"); e.Address != owner || e.Name != "TOKEN" {
		t.Fatalf("replaced entry: %+v", e)
	}
	if !b.Remove("token") || b.Remove("token") || len(b.List()) != 1 {
		t.Fatal("remove")
	}
}

func TestBookRefusesBadEntries(t *testing.T) {
	b, err := OpenBook(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, msg := range map[string]string{
		"":                      "needs a name",
		"0xToken":               "0x",
		"9lives":                "starting with a letter",
		"has space":             "letters, digits",
		strings.Repeat("a", 65): "longer than 64",
	} {
		if err := b.Add(Entry{Name: name, Address: bob}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Add(%q) = %v, want %q", name, err, msg)
		}
	}
	if err := b.Add(Entry{Name: "x", Address: bob, ABI: json.RawMessage(`{"not": "an abi"}`)}); err == nil {
		t.Error("Add with a bad ABI accepted")
	}
	for _, ok := range []string{"Token", "token-v2", "my_token.old", "_x"} {
		if err := b.Add(Entry{Name: ok, Address: bob}); err != nil {
			t.Errorf("Add(%q): %v", ok, err)
		}
	}
}

func TestBookCorruptFile(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":     `{"version": 1, "contracts": [{"name": "T", "addr`,
		"not json":      "garbage",
		"wrong shape":   `{"version": 1, "contracts": {"T": "0x01"}}`,
		"unknown field": `{"version": 1, "contracts": [], "extra": 1}`,
		"trailing data": `{"version": 1, "contracts": []} {}`,
		"no version":    `{"contracts": []}`,
		"bad name":      `{"version": 1, "contracts": [{"name": "0xdead", "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}]}`,
		"twice":         `{"version": 1, "contracts": [{"name": "T", "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}, {"name": "t", "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}]}`,
		"bad abi":       `{"version": 1, "contracts": [{"name": "T", "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "abi": [{"type": "function", "name": "f", "inputs": [{"type": "uint7"}]}]}]}`,
		"bad address":   `{"version": 1, "contracts": [{"name": "T", "address": "0x1234"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			path := filepath.Join(home, BookFile)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenBook(home)
			if !errors.Is(err, ErrCorruptBook) || !strings.Contains(err.Error(), path) {
				t.Fatalf("OpenBook = %v, want ErrCorruptBook naming %s", err, path)
			}
			if got, _ := os.ReadFile(path); string(got) != content {
				t.Fatal("the damaged file was changed")
			}
		})
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, BookFile), []byte(`{"version": 99, "contracts": [], "newField": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBook(home); err == nil || !strings.Contains(err.Error(), "upgrade Cairn") {
		t.Fatalf("a newer version: %v", err)
	}
}

// TestBookSaveIsAtomic checks that Save replaces the file by rename: a
// reader holding the old file keeps reading the old version whole, and a
// failed save leaves the old book.
func TestBookSaveIsAtomic(t *testing.T) {
	home := t.TempDir()
	b, _ := OpenBook(home)
	if err := b.Add(Entry{Name: "One", Address: bob}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, BookFile)
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	before, _ := os.Stat(path)
	if err := b.Add(Entry{Name: "Two", Address: owner}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if os.SameFile(before, after) {
		t.Fatal("Save rewrote the file in place instead of renaming a new one over it")
	}
	var oldBook bookJSON
	if err := json.NewDecoder(old).Decode(&oldBook); err != nil || len(oldBook.Contracts) != 1 {
		t.Fatalf("the old file as a reader holds it: %v %+v", err, oldBook)
	}

	// A save that cannot write (the directory is read-only) fails and
	// leaves the old book whole.
	if os.Geteuid() == 0 {
		t.Log("running as root: skipping the read-only directory check")
		return
	}
	if err := os.Chmod(home, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(home, 0o700)
	if err := b.Add(Entry{Name: "Three", Address: owner}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err == nil {
		t.Fatal("Save into a read-only directory succeeded")
	}
	again, err := OpenBook(home)
	if err != nil || len(again.List()) != 2 {
		t.Fatalf("after a failed save: %v %+v", err, again)
	}
}
