package contracts

import (
	"context"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
	"cairn/wallet"
	"cairn/wallet/contracts"

	tea "charm.land/bubbletea/v2"
	"github.com/ethereum/go-ethereum/accounts/abi"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

var fast = []wallet.Option{wallet.WithKDFIterations(1000), wallet.WithKeystoreScrypt(2, 1)}

var (
	tokenAddr = ethcommon.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	foundry   = "../../wallet/contracts/testdata/out/Token.sol/Token.json"
	combined  = "../../wallet/contracts/testdata/combined.json"
)

type env struct {
	c    *common.Common
	node *fakenode.Node
	s    common.Screen
}

// setup opens the dev wallet over the fake node with an address book
// holding Token (from the Foundry fixture), in a w x h terminal.
func setup(t *testing.T, width, height int) *env {
	t.Helper()
	home := t.TempDir()
	w, err := wallet.Create(filepath.Join(home, "wallet.json"), wallet.DevMnemonic, "", "pw", fast...)
	if err != nil {
		t.Fatal(err)
	}
	art, err := contracts.LoadArtifact(foundry, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := contracts.OpenBook(home)
	if err != nil {
		t.Fatal(err)
	}
	tx := ethcommon.HexToHash("0x8bb2000000000000000000000000000000000000000000000000000000042c2")
	if err := b.Add(contracts.Entry{Name: "Token", Address: tokenAddr, ABI: art.RawABI, TxHash: &tx}); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	node := fakenode.New()
	c := common.NewCommon()
	c.Node, c.Wallet, c.Home = node, w, "/home/user/.cairn"
	c.Width, c.Height = width, height-4
	c.Now = func() time.Time { return time.UnixMilli(fakenode.T0 + 12_000) }
	c.Status, _ = node.Status(context.Background())
	m := New(c).(*Model)
	m.book, _ = contracts.OpenBook(home) // the home shown is the fixed one, for the goldens
	return &env{c: c, node: node, s: tuitest.Init(t, m)}
}

func (e *env) drive(t *testing.T, msgs ...tea.Msg) {
	t.Helper()
	e.s, _ = tuitest.Drive(t, e.s, msgs...)
}

func (e *env) model() *Model { return e.s.(*Model) }

func (e *env) view() string { return tuitest.Plain(e.s.View()) }

func (e *env) must(t *testing.T, want ...string) {
	t.Helper()
	v := e.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			t.Fatalf("the screen lacks %q:\n%s", w, v)
		}
	}
}

func golden(t *testing.T, e *env) {
	t.Helper()
	tuitest.Fits(t, e.s.View(), e.c.Width, e.c.Height)
	tuitest.Golden(t, e.s.View())
}

// openToken opens Token's page from the list.
func openToken(t *testing.T, e *env) {
	t.Helper()
	e.drive(t, tuitest.Keys("down", "enter")...)
	if m := e.model(); m.mode != modePage || m.page.entry.Name != "Token" {
		t.Fatalf("mode %d, want Token's page", m.mode)
	}
}

// selectFn moves the page's cursor to the function with this signature.
func selectFn(t *testing.T, e *env, sig string) {
	t.Helper()
	p := e.model().page
	for i, fn := range p.methods {
		if fn.Sig == sig {
			p.cur = i
			e.model().cache.Invalidate()
			return
		}
	}
	t.Fatalf("no function %s", sig)
}

func TestGoldenList(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) { golden(t, setup(t, w, h)) })
}

func TestGoldenPage(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		openToken(t, e)
		golden(t, e)
	})
}

func TestGoldenPageWithEvents(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		openToken(t, e)
		p := e.model().page
		for i := range 12 {
			tx := ethcommon.BigToHash(big.NewInt(int64(0xabc000 + i)))
			p.events = append(p.events, eventRow{height: uint64(1200 + i), tx: tx,
				text: "Transfer(from: 0xf39F…2266, to: 0x7099…79C8, value: 5000000000000000000)"})
		}
		e.model().cache.Invalidate()
		golden(t, e)
	})
}

func TestGoldenDeployForm(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Key("n"))
		e.drive(t, tuitest.Typed(foundry, "enter")...)
		e.drive(t, tuitest.Type("1000e18")...)
		golden(t, e)
	})
}

func TestGoldenDeployConfirm(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Key("n"))
		e.drive(t, tuitest.Typed(foundry, "enter")...)
		e.drive(t, tuitest.Typed("1000e18", "enter")...)
		if e.model().mode != modeConfirm {
			t.Fatalf("not at the confirm step:\n%s", e.view())
		}
		golden(t, e)
	})
}

func TestDeploySignsTheCreationCode(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("n"))
	e.drive(t, tuitest.Typed(foundry, "enter")...)
	e.drive(t, tuitest.Typed("1000e18", "enter")...)
	e.settle(t, tuitest.Key("y")) // its spinner turns until a block includes it
	if len(e.node.Sent) != 1 {
		t.Fatalf("sent %d transactions", len(e.node.Sent))
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(e.node.Sent[0]); err != nil {
		t.Fatal(err)
	}
	art, _ := contracts.LoadArtifact(foundry, "")
	want, _ := contracts.PackConstructor(art, []string{"1000e18"})
	if tx.To() != nil || string(tx.Data()) != string(want) {
		t.Fatalf("to %v, data %d bytes, want a deploy of %d bytes", tx.To(), len(tx.Data()), len(want))
	}
	e.must(t, "✓ Sent", "Waiting for a block to include it…", "Then it goes into the address book")
	if len(e.model().deploys) != 1 {
		t.Fatal("the deploy is not followed")
	}
}

func TestAnAmbiguousArtifactAsksForTheContract(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("n"))
	e.drive(t, tuitest.Typed(combined, "enter")...)
	m := e.model()
	if m.mode != modeForm || m.form.Focus != 1 || !strings.Contains(m.err, "Token") {
		t.Fatalf("mode %d focus %d err %q", m.mode, m.form.Focus, m.err)
	}
	e.drive(t, tuitest.Typed("Token", "enter")...)
	e.must(t, "supply uint256")
	e.drive(t, tuitest.Key("esc"))
	e.drive(t, tuitest.Key("n"))
	e.drive(t, tuitest.Typed("/no/such/file.json", "enter")...)
	if m := e.model(); m.mode != modeForm || m.err == "" {
		t.Fatalf("a missing file: mode %d err %q", m.mode, m.err)
	}
}

func TestReadCallsDecodeTheResult(t *testing.T) {
	e := setup(t, 120, 40)
	openToken(t, e)
	selectFn(t, e, "balanceOf(address)")
	e.drive(t, tuitest.Key("enter"))
	e.drive(t, tuitest.Typed("0x123", "enter")...)
	if m := e.model(); m.mode != modeForm || !strings.Contains(m.err, "40 hex digits") {
		t.Fatalf("a short address: mode %d err %q", m.mode, m.err)
	}
	e.model().form.Inputs[0].SetValue(chain.DevnetAccounts[0].Hex())
	e.drive(t, tuitest.Key("enter"))
	e.must(t, "✓ balanceOf("+chain.DevnetAccounts[0].Hex()+") = 0")
	if len(e.node.Sent) != 0 {
		t.Fatal("a read call sent a transaction")
	}
}

func TestRevertsAreDecodedWithTheABI(t *testing.T) {
	e := setup(t, 120, 40)
	openToken(t, e)
	a := e.model().page.abi
	data, err := a.Errors["TooLow"].Inputs.Pack(big.NewInt(3), big.NewInt(5))
	if err != nil {
		t.Fatal(err)
	}
	e.node.CallRevert = "execution reverted"
	id := a.Errors["TooLow"].ID
	e.node.CallRevertData = append(append([]byte(nil), id[:4]...), data...)

	selectFn(t, e, "transfer(address,uint256)")
	e.drive(t, tuitest.Key("enter"))
	e.drive(t, tuitest.Typed(chain.DevnetAccounts[1].Hex(), "tab")...)
	e.drive(t, tuitest.Typed("5", "enter")...)
	e.must(t, "The transaction would fail: TooLow(got: 3, want: 5)")
	if len(e.node.Sent) != 0 || e.model().mode != modeForm {
		t.Fatal("a reverting call went on")
	}

	e.drive(t, tuitest.Key("esc"))
	selectFn(t, e, "divide(uint256,uint256)")
	e.node.CallRevertData = panicData(t, 0x12)
	e.drive(t, tuitest.Key("enter"))
	e.drive(t, tuitest.Typed("1", "tab")...)
	e.drive(t, tuitest.Typed("0", "enter")...)
	e.must(t, "divide(1, 0) reverted: ", "division")
}

func TestAddPutsAContractInTheBook(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("a"))
	e.drive(t, tuitest.Typed("Other", "enter")...)
	e.drive(t, tuitest.Typed("0x00000000000000000000000000000000000c0ffe", "enter")...)
	e.drive(t, tuitest.Typed(foundry, "enter")...)
	m := e.model()
	if m.mode != modePage || m.page.entry.Name != "Other" {
		t.Fatalf("mode %d err %q", m.mode, m.err)
	}
	if got, ok := m.book.Lookup("Other"); !ok || got.Address != ethcommon.HexToAddress("0xc0ffe") {
		t.Fatalf("the book has %+v", got)
	}
	reopened, err := contracts.OpenBookFile(m.book.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := reopened.Lookup("Other"); !ok {
		t.Fatal("the address book file lacks the added contract")
	}
}

func TestTheBuiltInStakingContractOpens(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("enter"))
	e.must(t, "Staking", "delegate(address validator) payable", "pendingRewards(")
}

func panicData(t *testing.T, code int64) []byte {
	t.Helper()
	uint256, _ := abi.NewType("uint256", "", nil)
	enc, err := abi.Arguments{{Type: uint256}}.Pack(big.NewInt(code))
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{0x4e, 0x48, 0x7b, 0x71}, enc...)
}
