package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Test vectors of the Web3 Secret Storage definition (Ethereum wiki), as
// kept in go-ethereum's accounts/keystore/testdata/v3_test_vector.json.
const (
	wikiPassword = "testpassword"
	wikiKey      = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"

	wikiPBKDF2 = `{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
		"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
		"kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
		"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
		"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}`

	wikiScrypt = `{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
		"ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
		"kdfparams":{"dklen":32,"n":262144,"r":1,"p":8,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
		"mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
		"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}`

	// A key whose big-endian form is 31 bytes (go-ethereum's "31_byte_key"
	// vector, password "foo").
	shortKeyJSON = `{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"e0c41130a323adc1446fc82f724bca2f"},
		"ciphertext":"9517cd5bdbe69076f9bf5057248c6c050141e970efa36ce53692d5d59a3984","kdf":"scrypt",
		"kdfparams":{"dklen":32,"n":2,"r":8,"p":1,"salt":"711f816911c92d649fb4c84b047915679933555030b3552c1212609b38208c63"},
		"mac":"d5e116151c6aa71470e67a7d42c9620c75c4d23229847dcc127794f0732b0db5"},
		"id":"fecfc4ce-e956-48fd-953b-30f8b52ed66c","version":3}`
	shortKey = "fa7b3db73dc7dfdf8c5fbdb796d741e4488628c41fc4febd9160a866ba0f35"

	// go-ethereum's very-light-scrypt.json: empty password, with address.
	lightJSON    = `{"address":"45dea0fb0bba44f4fcf290bba71fd57d7117cbb8","crypto":{"cipher":"aes-128-ctr","ciphertext":"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145","cipherparams":{"iv":"dc4926b48a105133d2f16b96833abf1e"},"kdf":"scrypt","kdfparams":{"dklen":32,"n":2,"p":1,"r":8,"salt":"004244bbdc51cadda545b1cfa43cff9ed2ae88e08c61f1479dbb45410722f8f0"},"mac":"39990c1684557447940d4c69e06b1b82b2aceacb43f284df65c956daf3046b85"},"id":"ce541d8d-c79b-40f8-9f8c-20f59616faba","version":3}`
	lightAddress = "0x45dea0fb0bba44f4fcf290bba71fd57d7117cbb8"
)

func TestKeystoreWikiVectors(t *testing.T) {
	for name, js := range map[string]string{"pbkdf2": wikiPBKDF2, "scrypt": wikiScrypt} {
		t.Run(name, func(t *testing.T) {
			if name == "scrypt" && testing.Short() {
				t.Skip("scrypt N=2^18 P=8 takes about a second")
			}
			t.Parallel()
			key, err := decryptKeystore([]byte(js), wikiPassword)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(key); got != wikiKey {
				t.Fatalf("key %s, want %s", got, wikiKey)
			}
		})
	}
}

func TestImportKeystore(t *testing.T) {
	w := newTestWallet(t)
	acc, err := w.ImportKeystore([]byte(wikiPBKDF2), wikiPassword, "from keystore")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := crypto.HexToECDSA(wikiKey)
	if acc.Address != crypto.PubkeyToAddress(want.PublicKey) || acc.HD || acc.Label != "from keystore" {
		t.Fatalf("imported: %+v", acc)
	}
	if _, err := w.ImportKeystore([]byte(wikiPBKDF2), wikiPassword, ""); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("second import: %v", err)
	}
	acc2, err := w.ImportKeystore([]byte(lightJSON), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if acc2.Address != common.HexToAddress(lightAddress) {
		t.Fatalf("light keystore address %s", acc2.Address.Hex())
	}
	acc3, err := w.ImportKeystore([]byte(shortKeyJSON), "foo", "")
	if err != nil {
		t.Fatal(err)
	}
	w2 := reopen(t, w)
	if err := w2.Unlock(testPassword); err != nil {
		t.Fatal(err)
	}
	k, err := w2.PrivateKey(acc.Address)
	if err != nil || hex.EncodeToString(crypto.FromECDSA(k)) != wikiKey {
		t.Fatalf("imported key after reopen: %v", err)
	}
	k3, err := w2.PrivateKey(acc3.Address)
	if err != nil || hex.EncodeToString(crypto.FromECDSA(k3)) != "00"+shortKey {
		t.Fatalf("31-byte key after reopen: %x %v", crypto.FromECDSA(k3), err)
	}
}

func TestImportKeystoreWrongPassword(t *testing.T) {
	w := newTestWallet(t)
	before := readBytes(t, w.Path())
	_, err := w.ImportKeystore([]byte(lightJSON), "not empty", "")
	if !errors.Is(err, ErrWrongPassword) || !errors.Is(err, keystore.ErrDecrypt) {
		t.Fatalf("wrong keystore password: %v", err)
	}
	if !bytes.Equal(before, readBytes(t, w.Path())) || len(w.Accounts()) != 1 {
		t.Fatal("failed import changed the wallet")
	}
}

func TestExportKeystoreRoundTrip(t *testing.T) {
	w := newTestWallet(t)
	js, err := w.ExportKeystore(devAddresses[0], "ks pass")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Address string
		ID      string
		Version int
		Crypto  struct {
			KDF       string
			KDFParams map[string]any
		}
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 3 || doc.Address != strings.ToLower(devAddresses[0].Hex()[2:]) || doc.Crypto.KDF != "scrypt" ||
		doc.Crypto.KDFParams["n"] != float64(keystore.LightScryptN) || len(doc.ID) != 36 || doc.ID[14] != '4' {
		t.Fatalf("exported keystore: %s", js)
	}
	// go-ethereum itself decrypts it to the same key.
	gk, err := keystore.DecryptKey(js, "ks pass")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DeriveKey(DevMnemonic, "", 0)
	if !bytes.Equal(crypto.FromECDSA(gk.PrivateKey), crypto.FromECDSA(want)) || gk.Address != devAddresses[0] {
		t.Fatal("geth decrypted a different key")
	}
	// And another wallet imports it.
	other, err := Create(t.TempDir()+"/"+FileName, bip39Vectors[0].mnemonic, "", "pw", testOpts...)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := other.ImportKeystore(js, "ks pass", "dev0")
	if err != nil || acc.Address != devAddresses[0] {
		t.Fatalf("import of export: %+v %v", acc, err)
	}
	if _, err := w.ExportKeystore(devAddresses[0], ""); err == nil {
		t.Fatal("empty keystore password accepted")
	}
	if _, err := w.ExportKeystore(devAddresses[4], "x"); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("export of unknown account: %v", err)
	}
	w.Lock()
	if _, err := w.ExportKeystore(devAddresses[0], "x"); !errors.Is(err, ErrLocked) {
		t.Fatalf("export while locked: %v", err)
	}
	if _, err := w.ImportKeystore(js, "ks pass", ""); !errors.Is(err, ErrLocked) {
		t.Fatalf("import while locked: %v", err)
	}
}

func TestExportKeystoreDefaultsToStandardScrypt(t *testing.T) {
	cfg, err := newConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.scryptN != keystore.StandardScryptN || cfg.scryptP != keystore.StandardScryptP {
		t.Fatalf("default scrypt N=%d P=%d", cfg.scryptN, cfg.scryptP)
	}
	if _, err := newConfig([]Option{WithKeystoreScrypt(3, 1)}); err == nil {
		t.Fatal("scrypt N not a power of two accepted")
	}
}

// Malformed keystores are rejected with an error; several of these make
// go-ethereum's decoder panic if passed to it unchecked.
func TestImportKeystoreMalformed(t *testing.T) {
	var base map[string]any
	if err := json.Unmarshal([]byte(lightJSON), &base); err != nil {
		t.Fatal(err)
	}
	mutate := func(fn func(c, kp map[string]any, d map[string]any)) string {
		raw, _ := json.Marshal(base)
		var d map[string]any
		json.Unmarshal(raw, &d)
		c := d["crypto"].(map[string]any)
		fn(c, c["kdfparams"].(map[string]any), d)
		out, _ := json.Marshal(d)
		return string(out)
	}
	cases := map[string]string{
		"not json":        "{nope",
		"array":           "[]",
		"version 1":       mutate(func(c, kp, d map[string]any) { d["version"] = "1" }),
		"version 4":       mutate(func(c, kp, d map[string]any) { d["version"] = 4 }),
		"no n":            mutate(func(c, kp, d map[string]any) { delete(kp, "n") }),
		"string n":        mutate(func(c, kp, d map[string]any) { kp["n"] = "2" }),
		"no salt":         mutate(func(c, kp, d map[string]any) { delete(kp, "salt") }),
		"dklen 16":        mutate(func(c, kp, d map[string]any) { kp["dklen"] = 16 }),
		"short iv":        mutate(func(c, kp, d map[string]any) { c["cipherparams"] = map[string]any{"iv": "00112233"} }),
		"huge n":          mutate(func(c, kp, d map[string]any) { kp["n"] = 1 << 30 }),
		"huge p":          mutate(func(c, kp, d map[string]any) { kp["p"] = 1 << 25 }),
		"n not pow2":      mutate(func(c, kp, d map[string]any) { kp["n"] = 3 }),
		"fractional r":    mutate(func(c, kp, d map[string]any) { kp["r"] = 1.5 }),
		"unknown kdf":     mutate(func(c, kp, d map[string]any) { c["kdf"] = "argon2" }),
		"unknown cipher":  mutate(func(c, kp, d map[string]any) { c["cipher"] = "aes-256-gcm" }),
		"long ciphertext": mutate(func(c, kp, d map[string]any) { c["ciphertext"] = strings.Repeat("00", 33) }),
		"bad mac hex":     mutate(func(c, kp, d map[string]any) { c["mac"] = "zz" }),
		"wrong address":   mutate(func(c, kp, d map[string]any) { d["address"] = devAddresses[0].Hex() }),
		"pbkdf2 no prf": mutate(func(c, kp, d map[string]any) {
			c["kdf"] = "pbkdf2"
			kp["c"] = 2
		}),
		"pbkdf2 huge c": mutate(func(c, kp, d map[string]any) {
			c["kdf"], kp["c"], kp["prf"] = "pbkdf2", 1e9, "hmac-sha256"
		}),
	}
	w := newTestWallet(t)
	for name, js := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := w.ImportKeystore([]byte(js), "", ""); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if len(w.Accounts()) != 1 {
		t.Fatal("a malformed keystore added an account")
	}
	if _, err := w.ImportKeystore([]byte(lightJSON), "", ""); err != nil {
		t.Fatalf("unmutated keystore rejected: %v", err)
	}
}

func TestExportKeystoreFileIsPrivateAndNeverOverwrites(t *testing.T) {
	w := newTestWallet(t)
	path := filepath.Join(t.TempDir(), "key.json")
	if err := w.ExportKeystoreFile(devAddresses[0], "ks pass", path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keystore file: %v, mode %v; want 0600", err, fi.Mode())
	}
	before := readBytes(t, path)
	if err := w.ExportKeystoreFile(devAddresses[0], "other", path); !errors.Is(err, ErrExists) {
		t.Fatalf("second export over the file: %v, want ErrExists", err)
	}
	if !bytes.Equal(before, readBytes(t, path)) {
		t.Fatal("a refused export changed the existing file")
	}
	if err := w.ExportKeystoreFile(devAddresses[0], "x", filepath.Join(t.TempDir(), "no", "dir", "k.json")); err == nil {
		t.Fatal("export into a missing directory succeeded")
	}
}
