package accounts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cairn/tui/tuitest"

	"github.com/ethereum/go-ethereum/accounts/keystore"
)

func TestExportKeystore(t *testing.T) {
	e := setup(t, 80, 24)
	m := e.model()
	path := filepath.Join(t.TempDir(), "savings.json")
	e.drive(t, keys("down", "e")...)
	if m.mode != modeReauth {
		t.Fatalf("e does not ask for the wallet password first: mode %v", m.mode)
	}
	e.drive(t, typed(walletPassword, "enter")...)
	if !strings.HasSuffix(m.form.Value(fieldPath), "keystore-"+strings.ToLower(dev1.Hex()[2:])+".json") {
		t.Fatalf("suggested path %q", m.form.Value(fieldPath))
	}
	e.drive(t, keys("ctrl+u")...)
	e.drive(t, typed(path, "enter")...)
	e.drive(t, typed("keystore pw", "enter")...)
	e.drive(t, typed("keystore pW", "enter")...)
	if !strings.Contains(m.err, "do not match") || m.form.Focus != fieldPassword {
		t.Fatalf("mismatch: err %q focus %d", m.err, m.form.Focus)
	}
	e.drive(t, typed("tiny", "enter")...)
	e.drive(t, typed("tiny", "enter")...)
	if !strings.Contains(m.err, "at least 8") {
		t.Fatalf("short: err %q", m.err)
	}
	if strings.Contains(e.view(), "keystore pw") || strings.Contains(e.view(), "tiny") {
		t.Fatal("a password is echoed")
	}
	e.drive(t, typed("keystore pw", "enter")...)
	out := e.drive(t, typed("keystore pw", "enter")...)
	if m.mode != modeList || len(out) == 0 {
		t.Fatalf("export: mode %v err %q", m.mode, m.err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("keystore file: %v %v", info, err)
	}
	data, _ := os.ReadFile(path)
	key, err := keystore.DecryptKey(data, "keystore pw")
	if err != nil {
		t.Fatal(err)
	}
	if key.Address != dev1 {
		t.Fatalf("exported %s, want %s", key.Address.Hex(), dev1.Hex())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".export-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}

	// The same path again is refused, and the file stays as it was.
	e.drive(t, keys("e")...)
	e.drive(t, typed(walletPassword, "enter", "ctrl+u")...)
	e.drive(t, typed(path, "enter")...)
	e.drive(t, typed("other password", "enter")...)
	e.drive(t, typed("other password", "enter")...)
	if m.mode != modeExport || !strings.Contains(m.err, "already there") {
		t.Fatalf("overwrite: mode %v err %q", m.mode, m.err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Fatal("the existing file changed")
	}
}

func TestGoldenExport(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("e")...)
		e.drive(t, typed(walletPassword, "enter")...)
		e.drive(t, keys("ctrl+u")...)
		e.drive(t, typed("/home/you/keystore-account1.json")...)
		golden(t, e)
	})
}
