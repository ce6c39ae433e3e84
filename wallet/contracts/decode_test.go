package contracts

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// roundTrip parses in as typ, encodes it, decodes it and writes it back.
func roundTrip(t *testing.T, typ, in string) (string, string) {
	t.Helper()
	ty := mustType(t, typ)
	v, err := ParseValue(ty, in)
	if err != nil {
		t.Fatal(err)
	}
	args := abi.Arguments{{Name: "v", Type: ty}}
	enc, err := args.Pack(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := args.Unpack(enc)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(Values(args, out)[0])
	if err != nil {
		t.Fatal(err)
	}
	return Text(ty, out[0]), string(js)
}

func TestTextAndJSON(t *testing.T) {
	for _, c := range []struct{ typ, in, text, json string }{
		{"uint256", "5e18", "5000000000000000000", `{"name":"v","type":"uint256","value":"5000000000000000000"}`},
		{"int16", "-3", "-3", `{"name":"v","type":"int16","value":"-3"}`},
		{"address", strings.ToLower(bob.Hex()), bob.Hex(), `{"name":"v","type":"address","value":"` + bob.Hex() + `"}`},
		{"bool", "true", "true", `{"name":"v","type":"bool","value":true}`},
		{"string", "hi \"x\"", `"hi \"x\""`, `{"name":"v","type":"string","value":"hi \"x\""}`},
		{"bytes", "0xdead", "0xdead", `{"name":"v","type":"bytes","value":"0xdead"}`},
		{"bytes2", "0xbeef", "0xbeef", `{"name":"v","type":"bytes2","value":"0xbeef"}`},
		{"uint8[]", "[1,2]", "[1, 2]", `{"name":"v","type":"uint8[]","value":["1","2"]}`},
		{"(uint256 a, bool b)", "(1,true)", "(a: 1, b: true)", `{"name":"v","type":"(uint256,bool)","value":{"a":"1","b":true}}`},
		{"(uint256,bool)", "(1,true)", "(1, true)", `{"name":"v","type":"(uint256,bool)","value":["1",true]}`},
	} {
		text, js := roundTrip(t, c.typ, c.in)
		if text != c.text || js != c.json {
			t.Errorf("%s %q: text %s json %s; want %s and %s", c.typ, c.in, text, js, c.text, c.json)
		}
	}
}

func TestDecodeOutputs(t *testing.T) {
	m, err := ParseSignature("balanceOf(address) returns (uint256 balance)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeOutputs(m, nil); err == nil || !strings.Contains(err.Error(), "is there a contract") {
		t.Fatalf("no data: %v", err)
	}
	if _, err := DecodeOutputs(m, []byte{1, 2}); err == nil || !strings.Contains(err.Error(), "decode the result of balanceOf(address)") {
		t.Fatalf("short data: %v", err)
	}
	vals, err := DecodeOutputs(m, common.LeftPadBytes([]byte{7}, 32))
	if err != nil || Format(vals) != "balance: 7" {
		t.Fatalf("decode: %v %v", vals, err)
	}
	none, _ := ParseSignature("f()")
	if vals, err := DecodeOutputs(none, []byte{1}); vals != nil || err != nil {
		t.Fatalf("no outputs: %v %v", vals, err)
	}
}

func TestDecodeLogErrors(t *testing.T) {
	a := loadToken(t).ABI
	transfer := a.Events["Transfer"].ID
	if _, err := DecodeLog(&a, nil, nil); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("no topics: %v", err)
	}
	if _, err := DecodeLog(&a, []common.Hash{{1}}, nil); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := DecodeLog(nil, []common.Hash{transfer}, nil); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("no ABI: %v", err)
	}
	if _, err := DecodeLog(&a, []common.Hash{transfer, {}}, nil); err == nil || !strings.Contains(err.Error(), "1 indexed topics, the event 2") {
		t.Errorf("topic count: %v", err)
	}
	if _, err := DecodeLog(&a, []common.Hash{transfer, {}, {}}, []byte{1}); err == nil || errors.Is(err, ErrUnknownEvent) {
		t.Errorf("short data: %v", err)
	}
	if e, err := FindEvent(&a, "Transfer"); err != nil || e.ID != transfer {
		t.Errorf("FindEvent by name: %v", err)
	}
	if e, err := FindEvent(&a, "Transfer(address, address, uint256)"); err != nil || e.ID != transfer {
		t.Errorf("FindEvent by signature: %v", err)
	}
	if _, err := FindEvent(&a, "Nope"); err == nil || !strings.Contains(err.Error(), "Renamed(string,string)") {
		t.Errorf("FindEvent unknown: %v", err)
	}
}

func TestDecodeRevertEdges(t *testing.T) {
	errSel := crypto.Keccak256([]byte("Error(string)"))[:4]
	panicSel := crypto.Keccak256([]byte("Panic(uint256)"))[:4]
	word := func(n int64) []byte { return common.LeftPadBytes(big.NewInt(n).Bytes(), 32) }
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, c := range []struct {
		data       []byte
		kind, want string
	}{
		{nil, RevertEmpty, "no reason given"},
		{[]byte{1, 2}, RevertUnknown, "revert data 0x0102"},
		{cat(errSel, word(32), word(2), []byte("hi"), make([]byte, 30)), RevertError, "hi"},
		{cat(errSel, word(32)), RevertUnknown, "custom error 0x08c379a0"},
		{cat(panicSel, word(0x11)), RevertPanic, "panic 0x11: arithmetic overflow or underflow"},
		{cat(panicSel, word(0x01)), RevertPanic, "panic 0x1: assertion failed"},
		{cat(panicSel, word(0x99)), RevertPanic, "panic 0x99: unknown panic code"},
		{cat(panicSel, []byte{1}), RevertUnknown, "custom error 0x4e487b71"},
		{[]byte{0xde, 0xad, 0xbe, 0xef}, RevertUnknown, "custom error 0xdeadbeef, not in the ABI (data 0xdeadbeef)"},
	} {
		r := ParseRevert(c.data, nil)
		if r.Kind != c.kind || !strings.HasPrefix(r.String(), c.want) {
			t.Errorf("ParseRevert(%s) = %s %q, want %s %q", hexutil.Encode(c.data), r.Kind, r, c.kind, c.want)
		}
	}
	// A custom error whose data does not decode is unknown, not a panic.
	a := loadToken(t).ABI
	tooLowID := a.Errors["TooLow"].ID
	tooLow := tooLowID[:4]
	if r := ParseRevert(cat(tooLow, word(1)), &a); r.Kind != RevertUnknown {
		t.Errorf("short custom error: %s %q", r.Kind, r)
	}
	if r := ParseRevert(cat(tooLow, word(1), word(5)), &a); r.String() != "TooLow(got: 1, want: 5)" {
		t.Errorf("custom error: %q", r)
	}
}
