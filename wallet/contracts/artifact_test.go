package contracts

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures in testdata were compiled from testdata/src/Token.sol with
// solc-js 0.8.28 by testdata/src/build.js: one compilation written in the
// four shapes.
var fixtures = map[string]struct {
	path, format, name, source string
}{
	"foundry":  {"testdata/out/Token.sol/Token.json", FormatFoundry, "Token", "src/Token.sol"},
	"hardhat":  {"testdata/artifacts/contracts/Token.sol/Token.json", FormatHardhat, "Token", "contracts/Token.sol"},
	"combined": {"testdata/combined.json", FormatCombined, "Token", "src/Token.sol"},
	"standard": {"testdata/standard-output.json", FormatStandard, "Token", "src/Token.sol"},
}

func TestLoadArtifactFormats(t *testing.T) {
	var code []byte
	for kind, f := range fixtures {
		t.Run(kind, func(t *testing.T) {
			name := ""
			if kind == "combined" || kind == "standard" {
				name = "Token" // these files also hold IToken
			}
			a, err := LoadArtifact(f.path, name)
			if err != nil {
				t.Fatal(err)
			}
			if a.Format != f.format || a.Name != f.name || a.Source != f.source || a.Path != f.path {
				t.Fatalf("got format %q name %q source %q path %q, want %q %q %q", a.Format, a.Name, a.Source, a.Path, f.format, f.name, f.source)
			}
			if len(a.Bytecode) < 1000 || a.Deployable() != nil {
				t.Fatalf("bytecode %d bytes, deployable: %v", len(a.Bytecode), a.Deployable())
			}
			if _, ok := a.ABI.Methods["balanceOf"]; !ok {
				t.Fatalf("ABI lacks balanceOf: %v", a.ABI.Methods)
			}
			if _, ok := a.ABI.Errors["TooLow"]; !ok {
				t.Fatal("ABI lacks the TooLow error")
			}
			if len(a.ABI.Constructor.Inputs) != 1 || a.ABI.Constructor.Inputs[0].Type.String() != "uint256" {
				t.Fatalf("constructor inputs %v", a.ABI.Constructor.Inputs)
			}
			if _, err := ParseABI(a.RawABI); err != nil {
				t.Fatalf("RawABI does not parse back: %v", err)
			}
		})
	}
	// All four shapes carry the same compilation.
	for _, f := range fixtures {
		a, err := LoadArtifact(f.path, "Token")
		if err != nil {
			t.Fatal(err)
		}
		if code == nil {
			code = a.Bytecode
		} else if !bytes.Equal(code, a.Bytecode) {
			t.Fatalf("%s: bytecode differs from the other fixtures", f.path)
		}
	}
}

func TestLoadArtifactPicksByName(t *testing.T) {
	for _, path := range []string{"testdata/combined.json", "testdata/standard-output.json"} {
		_, err := LoadArtifact(path, "")
		var amb *AmbiguousError
		if !errors.As(err, &amb) || len(amb.Names) != 2 || amb.Names[0] != "src/Token.sol:IToken" || amb.Names[1] != "src/Token.sol:Token" {
			t.Fatalf("%s with no name: %v, want an ambiguity listing both", path, err)
		}
		if !strings.Contains(err.Error(), "src/Token.sol:IToken, src/Token.sol:Token") {
			t.Fatalf("error does not list the names: %v", err)
		}
		i, err := LoadArtifact(path, "src/Token.sol:IToken")
		if err != nil || i.Name != "IToken" {
			t.Fatalf("by qualified name: %v %+v", err, i)
		}
		if i.Deployable() == nil {
			t.Fatal("an interface is deployable")
		}
		_, err = LoadArtifact(path, "Nope")
		var nf *NotFoundError
		if !errors.As(err, &nf) || !strings.Contains(err.Error(), `no contract "Nope"`) || !strings.Contains(err.Error(), "src/Token.sol:Token") {
			t.Fatalf("unknown name: %v", err)
		}
	}
	// A bare name that two sources share needs the qualified name.
	two := `{"contracts": {"a/T.sol:T": {"abi": [], "bin": "00"}, "b/T.sol:T": {"abi": "[]", "bin": ""}}}`
	_, err := ParseArtifact([]byte(two), "T", "")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(err.Error(), "a/T.sol:T, b/T.sol:T") {
		t.Fatalf("shared name: %v", err)
	}
	// Old solc wrote the ABI as a JSON string.
	a, err := ParseArtifact([]byte(two), "b/T.sol:T", "")
	if err != nil || a.Format != FormatCombined || len(a.Bytecode) != 0 {
		t.Fatalf("string ABI: %v %+v", err, a)
	}
}

func TestParseArtifactErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{"{", "not JSON"},
		{"nonsense", "not JSON"},
		{`{"foo": 1}`, `neither an artifact`},
		{`{"abi": {}}`, "not a JSON array"},
		{`{"abi": [{"type": "function", "name": "f", "inputs": [{"type": "uint7"}]}]}`, "ABI"},
		{`{"abi": [], "bytecode": "0xzz"}`, "not hex"},
		{`{"abi": [], "bytecode": 5}`, "0x-hex string"},
		{`{"abi": [], "bytecode": {"object": "0x6080__$abcdef$__00"}}`, "unlinked library"},
		{`{"contracts": {}}`, "no contracts"},
		{`{"contracts": {}, "errors": [{"severity": "error", "message": "boom"}]}`, "boom"},
		{`{"contracts": {"T.sol:T": {"bin": "00"}}}`, `has no "abi"`},
		{`{"contracts": {"T.sol": {"T": {"evm": {}}}}}`, `has no "abi"`},
		{`[1, 2]`, "ABI"},
	} {
		_, err := ParseArtifact([]byte(c.in), "", "X")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseArtifact(%q) = %v, want an error mentioning %q", c.in, err, c.want)
		}
	}
}

func TestLoadArtifactFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadArtifact(filepath.Join(dir, "missing.json"), ""); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := LoadArtifact(dir, ""); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Fatalf("directory: %v", err)
	}
	// A bare ABI is named after its file and has nothing to deploy.
	p := filepath.Join(dir, "Token.abi")
	if err := os.WriteFile(p, []byte(`[{"type":"function","name":"f","inputs":[],"outputs":[],"stateMutability":"view"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := LoadArtifact(p, "")
	if err != nil || a.Name != "Token" || a.Format != FormatABI || a.Deployable() == nil {
		t.Fatalf("bare ABI: %v %+v", err, a)
	}
	// Foundry without metadata takes the file name.
	p = filepath.Join(dir, "Other.json")
	if err := os.WriteFile(p, []byte(`{"abi": [], "bytecode": {"object": "0x6000"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if a, err = LoadArtifact(p, ""); err != nil || a.Name != "Other" || a.Format != FormatFoundry || !bytes.Equal(a.Bytecode, []byte{0x60, 0}) {
		t.Fatalf("Foundry without metadata: %v %+v", err, a)
	}
}
