package form

import (
	"strings"
	"testing"

	"cairn/tui/tuitest"

	"github.com/ethereum/go-ethereum/common"
)

var dest = common.HexToAddress("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc")

func TestParseCRN(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"1.5", "1500000000000000000", ""},
		{"0.000000000000000001", "1", ""},
		{"1000000", "1000000000000000000000000", ""},
		{" 2 ", "2000000000000000000", ""},
		{"3.", "3000000000000000000", ""},
		{"", "", "enter an amount"},
		{"0.0", "", "above 0"},
		{"1.0000000000000000001", "", "at most 18"},
		{"-1", "", "like 1.5"},
		{".5", "", "like 1.5"},
		{"1e18", "", "like 1.5"},
		{"1,000", "", "like 1.5"},
	}
	for _, c := range cases {
		got, err := ParseCRN(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseCRN(%q) error %v, want %q", c.in, err, c.err)
			}
		case err != nil || got.String() != c.want:
			t.Errorf("ParseCRN(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestParseGwei(t *testing.T) {
	if v, err := ParseGwei("1.5"); err != nil || v.Int64() != 1_500_000_000 {
		t.Fatalf("1.5 gwei = %v %v", v, err)
	}
	if v, err := ParseGwei("0"); err != nil || v.Sign() != 0 {
		t.Fatalf("a zero tip is allowed: %v %v", v, err)
	}
	if _, err := ParseGwei("0.0000000001"); err == nil {
		t.Fatal("10 decimals of gwei accepted")
	}
}

func TestParseAddress(t *testing.T) {
	good := dest.Hex()
	for _, ok := range []string{good, strings.ToLower(good), "0x" + strings.ToUpper(good[2:])} {
		if a, err := ParseAddress(ok, "recipient"); err != nil || a != dest {
			t.Errorf("ParseAddress(%q) = %v, %v", ok, a.Hex(), err)
		}
	}
	for in, want := range map[string]string{
		"":                        "enter the recipient",
		good[2:]:                  "starts with 0x",
		"0x12345g":                "only hex",
		"0x1234":                  "4 of 40",
		good + "00":               "too long",
		tuitest.BadChecksum(dest): "EIP-55",
		"0X" + good[2:]:           "starts with 0x",
		"0x" + good[2:41]:         "39 of 40",
	} {
		if _, err := ParseAddress(in, "recipient"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAddress(%q) error %v, want %q", in, err, want)
		}
	}
}
