package jump

import (
	"fmt"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/chain/staking/stakingabi"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

var testNames = []Name{
	{Name: "Token", Addr: ethcommon.HexToAddress("0x1000000000000000000000000000000000000001"), Kind: NameContract},
	{Name: "treasury", Addr: ethcommon.HexToAddress("0x2000000000000000000000000000000000000002"), Kind: NameAccount},
	{Name: "validator-1", Addr: chain.DevnetAccounts[0], Kind: NameValidator},
	{Name: "dev", Addr: chain.DevnetAccounts[0], Kind: NameAccount},
}

func TestParse(t *testing.T) {
	hash := crypto.Keccak256Hash([]byte("x"))
	addr := chain.DevnetAccounts[1]
	for _, c := range []struct {
		in   string
		want Target
		err  string
	}{
		{in: "12", want: Target{Kind: Height, Height: 12}},
		{in: " #1,234 ", want: Target{Kind: Height, Height: 1234}},
		{in: "1_000", want: Target{Kind: Height, Height: 1000}},
		{in: "0", want: Target{Kind: Height}},
		{in: hash.Hex(), want: Target{Kind: Hash, Hash: hash}},
		{in: strings.ToUpper(hash.Hex()[2:]), err: "no height, hash, address"},
		{in: "0X" + strings.ToUpper(hash.Hex()[2:]), want: Target{Kind: Hash, Hash: hash}},
		{in: addr.Hex(), want: Target{Kind: Address, Addr: addr}},
		{in: strings.ToLower(addr.Hex()), want: Target{Kind: Address, Addr: addr}},
		{in: "TOKEN", want: Target{Kind: Address, Addr: testNames[0].Addr, Name: &testNames[0]}},
		{in: "treasury", want: Target{Kind: Address, Addr: testNames[1].Addr, Name: &testNames[1]}},
		{in: "", err: "type a block height"},
		{in: "99999999999999999999999", err: "out of range"},
		{in: "0x1234", err: "has 4 hex digits: a hash has 64, an address 40"},
		{in: "0xzz", err: "not hexadecimal"},
		{in: "tre", err: `"tre" is not a name; tab completes: treasury`},
		{in: "garbage!", err: `"garbage!" is no height, hash, address or known name`},
	} {
		got, err := Parse(c.in, testNames)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Parse(%q) = %v, %v; want error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got.Kind != c.want.Kind || got.Height != c.want.Height || got.Hash != c.want.Hash || got.Addr != c.want.Addr ||
			(c.want.Name != nil && (got.Name == nil || *got.Name != *c.want.Name)) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	// An address typed in hex takes its known name, a contract's or a
	// validator's before an account's (the jump goes to their screens).
	got, _ := Parse(chain.DevnetAccounts[0].Hex(), testNames)
	if got.Name == nil || got.Name.Kind != NameValidator {
		t.Fatalf("the devnet operator should be known as a validator: %+v", got.Name)
	}
}

func TestCandidates(t *testing.T) {
	names := append(testNames, Name{Name: "Token", Kind: NameContract}, Name{Name: "tokenomics", Kind: NameAccount})
	if got := fmt.Sprint(Candidates("to", names)); got != "[Token tokenomics]" {
		t.Fatalf("candidates of to: %s", got)
	}
	if got := Candidates("", names); len(got) != 5 {
		t.Fatalf("every name completes from nothing: %v", got)
	}
	if got := Candidates("zz", names); got != nil {
		t.Fatalf("no candidates: %v", got)
	}
}

// prompt returns an open prompt over the fake node with names.
func prompt(t *testing.T, names ...Name) (*Model, *fakenode.Node) {
	t.Helper()
	node := fakenode.New()
	c := common.NewCommon()
	c.Node = node
	p := New(c)
	p.Start()
	p.names = append(p.names, names...)
	return p, node
}

// enter types s into the prompt, presses enter and runs the lookup.
func enter(t *testing.T, p *Model, s string) *ResultMsg {
	t.Helper()
	p.input.SetValue(s)
	cmd, _ := p.Update(tuitest.Key("enter"))
	if cmd == nil {
		return nil
	}
	_, found := p.Update(cmd())
	return found
}

func TestCompletion(t *testing.T) {
	p, _ := prompt(t, testNames...)
	press := func(keys ...string) {
		for _, k := range keys {
			p.Update(tuitest.Key(k))
		}
	}
	press("t", "tab")
	if v := p.input.Value(); v != "t" || p.err != "" || len(p.cands) != 2 {
		t.Fatalf("two names start with t (Token, treasury): nothing to add, both offered; got %q %q %v", v, p.err, p.cands)
	}
	if v := tuitest.Plain(p.View(120)); !strings.Contains(v, "tab: Token · treasury") {
		t.Fatalf("the prompt should offer the candidates: %q", v)
	}
	press("tab")
	if v := p.input.Value(); v != "Token" {
		t.Fatalf("tab again takes the first: %q", v)
	}
	press("tab")
	if v := p.input.Value(); v != "treasury" {
		t.Fatalf("and then the next: %q", v)
	}
	p.input.SetValue("")
	press("v", "a", "tab")
	if v := p.input.Value(); v != "validator-1" {
		t.Fatalf("one name completes at once: %q", v)
	}
	p.input.SetValue("")
	press("q", "tab")
	if !strings.Contains(p.err, `no known name starts with "q"`) {
		t.Fatalf("no candidate: %q", p.err)
	}
	press("esc")
	if p.Open() {
		t.Fatal("esc closes the prompt")
	}
}

func TestResolve(t *testing.T) {
	p, node := prompt(t, testNames...)
	b5, _ := node.Block(t.Context(), "5", true)
	tx := b5.Transactions[0]
	stranger := ethcommon.HexToAddress("0x00000000000000000000000000000000000c0ffe")

	for _, c := range []struct {
		in     string
		screen Screen
		kind   common.ShowKind
		check  func(common.ShowMsg) bool
	}{
		{"5", ToBlocks, common.ShowBlock, func(s common.ShowMsg) bool { return s.Block.Height == 5 && len(s.Block.FullTransactions) == 1 }},
		{b5.Hash.Hex(), ToBlocks, common.ShowBlock, func(s common.ShowMsg) bool { return s.Block.Hash == b5.Hash }},
		{tx.Hex(), ToBlocks, common.ShowTx, func(s common.ShowMsg) bool { return s.Tx.Hash == tx }},
		{stranger.Hex(), ToBlocks, common.ShowAccount, func(s common.ShowMsg) bool { return s.Account.Address == stranger && s.Label == "" }},
		{"treasury", ToBlocks, common.ShowAccount, func(s common.ShowMsg) bool { return s.Label == "treasury" }},
		{chain.DevnetAccounts[0].Hex(), ToStaking, common.ShowValidator, func(s common.ShowMsg) bool { return s.Address == chain.DevnetAccounts[0] }},
		{"token", ToContracts, common.ShowContract, func(s common.ShowMsg) bool { return s.Address == testNames[0].Addr }},
	} {
		p.Start()
		p.names = append(p.names, testNames...)
		found := enter(t, p, c.in)
		if found == nil || found.Screen != c.screen || found.Show.Kind != c.kind || !c.check(found.Show) {
			t.Errorf("%s: found %+v (error %q)", c.in, found, p.err)
			continue
		}
		if p.Open() {
			t.Errorf("%s: the prompt should close once found", c.in)
		}
	}

	for _, c := range []struct{ in, err string }{
		{"99", "no block at height 99"},
		{crypto.Keccak256Hash([]byte("nothing")).Hex(), "no block or transaction 0x"},
		{"garbage", "is no height, hash, address or known name"},
	} {
		p.Start()
		if found := enter(t, p, c.in); found != nil || !p.Open() || !strings.Contains(p.err, c.err) {
			t.Errorf("%s: found %+v, open %v, error %q; want the prompt open with %q", c.in, found, p.Open(), p.err, c.err)
		}
		if v := tuitest.Plain(p.View(200)); !strings.Contains(v, "✗ ") {
			t.Errorf("%s: the error should show on the prompt's line: %q", c.in, v)
		}
	}
}

func TestLoadNames(t *testing.T) {
	node := fakenode.New()
	c := common.NewCommon()
	c.Node = node
	p := New(c)
	cmd := p.Start()
	var names NamesMsg
	switch m := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range m {
			if c == nil {
				continue
			}
			if n, ok := c().(NamesMsg); ok {
				names = n
			}
		}
	case NamesMsg:
		names = m
	}
	p.Update(names)
	var staking, validator bool
	for _, n := range p.Names() {
		staking = staking || n.Name == "Staking" && n.Addr == stakingabi.Address && n.Kind == NameContract
		validator = validator || n.Kind == NameValidator && n.Addr == chain.DevnetAccounts[0]
	}
	if !staking || !validator {
		t.Fatalf("the names should hold the staking contract and the devnet validator: %+v", p.Names())
	}
}
