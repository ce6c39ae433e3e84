package api

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzParse checks the parsers of path and query parameters against the
// forms they document: what ParseHash, ParseAddress, parseHex and
// ParseBlockID accept is spelled as documented and reads back the same
// from its canonical spelling; what they refuse is a 400 bad_request.
func FuzzParse(f *testing.F) {
	addr0 := common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	for _, s := range []string{
		"latest", "0", "1", "18446744073709551615", "18446744073709551616", "007", "-1", "+1", " 1",
		addr0.Hex(), strings.ToLower(addr0.Hex()), strings.ToUpper(addr0.Hex()[2:]), addr0.Hex()[2:],
		"0X" + addr0.Hex()[2:], strings.Replace(addr0.Hex(), "f", "F", 1),
		common.HexToHash("0xabc").Hex(), "0x" + strings.Repeat("AB", 32), "0x", "0x0", "0xzz", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bad := func(what string, err error) {
			t.Helper()
			e, ok := err.(*Error)
			if !ok || e.Status != http.StatusBadRequest || e.Code != CodeBadRequest || e.Message == "" {
				t.Fatalf("%s(%q): error %#v is not a 400 bad_request", what, s, err)
			}
		}
		lower := strings.ToLower(s)

		if b, err := parseHex(s); err != nil {
			bad("parseHex", err)
		} else if "0x"+hex.EncodeToString(b) != lower {
			t.Fatalf("parseHex(%q) = %x", s, b)
		}

		if h, err := ParseHash(s); err != nil {
			bad("ParseHash", err)
		} else if h.Hex() != lower {
			t.Fatalf("ParseHash(%q) = %s", s, h.Hex())
		}

		if a, err := ParseAddress(s); err != nil {
			bad("ParseAddress", err)
		} else {
			// 0x (or 0X) and 40 hex digits, or the 40 digits alone.
			digits := s
			if len(s) == 42 && (s[:2] == "0x" || s[:2] == "0X") {
				digits = s[2:]
			}
			if len(digits) != 40 || strings.ToLower(digits) != strings.ToLower(a.Hex()[2:]) {
				t.Fatalf("ParseAddress(%q) = %s: not the address written", s, a.Hex())
			}
			if mixed := digits != strings.ToLower(digits) && digits != strings.ToUpper(digits); mixed && digits != a.Hex()[2:] {
				t.Fatalf("ParseAddress(%q) took a bad checksum", s)
			}
			for _, form := range []string{a.Hex(), strings.ToLower(a.Hex()), a.Hex()[2:]} {
				if back, err := ParseAddress(form); err != nil || back != a {
					t.Fatalf("ParseAddress(%q) = %s, %v after %q", form, back.Hex(), err, s)
				}
			}
		}

		id, err := ParseBlockID(s)
		if err != nil {
			bad("ParseBlockID", err)
			return
		}
		var canon string
		switch {
		case id.Latest && id.Hash == nil && id.Height == 0:
			canon = "latest"
		case !id.Latest && id.Hash != nil && id.Height == 0:
			canon = id.Hash.Hex()
			if canon != lower {
				t.Fatalf("ParseBlockID(%q) = hash %s", s, canon)
			}
		case !id.Latest && id.Hash == nil:
			canon = strconv.FormatUint(id.Height, 10)
			if strings.TrimLeft(s, "0") != strings.TrimLeft(canon, "0") {
				t.Fatalf("ParseBlockID(%q) = height %d", s, id.Height)
			}
		default:
			t.Fatalf("ParseBlockID(%q) = %+v: more than one kind", s, id)
		}
		if back, err := ParseBlockID(canon); err != nil || back.Latest != id.Latest || back.Height != id.Height ||
			(back.Hash == nil) != (id.Hash == nil) || (back.Hash != nil && *back.Hash != *id.Hash) {
			t.Fatalf("ParseBlockID(%q) = %+v, but its canonical form %q gives %+v, %v", s, id, canon, back, err)
		}
	})
}
