package contracts

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// MaxArgLen bounds one argument as typed (a long bytes value or array).
const MaxArgLen = 256 << 10

// ArgError is an argument that does not parse as its ABI type.
type ArgError struct {
	Index int    // 0-based position among the arguments
	Name  string // the parameter's name in the ABI; may be empty
	Type  string // the parameter's ABI type
	Err   error
}

func (e *ArgError) Error() string {
	what := fmt.Sprintf("argument %d", e.Index+1)
	if e.Name != "" {
		what += " (" + e.Name + " " + e.Type + ")"
	} else {
		what += " (" + e.Type + ")"
	}
	return what + ": " + e.Err.Error()
}

func (e *ArgError) Unwrap() error { return e.Err }

// ParseArgs reads the strings typed for a function's or constructor's
// parameters into values that args.Pack accepts, checking each against
// its ABI type:
//
//   - address: 0x and 40 hex digits; mixed case must be a valid EIP-55 checksum
//   - uintN, intN: decimal ("1000"), 0x-hex ("0xff"), or a whole amount in
//     exponent form ("5e18", "1.5e18"); "_" may group digits; range-checked
//   - bool: true or false (also 1 or 0)
//   - bytes, bytesN: 0x-hex; bytesN needs exactly N bytes
//   - string: as typed (inside arrays and tuples, "quoted" JSON-style)
//   - T[] and T[k]: [v1, v2, …]; tuples: (v1, v2, …) or [v1, v2, …]
//
// The number of strings must match the number of parameters.
func ParseArgs(args abi.Arguments, in []string) ([]any, error) {
	if len(in) != len(args) {
		return nil, fmt.Errorf("want %d argument(s) %s, got %d", len(args), describeArgs(args), len(in))
	}
	out := make([]any, len(in))
	for i, s := range in {
		v, err := ParseValue(args[i].Type, s)
		if err != nil {
			return nil, &ArgError{Index: i, Name: args[i].Name, Type: args[i].Type.String(), Err: err}
		}
		out[i] = v
	}
	return out, nil
}

// describeArgs writes a parameter list as "(address to, uint256 amount)".
func describeArgs(args abi.Arguments) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.Type.String()
		if a.Name != "" {
			parts[i] += " " + a.Name
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// ParseValue reads one value of ABI type t as ParseArgs does, at the top
// level (a string is taken as typed).
func ParseValue(t abi.Type, s string) (v any, err error) {
	if len(s) > MaxArgLen {
		return nil, fmt.Errorf("%d bytes typed, at most %d", len(s), MaxArgLen)
	}
	defer func() {
		// reflect panics would be a bug here; keep them from the user.
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("cannot build a %s from %q: %v", t, s, r)
		}
	}()
	rv, err := parseValue(t, s, true, 0)
	if err != nil {
		return nil, err
	}
	return rv.Interface(), nil
}

// maxNesting bounds how deep arrays and tuples may nest.
const maxNesting = 16

func parseValue(t abi.Type, s string, top bool, depth int) (reflect.Value, error) {
	if depth > maxNesting {
		return reflect.Value{}, fmt.Errorf("nested more than %d deep", maxNesting)
	}
	if t.T != abi.StringTy || !top {
		s = strings.TrimSpace(s)
	}
	goType := t.GetType()
	switch t.T {
	case abi.AddressTy:
		a, err := ParseAddress(unquote(s))
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(a), nil
	case abi.UintTy, abi.IntTy:
		n, err := ParseInteger(unquote(s))
		if err != nil {
			return reflect.Value{}, err
		}
		if err := checkRange(t, n); err != nil {
			return reflect.Value{}, err
		}
		return intValue(goType, n), nil
	case abi.BoolTy:
		switch strings.ToLower(unquote(s)) {
		case "true", "1":
			return reflect.ValueOf(true), nil
		case "false", "0":
			return reflect.ValueOf(false), nil
		}
		return reflect.Value{}, fmt.Errorf("%q is not a bool: want true or false", s)
	case abi.StringTy:
		if !top {
			var err error
			if s, err = unquoteString(s); err != nil {
				return reflect.Value{}, err
			}
		}
		return reflect.ValueOf(s), nil
	case abi.BytesTy:
		b, err := parseHex(unquote(s))
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(b), nil
	case abi.FixedBytesTy:
		b, err := parseHex(unquote(s))
		if err != nil {
			return reflect.Value{}, err
		}
		if len(b) != t.Size {
			return reflect.Value{}, fmt.Errorf("%s is %d bytes, want exactly %d (pad it yourself: 0x%s)", s, len(b), t.Size, strings.Repeat("00", t.Size))
		}
		v := reflect.New(goType).Elem()
		reflect.Copy(v, reflect.ValueOf(b))
		return v, nil
	case abi.SliceTy, abi.ArrayTy:
		items, err := splitList(s, '[', ']')
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s: %w", t, err)
		}
		if t.T == abi.ArrayTy && len(items) != t.Size {
			return reflect.Value{}, fmt.Errorf("%s takes exactly %d items, got %d", t, t.Size, len(items))
		}
		var v reflect.Value
		if t.T == abi.SliceTy {
			v = reflect.MakeSlice(goType, len(items), len(items))
		} else {
			v = reflect.New(goType).Elem()
		}
		for i, item := range items {
			ev, err := parseValue(*t.Elem, item, false, depth+1)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("item %d: %w", i+1, err)
			}
			v.Index(i).Set(ev)
		}
		return v, nil
	case abi.TupleTy:
		open, closer := byte('('), byte(')')
		if strings.HasPrefix(s, "[") {
			open, closer = '[', ']'
		}
		items, err := splitList(s, open, closer)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("tuple %s: %w", t, err)
		}
		if len(items) != len(t.TupleElems) {
			return reflect.Value{}, fmt.Errorf("tuple %s takes %d fields, got %d", t, len(t.TupleElems), len(items))
		}
		v := reflect.New(goType).Elem()
		for i, item := range items {
			ev, err := parseValue(*t.TupleElems[i], item, false, depth+1)
			if err != nil {
				return reflect.Value{}, fmt.Errorf("field %d (%s): %w", i+1, t.TupleRawNames[i], err)
			}
			v.Field(i).Set(ev)
		}
		return v, nil
	}
	return reflect.Value{}, fmt.Errorf("arguments of type %s are not supported", t)
}

// intValue converts n to the Go type accounts/abi packs for the size:
// uint8…uint64 and int8…int64 for those sizes, *big.Int otherwise.
func intValue(goType reflect.Type, n *big.Int) reflect.Value {
	if goType == reflect.TypeFor[*big.Int]() {
		return reflect.ValueOf(n)
	}
	v := reflect.New(goType).Elem()
	if goType.Kind() >= reflect.Uint && goType.Kind() <= reflect.Uint64 {
		v.SetUint(n.Uint64())
	} else {
		v.SetInt(n.Int64())
	}
	return v
}

// checkRange checks n fits a uintN or intN.
func checkRange(t abi.Type, n *big.Int) error {
	if t.T == abi.UintTy {
		if n.Sign() < 0 {
			return fmt.Errorf("%s is negative; %s is unsigned", n, t)
		}
		if n.BitLen() > t.Size {
			return fmt.Errorf("%s does not fit in %s (at most 2^%d-1)", n, t, t.Size)
		}
		return nil
	}
	limit := new(big.Int).Lsh(big.NewInt(1), uint(t.Size-1))
	if n.Cmp(limit) >= 0 || n.Cmp(new(big.Int).Neg(limit)) < 0 {
		return fmt.Errorf("%s does not fit in %s (-2^%d to 2^%d-1)", n, t, t.Size-1, t.Size-1)
	}
	return nil
}

// maxExponent bounds "…eN" so a typo cannot ask for a huge number.
const maxExponent = 80

// maxDigits bounds the decimal digits of a number (2^256 has 78).
const maxDigits = 160

// ParseInteger reads a whole number: decimal ("1000", "-5"), 0x-hex
// ("0xff"), or exponent form that is whole ("5e18", "1.5e18", "2.5E3");
// "_" may group digits ("1_000_000").
func ParseInteger(s string) (*big.Int, error) {
	orig := s
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if s == "" {
		return nil, errors.New("empty: want a number")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	var n *big.Int
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		digits := s[2:]
		if digits == "" || len(digits) > 64 {
			return nil, fmt.Errorf("%q is not a number: want 1 to 64 hex digits after 0x", orig)
		}
		var ok bool
		if n, ok = new(big.Int).SetString(digits, 16); !ok {
			return nil, fmt.Errorf("%q is not a hex number", orig)
		}
	} else {
		mant, exp := s, ""
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			mant, exp = s[:i], s[i+1:]
			if exp == "" {
				return nil, fmt.Errorf("%q: nothing after the exponent's e", orig)
			}
		}
		whole, frac, hasDot := strings.Cut(mant, ".")
		if !allDigits(whole) || !allDigits(frac) || (whole == "" && frac == "") || (hasDot && frac == "" && whole == "") {
			return nil, fmt.Errorf("%q is not a number: want decimal digits, 0x-hex, or an amount like 5e18", orig)
		}
		e := 0
		if exp != "" {
			expNeg := false
			switch exp[0] {
			case '-':
				expNeg, exp = true, exp[1:]
			case '+':
				exp = exp[1:]
			}
			if !allDigits(exp) || exp == "" || len(exp) > 3 {
				return nil, fmt.Errorf("%q: the exponent is not a small whole number", orig)
			}
			for _, c := range exp {
				e = e*10 + int(c-'0')
			}
			if expNeg {
				e = -e
			}
			if e > maxExponent {
				return nil, fmt.Errorf("%q: exponent above %d", orig, maxExponent)
			}
		}
		if len(whole)+len(frac) > maxDigits {
			return nil, fmt.Errorf("%q has more than %d digits", orig, maxDigits)
		}
		frac = strings.TrimRight(frac, "0")
		e -= len(frac)
		digits := strings.TrimLeft(whole+frac, "0")
		if digits == "" {
			digits = "0"
		}
		n, _ = new(big.Int).SetString(digits, 10)
		if e < 0 {
			div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil)
			q, r := new(big.Int).QuoRem(n, div, new(big.Int))
			if r.Sign() != 0 {
				return nil, fmt.Errorf("%q is not a whole number (integers only: write 1.5e18, not 1.5)", orig)
			}
			n = q
		} else if e > 0 {
			n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
		}
	}
	if n.BitLen() > 256 {
		return nil, fmt.Errorf("%q is larger than 256 bits", orig)
	}
	if neg {
		n.Neg(n)
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseAddress reads a 0x address: 40 hex digits after 0x; a mixed-case
// address must carry a valid EIP-55 checksum.
func ParseAddress(s string) (common.Address, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return common.Address{}, fmt.Errorf("%q is not an address: want 0x and 40 hex digits", s)
	}
	hex := s[2:]
	if len(hex) != 2*common.AddressLength {
		return common.Address{}, fmt.Errorf("%q is not an address: want 40 hex digits after 0x, got %d", s, len(hex))
	}
	b, err := hexutil.Decode("0x" + hex)
	if err != nil {
		return common.Address{}, fmt.Errorf("%q is not an address: not hex", s)
	}
	a := common.BytesToAddress(b)
	if hex != strings.ToLower(hex) && hex != strings.ToUpper(hex) && a.Hex()[2:] != hex {
		return common.Address{}, fmt.Errorf("%q has a bad EIP-55 checksum (mistyped?): the checksummed form of that address is %s", s, a.Hex())
	}
	return a, nil
}

// parseHex reads 0x-hex bytes ("0x" is empty).
func parseHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return nil, fmt.Errorf("%q is not bytes: want 0x-hex", s)
	}
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("%q has an odd number of hex digits", s)
	}
	b, err := hexutil.Decode("0x" + s[2:])
	if err != nil && s != "0x" {
		return nil, fmt.Errorf("%q is not hex", s)
	}
	return b, nil
}

// unquote strips one pair of double quotes, so "0x…" inside a list reads
// like 0x….
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// unquoteString reads a string inside a list: "JSON-quoted", or bare.
func unquoteString(s string) (string, error) {
	if strings.HasPrefix(s, `"`) {
		var out string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return "", fmt.Errorf("string %s is not properly quoted: %v", s, err)
		}
		return out, nil
	}
	return s, nil
}

// splitList splits "[a, b, (c, d)]" into its top-level items, honouring
// nested brackets, parentheses and double-quoted strings.
func splitList(s string, open, closer byte) ([]string, error) {
	if len(s) < 2 || s[0] != open || s[len(s)-1] != closer {
		return nil, fmt.Errorf("want %c…%c, got %q", open, closer, s)
	}
	inner := s[1 : len(s)-1]
	if strings.TrimSpace(inner) == "" {
		return nil, nil
	}
	var items []string
	var stack []byte
	start, inStr := 0, false
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '(':
			stack = append(stack, c)
		case ']', ')':
			want := byte('[')
			if c == ')' {
				want = '('
			}
			if len(stack) == 0 || stack[len(stack)-1] != want {
				return nil, fmt.Errorf("unbalanced %c in %q", c, s)
			}
			stack = stack[:len(stack)-1]
		case ',':
			if len(stack) == 0 {
				items = append(items, inner[start:i])
				start = i + 1
			}
		}
	}
	if inStr {
		return nil, fmt.Errorf("unterminated string in %q", s)
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unclosed %c in %q", stack[len(stack)-1], s)
	}
	items = append(items, inner[start:])
	for i, it := range items {
		if strings.TrimSpace(it) == "" {
			return nil, fmt.Errorf("empty item %d in %q", i+1, s)
		}
	}
	return items, nil
}
