package contracts

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

func mustType(t *testing.T, s string) abi.Type {
	t.Helper()
	typ, err := ParseType(s)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

func TestParseInteger(t *testing.T) {
	e18 := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)
	for in, want := range map[string]*big.Int{
		"0":         big.NewInt(0),
		"1000":      big.NewInt(1000),
		"-5":        big.NewInt(-5),
		"+7":        big.NewInt(7),
		"0xff":      big.NewInt(255),
		"0XFF":      big.NewInt(255),
		"-0x10":     big.NewInt(-16),
		"1_000_000": big.NewInt(1_000_000),
		"5e18":      new(big.Int).Mul(big.NewInt(5), e18),
		"1.5e18":    new(big.Int).Mul(big.NewInt(15), new(big.Int).Div(e18, big.NewInt(10))),
		"2.5E3":     big.NewInt(2500),
		"1e0":       big.NewInt(1),
		"1000e-3":   big.NewInt(1),
		"1.000":     big.NewInt(1),
		"0.5e1":     big.NewInt(5),
		".5e1":      big.NewInt(5),
		"  12  ":    big.NewInt(12),
	} {
		got, err := ParseInteger(in)
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("ParseInteger(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"":                              "empty",
		"1.5":                           "not a whole number",
		"1.5e0":                         "not a whole number",
		"5e-1":                          "not a whole number",
		"abc":                           "not a number",
		"12abc":                         "not a number",
		"0x":                            "hex digits",
		"0xgg":                          "not a hex number",
		"1e":                            "nothing after",
		"1e1000":                        "exponent",
		"1e81":                          "exponent above",
		"1ex":                           "exponent",
		".":                             "not a number",
		"1e78":                          "larger than 256 bits",
		"0x1" + strings.Repeat("0", 64): "hex digits",
	} {
		if _, err := ParseInteger(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseInteger(%q) = %v, want an error mentioning %q", in, err, msg)
		}
	}
}

func TestParseAddress(t *testing.T) {
	const sum = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	want := common.HexToAddress(sum)
	for _, in := range []string{sum, strings.ToLower(sum), "0x" + strings.ToUpper(sum[2:]), " " + sum + " "} {
		if a, err := ParseAddress(in); err != nil || a != want {
			t.Errorf("ParseAddress(%q) = %v, %v", in, a, err)
		}
	}
	bad := "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266" // one letter's case flipped
	if _, err := ParseAddress(bad); err == nil || !strings.Contains(err.Error(), "EIP-55") || !strings.Contains(err.Error(), sum) {
		t.Errorf("bad checksum: %v", err)
	}
	for in, msg := range map[string]string{
		"f39Fd6e51aad88F6F4ce6aB8827279cffFb92266": "want 0x",
		"0x1234":                       "got 4",
		"0x" + strings.Repeat("g", 40): "not hex",
	} {
		if _, err := ParseAddress(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseAddress(%q) = %v, want %q", in, err, msg)
		}
	}
}

func TestParseValue(t *testing.T) {
	addr := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	for _, c := range []struct {
		typ, in string
		want    string // fmt %v of the value
	}{
		{"uint256", "5e18", "5000000000000000000"},
		{"uint8", "255", "255"},
		{"uint64", "0xffffffffffffffff", "18446744073709551615"},
		{"uint24", "16777215", "16777215"},
		{"int8", "-128", "-128"},
		{"int256", "-1.5e3", "-1500"},
		{"int64", "-9223372036854775808", "-9223372036854775808"},
		{"bool", "true", "true"},
		{"bool", "0", "false"},
		{"address", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", fmt.Sprint(addr)},
		{"string", "  hello, world  ", "  hello, world  "},
		{"bytes", "0x", "[]"},
		{"bytes", "0x0102", "[1 2]"},
		{"bytes2", "0x0102", "[1 2]"},
		{"uint256[]", "[1, 2, 3e2]", "[1 2 300]"},
		{"uint256[]", "[]", "[]"},
		{"uint8[2]", "[1,2]", "[1 2]"},
		{"uint256[][]", "[[1],[2,3],[]]", "[[1] [2 3] []]"},
		{"string[]", `["a,b", "c\"d", plain]`, `[a,b c"d plain]`},
		{"address[]", `["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]`, fmt.Sprint([]common.Address{addr})},
		{"(uint256,int256)", "(1, -2)", "{1 -2}"},
		{"(uint256,int256)", "[1, -2]", "{1 -2}"},
		{"(uint256,(bool,string))", `(1, (true, "x, y"))`, "{1 {true x, y}}"},
		{"(uint256,bool)[]", "[(1,true),(2,false)]", "[{1 true} {2 false}]"},
	} {
		v, err := ParseValue(mustType(t, c.typ), c.in)
		if err != nil {
			t.Errorf("ParseValue(%s, %q): %v", c.typ, c.in, err)
			continue
		}
		if got := fmt.Sprint(v); got != c.want {
			t.Errorf("ParseValue(%s, %q) = %s, want %s", c.typ, c.in, got, c.want)
		}
		// What ParseValue returns, accounts/abi packs.
		typ := mustType(t, c.typ)
		if _, err := (abi.Arguments{{Type: typ}}).Pack(v); err != nil {
			t.Errorf("pack %s %v: %v", c.typ, v, err)
		}
	}
}

func TestParseValueErrors(t *testing.T) {
	for _, c := range []struct{ typ, in, msg string }{
		{"uint8", "256", "does not fit in uint8"},
		{"uint256", "-1", "negative"},
		{"int8", "128", "does not fit in int8"},
		{"int8", "-129", "does not fit in int8"},
		{"uint256", "1.5", "not a whole number"},
		{"uint256", "1e78", "larger than 256 bits"},
		{"bool", "yes", "not a bool"},
		{"bytes", "0102", "want 0x-hex"},
		{"bytes", "0x123", "odd number"},
		{"bytes", "0xzz", "not hex"},
		{"bytes32", "0x01", "is 1 bytes, want exactly 32"},
		{"address", "0x1234", "not an address"},
		{"uint256[]", "1,2", "want […]"},
		{"uint256[]", "[1,,2]", "empty item 2"},
		{"uint256[]", "[1,x]", "item 2"},
		{"uint256[]", "[1,(2]", "unclosed ("},
		{"uint256[]", "[1,2)]", "unbalanced )"},
		{"uint256[]", "[(1]", "unclosed ("},
		{"uint256[][]", "[[1]", "unclosed ["},
		{"uint256[][]", "[1]", "item 1: uint256[]: want […]"},
		{"string[]", `["abc]`, "unterminated string"},
		{"string[]", `["a\q"]`, "not properly quoted"},
		{"uint8[2]", "[1]", "exactly 2 items"},
		{"(uint256,bool)", "(1)", "takes 2 fields"},
		{"(uint256,bool)", "1,true", "want (…)"},
		{"(uint256,bool)", "(1,maybe)", "field 2"},
	} {
		_, err := ParseValue(mustType(t, c.typ), c.in)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ParseValue(%s, %q) = %v, want an error mentioning %q", c.typ, c.in, err, c.msg)
		}
	}
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	if _, err := ParseValue(mustType(t, "uint256"+strings.Repeat("[]", 40)), deep); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("deep nesting: %v", err)
	}
	if _, err := ParseValue(mustType(t, "string"), strings.Repeat("x", MaxArgLen+1)); err == nil {
		t.Error("an oversized argument was accepted")
	}
}

func TestParseArgs(t *testing.T) {
	m, err := ParseSignature("transfer(address to, uint256 amount)")
	if err != nil {
		t.Fatal(err)
	}
	vals, err := ParseArgs(m.Inputs, []string{"0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "5e18"})
	if err != nil || len(vals) != 2 {
		t.Fatalf("ParseArgs: %v %v", vals, err)
	}
	if _, err := ParseArgs(m.Inputs, []string{"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}); err == nil ||
		err.Error() != "want 2 argument(s) (address to, uint256 amount), got 1" {
		t.Fatalf("too few: %v", err)
	}
	_, err = ParseArgs(m.Inputs, []string{"0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "1.5"})
	var ae *ArgError
	if !errors.As(err, &ae) || ae.Index != 1 || ae.Name != "amount" ||
		!strings.HasPrefix(err.Error(), "argument 2 (amount uint256): ") {
		t.Fatalf("bad amount: %v", err)
	}
	data, err := Pack(m, []string{"0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "1"})
	if err != nil || len(data) != 4+64 || common.Bytes2Hex(data[:4]) != "a9059cbb" {
		t.Fatalf("Pack: %x %v", data, err)
	}
}

func TestParseSignature(t *testing.T) {
	for _, c := range []struct{ in, sig, outs, mut string }{
		{"transfer(address,uint256)", "transfer(address,uint256)", "", "nonpayable"},
		{"  transfer( address to , uint amount )  ", "transfer(address,uint256)", "", "nonpayable"},
		{"balanceOf(address) returns (uint256)", "balanceOf(address)", "uint256", "nonpayable"},
		{"balanceOf(address)(uint256)", "balanceOf(address)", "uint256", "nonpayable"},
		{"function balanceOf(address owner) external view returns (uint256 balance)", "balanceOf(address)", "uint256 balance", "view"},
		{"deposit() payable", "deposit()", "", "payable"},
		{"f()", "f()", "", "nonpayable"},
		{"sum(uint256[] calldata xs) pure returns (uint256)", "sum(uint256[])", "uint256", "pure"},
		{"flip((uint256 x, int256 y) p) returns ((uint256,int256))", "flip((uint256,int256))", "(uint256,int256)", "nonpayable"},
		{"g(tuple(uint8,bytes32)[2][] memory, string memory s, bytes b)", "g((uint8,bytes32)[2][],string,bytes)", "", "nonpayable"},
		{"h(int, byte)", "h(int256,bytes1)", "", "nonpayable"},
		{"get() returns (uint256, bool ok, string)", "get()", "uint256,bool ok,string", "nonpayable"},
	} {
		m, err := ParseSignature(c.in)
		if err != nil {
			t.Errorf("ParseSignature(%q): %v", c.in, err)
			continue
		}
		var outs []string
		for _, o := range m.Outputs {
			s := o.Type.String()
			if o.Name != "" {
				s += " " + o.Name
			}
			outs = append(outs, s)
		}
		if m.Sig != c.sig || strings.Join(outs, ",") != c.outs || m.StateMutability != c.mut {
			t.Errorf("ParseSignature(%q) = %s returns %v %s; want %s returns %s %s", c.in, m.Sig, outs, m.StateMutability, c.sig, c.outs, c.mut)
		}
	}
	for in, msg := range map[string]string{
		"":                           "empty",
		"transfer":                   "want ( after transfer",
		"1f()":                       "not a function name",
		"f(uint7)":                   "uint7",
		"f(uint)x":                   `unexpected "x"`,
		"f(bytes33)":                 "bytesN takes N from 1 to 32",
		"f(uint256":                  "want \")\"",
		"f(foo)":                     `unknown type "foo"`,
		"f(uint256[x])":              "array size",
		"f(uint256[0])":              "array size",
		"f(())":                      "empty tuple",
		"f(uint256) returns uint256": `want "("`,
		"f(,)":                       "want a type",
		"f(uint256,)":                "want a type",
		"f(address%)":                `want ")", got "%"`,
	} {
		if _, err := ParseSignature(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseSignature(%q) = %v, want an error mentioning %q", in, err, msg)
		}
	}
	if _, err := ParseSignature("f(" + strings.Repeat("uint256,", 1000) + "uint256)"); err == nil {
		t.Error("an oversized signature was accepted")
	}
}

func TestParseReturns(t *testing.T) {
	for in, want := range map[string]string{
		"uint256":                "uint256",
		"uint256,bool":           "uint256,bool",
		"(uint256 amount, bool)": "uint256,bool",
		"returns (uint256)":      "uint256",
		"(uint256,bool)[]":       "(uint256,bool)[]",
		"((uint256,bool))":       "(uint256,bool)",
		"address[] , string":     "address[],string",
	} {
		args, err := ParseReturns(in)
		if err != nil {
			t.Errorf("ParseReturns(%q): %v", in, err)
			continue
		}
		var got []string
		for _, a := range args {
			got = append(got, a.Type.String())
		}
		if strings.Join(got, ",") != want {
			t.Errorf("ParseReturns(%q) = %v, want %s", in, got, want)
		}
	}
	for _, in := range []string{"uint7", "(uint256", "uint256)", "uint256 uint256 uint256"} {
		if _, err := ParseReturns(in); err == nil {
			t.Errorf("ParseReturns(%q) accepted", in)
		}
	}
}

func TestResolveMethod(t *testing.T) {
	a := loadToken(t).ABI
	m, err := ResolveMethod(&a, "balanceOf", "")
	if err != nil || m.Sig != "balanceOf(address)" || len(m.Outputs) != 1 || !m.IsConstant() {
		t.Fatalf("by name: %v %v", m, err)
	}
	// A signature finds the ABI's function, with its names and outputs.
	m, err = ResolveMethod(&a, "transfer(address,uint256)", "")
	if err != nil || m.Inputs[0].Name != "to" || len(m.Outputs) != 1 {
		t.Fatalf("by signature: %v %v", m, err)
	}
	// Overloads need the signature.
	if _, err := ResolveMethod(&a, "transfer", ""); err == nil ||
		!strings.Contains(err.Error(), "overloaded") || !strings.Contains(err.Error(), "transfer(address,uint256,bytes)") {
		t.Fatalf("overloaded: %v", err)
	}
	if _, err := ResolveMethod(&a, "nope", ""); err == nil || !strings.Contains(err.Error(), "balanceOf") {
		t.Fatalf("unknown: %v", err)
	}
	// No ABI: only a signature works, and --returns adds outputs.
	if _, err := ResolveMethod(nil, "balanceOf", ""); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("bare name without ABI: %v", err)
	}
	m, err = ResolveMethod(nil, "balanceOf(address)", "uint256")
	if err != nil || len(m.Outputs) != 1 || m.Outputs[0].Type.String() != "uint256" {
		t.Fatalf("signature with --returns: %v %v", m, err)
	}
	// A signature the ABI lacks still works on its own.
	m, err = ResolveMethod(&a, "owner2() returns (address)", "")
	if err != nil || m.Sig != "owner2()" || len(m.Outputs) != 1 {
		t.Fatalf("signature outside the ABI: %v %v", m, err)
	}
}

func TestFixedArrayBound(t *testing.T) {
	if _, err := ParseSignature("f(uint8[256][256])"); err != nil {
		t.Fatalf("65536 elements: %v", err)
	}
	for _, s := range []string{"f(uint8[256][257])", "f((uint8[65536],bool[2]))", "f(uint8[65536][65536][65536][65536][65536])"} {
		if _, err := ParseSignature(s); err == nil || !strings.Contains(err.Error(), "65536") {
			t.Errorf("ParseSignature(%q) = %v, want the array refused", s, err)
		}
	}
	huge := `[{"type":"function","name":"f","inputs":[],"outputs":[{"type":"uint8[65536][65536]","name":""}]}]`
	if _, err := ParseABI([]byte(huge)); err == nil || !strings.Contains(err.Error(), "65536") {
		t.Errorf("an ABI with a huge array: %v", err)
	}
}

func TestParseIntegerDigitBound(t *testing.T) {
	if _, err := ParseInteger(strings.Repeat("1", 161)); err == nil || !strings.Contains(err.Error(), "more than 160 digits") {
		t.Fatalf("161 digits: %v", err)
	}
	// Leading zeros and a long fraction within the bound are fine.
	if n, err := ParseInteger("0000000001." + strings.Repeat("0", 100) + "e3"); err != nil || n.Int64() != 1000 {
		t.Fatalf("zeros: %v %v", n, err)
	}
}
