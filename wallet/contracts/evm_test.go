package contracts

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/crypto"
)

func loadToken(t *testing.T) *Artifact {
	t.Helper()
	a, err := LoadArtifact("testdata/out/Token.sol/Token.json", "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tokenEVM runs the fixture Token in go-ethereum's bare EVM (the test's
// only use of it: the package itself links no EVM), so encoding and
// decoding are checked against the real contract.
type tokenEVM struct {
	t    *testing.T
	a    *Artifact
	cfg  *runtime.Config
	addr common.Address
}

var (
	owner = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	bob   = common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
)

func deployToken(t *testing.T, supply string) *tokenEVM {
	t.Helper()
	a := loadToken(t)
	code, err := PackConstructor(a, []string{supply})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &runtime.Config{Origin: owner, GasLimit: 30_000_000}
	_, addr, _, err := runtime.Create(code, cfg)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return &tokenEVM{t: t, a: a, cfg: cfg, addr: addr}
}

// call runs fn with args from the owner and returns the return data and
// the revert data (nil when it did not revert).
func (e *tokenEVM) call(fn string, args ...string) (ret []byte, m string, reverted bool) {
	e.t.Helper()
	meth, err := ResolveMethod(&e.a.ABI, fn, "")
	if err != nil {
		e.t.Fatal(err)
	}
	data, err := Pack(meth, args)
	if err != nil {
		e.t.Fatal(err)
	}
	ret, _, err = runtime.Call(e.addr, data, e.cfg)
	if errors.Is(err, vm.ErrExecutionReverted) {
		return ret, meth.Sig, true
	}
	if err != nil {
		e.t.Fatalf("%s: %v", fn, err)
	}
	vals, err := DecodeOutputs(meth, ret)
	if err != nil {
		e.t.Fatal(err)
	}
	return ret, Format(vals), false
}

func TestTokenInEVM(t *testing.T) {
	e := deployToken(t, "1000000e18")
	if _, out, _ := e.call("balanceOf", owner.Hex()); out != "1000000000000000000000000" {
		t.Fatalf("balanceOf(owner) = %s", out)
	}
	if _, out, _ := e.call("transfer(address,uint256)", bob.Hex(), "1.5e18"); out != "true" {
		t.Fatalf("transfer = %s", out)
	}
	if _, out, _ := e.call("balanceOf", bob.Hex()); out != "1500000000000000000" {
		t.Fatalf("balanceOf(bob) = %s", out)
	}
	if _, out, _ := e.call("name"); out != `"Token"` {
		t.Fatalf("name = %s", out)
	}
	if _, out, _ := e.call("sum", "[1, 2, 3e3]"); out != "total: 3003" {
		t.Fatalf("sum = %s", out)
	}
	if _, out, _ := e.call("flip", "(5, -7)"); out != "(x: 7, y: 5)" {
		t.Fatalf("flip = %s", out)
	}
	tag := "0x" + strings.Repeat("ab", 32)
	if _, out, _ := e.call("echo", tag, "true", "-3"); out != tag+", true, -3" {
		t.Fatalf("echo = %s", out)
	}

	// The events it logged, decoded with its ABI.
	var got []string
	for _, l := range e.cfg.State.Logs() {
		ev, err := DecodeLog(&e.a.ABI, l.Topics, l.Data)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.String())
	}
	want := []string{
		"Transfer(from: 0x0000000000000000000000000000000000000000, to: " + owner.Hex() + ", value: 1000000000000000000000000)",
		"Transfer(from: " + owner.Hex() + ", to: " + bob.Hex() + ", value: 1500000000000000000)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// An indexed string comes back as its hash.
	e.call("rename", "Coin")
	logs := e.cfg.State.Logs()
	ev, err := DecodeLog(&e.a.ABI, logs[len(logs)-1].Topics, logs[len(logs)-1].Data)
	if err != nil {
		t.Fatal(err)
	}
	hash := crypto.Keccak256Hash([]byte("Token"))
	if ev.String() != "Renamed(oldName: keccak256 "+hash.Hex()+`, newName: "Coin")` || !ev.Args[0].Hashed {
		t.Fatalf("Renamed = %s", ev)
	}
	js, err := json.Marshal(ev)
	if err != nil || !strings.Contains(string(js), `"hashed":true`) || !strings.Contains(string(js), `"value":"Coin"`) {
		t.Fatalf("Renamed as JSON: %s %v", js, err)
	}
}

func TestTokenRevertsInEVM(t *testing.T) {
	e := deployToken(t, "10")
	for _, c := range []struct {
		fn   string
		args []string
		kind string
		want string
	}{
		{"transfer(address,uint256)", []string{bob.Hex(), "11"}, RevertCustom, "TooLow(got: 10, want: 11)"},
		{"rename", []string{""}, RevertError, "empty name"},
		{"divide", []string{"1", "0"}, RevertPanic, "panic 0x12: division or modulo by zero"},
	} {
		ret, _, reverted := e.call(c.fn, c.args...)
		if !reverted {
			t.Fatalf("%s did not revert", c.fn)
		}
		r := ParseRevert(ret, &e.a.ABI)
		if r.Kind != c.kind || r.String() != c.want || DecodeRevert(ret, &e.a.ABI) != c.want {
			t.Errorf("%s reverted with %s %q, want %s %q", c.fn, r.Kind, r, c.kind, c.want)
		}
	}
	// The custom error without its ABI is shown by its selector.
	ret, _, _ := e.call("transfer(address,uint256)", bob.Hex(), "11")
	if got := DecodeRevert(ret, nil); !strings.HasPrefix(got, "custom error 0x") || !strings.Contains(got, "not in the ABI") {
		t.Errorf("custom error without the ABI: %q", got)
	}
	r := ParseRevert(ret, &e.a.ABI)
	js, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(js), `"error":"TooLow(uint256,uint256)"`) || !strings.Contains(string(js), `"value":"11"`) {
		t.Errorf("revert as JSON: %s %v", js, err)
	}
	if r.Args[1].Value.(*big.Int).Int64() != 11 {
		t.Errorf("TooLow.want = %v", r.Args[1].Value)
	}
}
