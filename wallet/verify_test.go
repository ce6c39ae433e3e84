package wallet

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestVerifyPasswordKeepsTheLockState(t *testing.T) {
	w := newTestWallet(t) // unlocked
	before := readBytes(t, w.Path())
	if err := w.VerifyPassword(testPassword); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := w.VerifyPassword("wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
	}
	if w.Locked() {
		t.Fatal("a wrong password locked the wallet")
	}
	w.Lock()
	if err := w.VerifyPassword(testPassword); err != nil {
		t.Fatalf("right password on a locked wallet: %v", err)
	}
	if !w.Locked() {
		t.Fatal("VerifyPassword unlocked the wallet")
	}
	if !bytes.Equal(before, readBytes(t, w.Path())) {
		t.Fatal("VerifyPassword changed the file")
	}
}

func TestCheckKeystore(t *testing.T) {
	if _, err := CheckKeystore([]byte(lightJSON), "not empty"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong keystore password: %v, want ErrWrongPassword", err)
	}
	addr, err := CheckKeystore([]byte(wikiPBKDF2), wikiPassword)
	if err != nil {
		t.Fatalf("wiki vector: %v", err)
	}
	key, _ := crypto.HexToECDSA(wikiKey)
	if want := crypto.PubkeyToAddress(key.PublicKey); addr != want {
		t.Fatalf("address %s, want %s", addr.Hex(), want.Hex())
	}
}
