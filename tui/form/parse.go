package form

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

var (
	weiPerCRN  = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	weiPerGwei = big.NewInt(1e9)
	decimalRe  = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]*))?$`)
	hexRe      = regexp.MustCompile(`^[0-9a-fA-F]*$`)
)

// ParseAddress checks an address as it is typed: 0x and 40 hex digits,
// and if the case is mixed, a matching EIP-55 checksum. whose names the
// address in the error for an empty field ("recipient").
func ParseAddress(s, whose string) (common.Address, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return common.Address{}, fmt.Errorf("enter the %s's address", whose)
	case !strings.HasPrefix(s, "0x"):
		return common.Address{}, errors.New("an address starts with 0x")
	case !hexRe.MatchString(s[2:]):
		return common.Address{}, errors.New("only hex digits (0-9, a-f) after 0x")
	case len(s)-2 < 40:
		return common.Address{}, fmt.Errorf("%d of 40 hex digits", len(s)-2)
	case len(s)-2 > 40:
		return common.Address{}, fmt.Errorf("too long: %d hex digits, an address has 40", len(s)-2)
	}
	addr, err := api.ParseAddress(s)
	if err != nil {
		var ae *api.Error
		if errors.As(err, &ae) && strings.Contains(ae.Message, "EIP-55") {
			return common.Address{}, errors.New("bad EIP-55 checksum: the mixed case does not match (a typo?)")
		}
		return common.Address{}, err
	}
	return addr, nil
}

// ParseDecimal reads a non-negative decimal number with at most decimals
// digits after the point and returns it times 10^decimals.
func ParseDecimal(s string, decimals int, unit *big.Int) (*big.Int, error) {
	s = strings.TrimSpace(s)
	m := decimalRe.FindStringSubmatch(s)
	if m == nil {
		return nil, errors.New("write a number like 1.5 (digits and one dot)")
	}
	frac := m[2]
	if len(frac) > decimals {
		return nil, fmt.Errorf("at most %d digits after the point", decimals)
	}
	whole, _ := new(big.Int).SetString(m[1], 10)
	v := new(big.Int).Mul(whole, unit)
	if frac != "" {
		f, _ := new(big.Int).SetString(frac+strings.Repeat("0", decimals-len(frac)), 10)
		v.Add(v, f)
	}
	return v, nil
}

// ParseCRN reads an amount of CRN (up to 18 decimals) as wei.
func ParseCRN(s string) (*big.Int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("enter an amount in CRN")
	}
	v, err := ParseDecimal(s, 18, weiPerCRN)
	if err != nil {
		return nil, err
	}
	if v.Sign() == 0 {
		return nil, errors.New("enter an amount above 0")
	}
	return v, nil
}

// ParseGwei reads an amount of gwei (up to 9 decimals) as wei.
func ParseGwei(s string) (*big.Int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("enter a tip in gwei (1 is usual)")
	}
	return ParseDecimal(s, 9, weiPerGwei)
}

// Capitalize makes an error message a sentence's start.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
