package contracts

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// The fuzz targets hold the package to its promise: any input is a value
// or an error, never a panic.

func FuzzParseSignature(f *testing.F) {
	for _, s := range []string{"transfer(address,uint256)", "f((uint256 x,int8[2])[] p) view returns (bytes32, string s)",
		"balanceOf(address)(uint256)", "g(tuple(uint8,(bool,bytes)[])[3])", "f(uint", "f(()", "f(uint8[65536][65536])"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseSignature(s)
		if err == nil && len(m.ID) != 4 {
			t.Fatalf("%q: a method without a selector", s)
		}
		_, _ = ParseReturns(s)
	})
}

func FuzzParseValue(f *testing.F) {
	for _, c := range [][2]string{{"uint256", "5e18"}, {"int8", "-128"}, {"address", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"},
		{"bytes4", "0x01020304"}, {"string[]", `["a,b", "c"]`}, {"(uint256,(bool,string))[]", `[(1,(true,"x"))]`},
		{"uint8[2][]", "[[1,2],[3,4]]"}, {"bytes", "0x"}, {"bool", "true"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, typ, in string) {
		ty, err := ParseType(typ)
		if err != nil {
			return
		}
		v, err := ParseValue(ty, in)
		if err != nil {
			return
		}
		// What ParseValue accepts, accounts/abi encodes, and decodes back.
		args := abi.Arguments{{Name: "v", Type: ty}}
		enc, err := args.Pack(v)
		if err != nil {
			t.Fatalf("ParseValue(%s, %q) gave %v, which does not pack: %v", typ, in, v, err)
		}
		out, err := args.Unpack(enc)
		if err != nil {
			t.Fatalf("%s %q: packed value does not unpack: %v", typ, in, err)
		}
		_ = Text(ty, out[0])
		_ = JSONValue(ty, out[0])
	})
}

func FuzzParseArtifact(f *testing.F) {
	for _, p := range []string{"testdata/combined.json", "testdata/standard-output.json"} {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b, "Token")
		}
	}
	f.Add([]byte(`{"abi": [{"type":"function","name":"f","inputs":[{"type":"uint256"}],"outputs":[]}], "bytecode": {"object": "0x6000"}}`), "")
	f.Add([]byte(`{"contractName":"T","abi":[],"bytecode":"0x00"}`), "T")
	f.Add([]byte(`[{"type":"error","name":"E","inputs":[{"type":"tuple","components":[{"name":"a","type":"uint8[3]"}]}]}]`), "")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		a, err := ParseArtifact(data, name, "X")
		if err != nil {
			return
		}
		if _, err := ParseABI(a.RawABI); err != nil {
			t.Fatalf("an artifact's RawABI does not parse back: %v", err)
		}
		_, _ = PackConstructor(a, nil)
	})
}

func FuzzDecode(f *testing.F) {
	a := mustFixtureABI(f)
	transfer := a.Events["Transfer"].ID
	f.Add([]byte{}, uint8(0))
	f.Add(append(a.Errors["TooLow"].ID.Bytes()[:4], make([]byte, 64)...), uint8(3))
	f.Add(append(transfer.Bytes(), make([]byte, 96)...), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, ntopics uint8) {
		_ = DecodeRevert(data, a)
		_ = DecodeRevert(data, nil)
		var topics []common.Hash
		rest := data
		for i := 0; i < int(ntopics%5) && len(rest) >= 32; i++ {
			topics = append(topics, common.BytesToHash(rest[:32]))
			rest = rest[32:]
		}
		if ntopics%2 == 1 && len(topics) > 0 {
			topics[0] = transfer // reach the decoder, not just the lookup
		}
		if ev, err := DecodeLog(a, topics, rest); err == nil {
			_ = ev.String()
		}
		for _, m := range a.Methods {
			if vals, err := DecodeOutputs(m, data); err == nil {
				_ = Format(vals)
			}
		}
	})
}

func FuzzOpenBook(f *testing.F) {
	f.Add([]byte(`{"version": 1, "contracts": [{"name": "T", "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "abi": []}]}`))
	f.Add([]byte(`{"version": 1, "contracts": []}`))
	f.Add([]byte(`{"version": 1, "contracts": [{"name": "T", "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "abi": [{"type":"event","name":"E","inputs":[{"type":"string","indexed":true,"name":"s"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		home := t.TempDir()
		if err := os.WriteFile(filepath.Join(home, BookFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := OpenBook(home)
		if err != nil {
			return
		}
		// A book that opens saves and opens again the same.
		if err := b.Save(); err != nil {
			t.Fatal(err)
		}
		again, err := OpenBook(home)
		if err != nil {
			t.Fatalf("a saved book does not open: %v", err)
		}
		x, y := b.List(), again.List()
		if len(x) != len(y) {
			t.Fatalf("%d entries saved, %d read back", len(x), len(y))
		}
		for i := range x {
			if x[i].Name != y[i].Name || x[i].Address != y[i].Address || !bytes.Equal(compactJSON(x[i].ABI), compactJSON(y[i].ABI)) {
				t.Fatalf("entry %d changed: %+v then %+v", i, x[i], y[i])
			}
		}
	})
}

func mustFixtureABI(f *testing.F) *abi.ABI {
	a, err := LoadArtifact("testdata/out/Token.sol/Token.json", "")
	if err != nil {
		f.Fatal(err)
	}
	return &a.ABI
}
