package txsign

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ethcommon "github.com/ethereum/go-ethereum/common"
)

func crn(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

func writeSettings(t *testing.T, body string) string {
	t.Helper()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, SettingsFile), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestLoadSettings(t *testing.T) {
	if s, err := LoadSettings(t.TempDir()); err != nil || s.SendConfirmAbove.Cmp(crn(100)) != 0 {
		t.Fatalf("no file: %v %v, want the 100 CRN default", s.SendConfirmAbove, err)
	}
	for body, want := range map[string]*big.Int{
		`send_confirm_above = "2.5"`: new(big.Int).Mul(big.NewInt(25), big.NewInt(1e17)),
		`send_confirm_above = 7`:     crn(7),
		`send_confirm_above = "0"`:   new(big.Int),
		"# nothing set\n":            crn(100),
	} {
		s, err := LoadSettings(writeSettings(t, body))
		if err != nil || s.SendConfirmAbove.Cmp(want) != 0 {
			t.Errorf("%q: %v %v, want %v", body, s.SendConfirmAbove, err, want)
		}
	}
	for body, want := range map[string]string{
		`send_confirm_above = -1`:     "0 or more",
		`send_confirm_above = "lots"`: "like 1.5",
		`send_confirm_above = 1.5`:    "such as",
		`send_confrim_above = "5"`:    "unknown key",
		`send_confirm_above = `:       "console.toml",
	} {
		s, err := LoadSettings(writeSettings(t, body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", body, err, want)
		}
		if s.SendConfirmAbove == nil {
			t.Errorf("%q: no threshold with the error", body)
		}
	}
}

func TestPasswordFor(t *testing.T) {
	to := ethcommon.HexToAddress("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc")
	small := &Draft{To: &to, Value: crn(100)}
	large := &Draft{To: &to, Value: new(big.Int).Add(crn(100), big.NewInt(1))}
	def := t.TempDir()
	if what := PasswordFor(def, small); what != "" {
		t.Fatalf("100 CRN (the default threshold) asks: %q", what)
	}
	if what := PasswordFor(def, large); !strings.Contains(what, "above the 100 CRN set as send_confirm_above") {
		t.Fatalf("above the default threshold: %q", what)
	}
	if what := PasswordFor(def, &Draft{To: &to, Value: new(big.Int), Reauth: "unjail"}); what != "unjail" {
		t.Fatalf("a draft that asks: %q", what)
	}
	if what := PasswordFor(def, &Draft{To: &to, Value: crn(1000), Staked: true}); what != "" {
		t.Fatalf("a delegation asks: %q", what)
	}
	zero := writeSettings(t, `send_confirm_above = "0"`)
	if what := PasswordFor(zero, &Draft{To: &to, Value: big.NewInt(1)}); what == "" {
		t.Fatal("threshold 0: 1 wei does not ask")
	}
	if what := PasswordFor(zero, &Draft{To: &to, Value: new(big.Int)}); what != "" {
		t.Fatalf("a call with no value asks: %q", what)
	}
	broken := writeSettings(t, `send_confirm_above = "lots"`)
	if what := PasswordFor(broken, small); !strings.Contains(what, "every transaction asks") {
		t.Fatalf("an unreadable console.toml: %q", what)
	}
}

func TestChecks(t *testing.T) {
	if err := CheckRecipient(ethcommon.Address{}); err != ErrZeroAddress {
		t.Fatalf("zero address: %v", err)
	}
	gwei := func(n int64) *big.Int { return big.NewInt(n * 1e9) }
	if _, err := CheckTip(gwei(1001), nil); err == nil || !strings.Contains(err.Error(), "absurd") {
		t.Fatalf("1,001 gwei tip: %v", err)
	}
	if w, err := CheckTip(gwei(1000), gwei(1)); err != nil || !strings.Contains(w, "10× the base fee") {
		t.Fatalf("1,000 gwei tip on a 1 gwei base fee: %q %v", w, err)
	}
	if w, err := CheckTip(gwei(1), big.NewInt(7)); err != nil || w != "" {
		t.Fatalf("the usual 1 gwei tip: %q %v", w, err)
	}
	if w, _ := CheckTip(gwei(10), gwei(1)); w != "" {
		t.Fatalf("10× the base fee warned: %q", w)
	}
	bal := crn(1)
	if err := CheckCost(crn(2), gwei(1), gwei(1), bal, TransferGas); err == nil || !strings.Contains(err.Error(), "more than the balance") {
		t.Fatalf("value above the balance: %v", err)
	}
	// 1 CRN − 21,000 wei: the value fits, the fee does not.
	v := new(big.Int).Sub(bal, big.NewInt(21_000))
	if err := CheckCost(v, gwei(1), gwei(1), bal, TransferGas); err == nil || !strings.Contains(err.Error(), "plus the max fee") {
		t.Fatalf("value + max fee above the balance: %v", err)
	}
	if err := CheckCost(v, big.NewInt(0), big.NewInt(0), bal, TransferGas); err != nil {
		t.Fatalf("a free transfer that fits: %v", err)
	}
}
