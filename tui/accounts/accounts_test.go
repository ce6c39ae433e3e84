package accounts

import (
	"context"
	"math/big"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/form"
	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

var fast = []wallet.Option{wallet.WithKDFIterations(1000), wallet.WithKeystoreScrypt(2, 1)}

const walletPassword = "wallet password"

// countingNode counts Account calls, to check that balance reloads batch.
type countingNode struct {
	*fakenode.Node
	accountCalls atomic.Int64
}

func (n *countingNode) Account(ctx context.Context, a ethcommon.Address) (*api.Account, error) {
	n.accountCalls.Add(1)
	return n.Node.Account(ctx, a)
}

type env struct {
	c    *common.Common
	node *countingNode
	w    *wallet.Wallet
	s    common.Screen
}

// setup opens a dev-mnemonic wallet with Account 1 (default), "Savings"
// (index 1) and "Cold" (index 2) over the fake node, in a w x h terminal.
func setup(t *testing.T, width, height int) *env {
	t.Helper()
	w, err := wallet.Create(filepath.Join(t.TempDir(), "wallet.json"), wallet.DevMnemonic, "", walletPassword, fast...)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"Savings", "Cold"} {
		if _, err := w.Derive(l); err != nil {
			t.Fatal(err)
		}
	}
	node := &countingNode{Node: fakenode.New()}
	c := common.NewCommon()
	c.Node, c.Wallet = node, w
	c.Width, c.Height = width, height-4
	c.Now = func() time.Time { return time.UnixMilli(fakenode.T0 + 12_000) }
	st, _ := node.Status(context.Background())
	c.Status = st
	return &env{c: c, node: node, w: w, s: tuitest.Init(t, New(c))}
}

func (e *env) drive(t *testing.T, msgs ...tea.Msg) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	e.s, out = tuitest.Drive(t, e.s, msgs...)
	return out
}

func (e *env) model() *Model { return e.s.(*Model) }

func (e *env) view() string { return tuitest.Plain(e.s.View()) }

func keys(names ...string) []tea.Msg {
	var out []tea.Msg
	for _, n := range names {
		out = append(out, tuitest.Key(n))
	}
	return out
}

func typed(s string, then ...string) []tea.Msg { return append(tuitest.Type(s), keys(then...)...) }

func checkArea(t *testing.T, e *env) {
	t.Helper()
	lines := strings.Split(e.s.View(), "\n")
	if len(lines) > e.c.Height {
		t.Fatalf("view has %d lines, area is %d", len(lines), e.c.Height)
	}
	for i, l := range lines {
		if n := len([]rune(tuitest.Plain(l))); n > e.c.Width {
			t.Fatalf("line %d is %d cells, area is %d: %q", i, n, e.c.Width, tuitest.Plain(l))
		}
	}
}

func golden(t *testing.T, e *env) {
	t.Helper()
	checkArea(t, e)
	tuitest.Golden(t, e.s.View())
}

var (
	dev0 = chain.DevnetAccounts[0]
	dev1 = chain.DevnetAccounts[1]
	dest = chain.DevnetAccounts[5]
)

func crn(s string) *big.Int {
	v, err := form.ParseCRN(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestGoldenList(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("down")...)
		golden(t, e)
	})
}

func TestGoldenSendForm(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("s")...)
		e.drive(t, typed(strings.ToLower(dest.Hex()), "enter")...)
		e.drive(t, typed("1.5")...)
		golden(t, e)
	})
}

func TestGoldenSendFormErrors(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("s")...)
		bad := tuitest.BadChecksum(dest)
		e.drive(t, typed(bad, "tab")...)
		e.drive(t, typed("2000000", "enter")...)
		golden(t, e)
	})
}

func TestGoldenConfirm(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("s")...)
		e.drive(t, typed(dest.Hex(), "enter")...)
		e.drive(t, typed("1.5", "enter")...)
		if e.model().mode != modeConfirm {
			t.Fatalf("not at the confirm step: %q", e.model().err)
		}
		golden(t, e)
	})
}

func TestGoldenSent(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("s")...)
		e.drive(t, typed(dest.Hex(), "enter")...)
		e.drive(t, typed("1.5", "enter", "y")...)
		golden(t, e)
	})
}

func TestGoldenReceive(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("r")...)
		golden(t, e)
	})
}

func TestGoldenDetails(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("enter")...)
		golden(t, e)
	})
}

func TestGoldenDerive(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, keys("d")...)
		golden(t, e)
	})
}

func TestListShowsBalancesAndDefault(t *testing.T) {
	e := setup(t, 80, 24)
	v := e.view()
	for _, want := range []string{"★ Account 1", "Savings", "Cold", "1,000,000 CRN", "999,999.9 CRN", "total 2,999,999.7 CRN", dev0.Hex()} {
		if !strings.Contains(v, want) {
			t.Errorf("list lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "★ Savings") {
		t.Error("a non-default account is marked default")
	}
}

func TestSendFlow(t *testing.T) {
	e := setup(t, 80, 24)
	e.drive(t, keys("down", "s")...) // from Savings (dev account 1)
	if !e.s.Capturing() {
		t.Fatal("the send form does not take text")
	}
	e.drive(t, typed(strings.ToLower(dest.Hex()), "enter")...)
	e.drive(t, typed("1.5", "enter")...)
	m := e.model()
	if m.mode != modeConfirm || !e.s.Capturing() {
		t.Fatalf("mode %v err %q capturing %v: the confirm step must hold the keys (a stray q must not quit)", m.mode, m.err, e.s.Capturing())
	}
	pending := e.node.Node
	acc, _ := pending.Account(context.Background(), dev1)
	v := e.view()
	for _, want := range []string{"EIP-1559", "7777", dev1.Hex(), dest.Hex(), "1.5 CRN", "1500000000000000000 wei",
		"21,000", "3 gwei", "3000000000 wei", "1000000000 wei", "0.000063 CRN"} {
		if !strings.Contains(v, want) {
			t.Errorf("confirm lacks %q:\n%s", want, v)
		}
	}
	if len(e.node.Sent) != 0 {
		t.Fatal("sent before the confirm")
	}
	out := e.drive(t, keys("y")...)
	if len(e.node.Sent) != 1 {
		t.Fatalf("%d transactions sent, want 1 (err %q)", len(e.node.Sent), m.err)
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(e.node.Sent[0]); err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), &tx)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case tx.Type() != types.DynamicFeeTxType:
		t.Errorf("type %d", tx.Type())
	case tx.ChainId().Uint64() != 7777:
		t.Errorf("chain %v", tx.ChainId())
	case from != dev1:
		t.Errorf("signed by %s, want %s", from.Hex(), dev1.Hex())
	case tx.To() == nil || *tx.To() != dest:
		t.Errorf("to %v", tx.To())
	case tx.Value().Cmp(crn("1.5")) != 0:
		t.Errorf("value %v", tx.Value())
	case tx.Nonce() != acc.PendingNonce:
		t.Errorf("nonce %d, want the pending nonce %d", tx.Nonce(), acc.PendingNonce)
	case tx.Gas() != 21000 || tx.GasTipCap().Int64() != 1e9 || tx.GasFeeCap().Int64() != 3e9:
		t.Errorf("gas %d tip %v cap %v", tx.Gas(), tx.GasTipCap(), tx.GasFeeCap())
	}
	if m.mode != modeSent || !strings.Contains(e.view(), tx.Hash().Hex()) {
		t.Fatalf("the hash is not shown:\n%s", e.view())
	}
	var notice bool
	for _, msg := range out {
		if n, ok := msg.(common.NoticeMsg); ok && strings.Contains(n.Text, "sent 1.5 CRN") {
			notice = true
		}
	}
	if !notice {
		t.Error("no notice for the status line")
	}

	// The block lands: the balance reloads.
	b := e.node.MineBlock()
	e.drive(t, tuitest.Key("esc"), common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
	if got := m.balance(dev1); got.Cmp(new(big.Int).Sub(chain.CRN(1_000_000), crn("1.6"))) != 0 {
		t.Fatalf("balance after the block: %v", got)
	}
}

func TestSendBlocksBadInput(t *testing.T) {
	e := setup(t, 80, 24)
	m := e.model()
	e.drive(t, keys("s")...)
	e.drive(t, typed("0x1234", "enter")...)
	if m.form.Focus != fieldTo || !strings.Contains(m.err, "4 of 40 hex digits") {
		t.Fatalf("short address: focus %d err %q", m.form.Focus, m.err)
	}
	e.drive(t, keys("ctrl+u")...)
	bad := tuitest.BadChecksum(dest)
	e.drive(t, typed(bad, "enter")...)
	if m.form.Focus != fieldTo || !strings.Contains(m.err, "EIP-55") {
		t.Fatalf("bad checksum: focus %d err %q", m.form.Focus, m.err)
	}
	e.drive(t, keys("ctrl+u")...)
	e.drive(t, typed(dest.Hex(), "enter")...)
	if m.form.Focus != fieldAmount {
		t.Fatalf("a good address does not move on: %q", m.err)
	}
	for _, c := range []struct{ amount, want string }{
		{"1.0000000000000000001", "at most 18 digits"},
		{"1,5", "like 1.5"},
		{"0", "above 0"},
		{"1000001", "more than the balance"},
		{"999999.99999", "plus the max fee"},
	} {
		e.drive(t, keys("ctrl+u")...)
		e.drive(t, typed(c.amount, "enter", "enter", "enter")...)
		if m.mode != modeSend || !strings.Contains(strings.ToLower(m.err), c.want) {
			t.Errorf("amount %q: mode %v err %q, want %q", c.amount, m.mode, m.err, c.want)
		}
		e.drive(t, keys("shift+tab")...)
		for m.form.Focus != fieldAmount {
			e.drive(t, keys("tab")...)
		}
	}
	if len(e.node.Sent) != 0 {
		t.Fatal("bad input was sent")
	}
}

func TestSendRejected(t *testing.T) {
	e := setup(t, 80, 24)
	e.node.SendErr = &api.Error{Status: 400, Code: "nonce_too_low", Message: "nonce 0 is below the account's 3"}
	e.drive(t, keys("s")...)
	e.drive(t, typed(dest.Hex(), "enter")...)
	e.drive(t, typed("2", "enter", "enter")...)
	e.drive(t, keys("y")...)
	m := e.model()
	if m.mode != modeConfirm || !strings.Contains(e.view(), "The node refused: nonce 0 is below the account's 3 (nonce_too_low)") {
		t.Fatalf("rejection not shown:\n%s", e.view())
	}
	e.drive(t, keys("n")...)
	if m.mode != modeSend || m.form.Value(fieldAmount) != "2" {
		t.Fatal("n does not go back to the filled form")
	}
}

func TestSendWhileLocked(t *testing.T) {
	e := setup(t, 80, 24)
	e.drive(t, keys("s")...)
	e.drive(t, typed(dest.Hex(), "enter")...)
	e.drive(t, typed("2", "enter")...)
	e.w.Lock()
	e.drive(t, keys("y")...)
	if len(e.node.Sent) != 0 || !strings.Contains(e.view(), "wallet is locked") {
		t.Fatalf("locked wallet:\n%s", e.view())
	}
	if err := e.w.Unlock(walletPassword); err != nil {
		t.Fatal(err)
	}
	e.drive(t, keys("y")...)
	if len(e.node.Sent) != 1 {
		t.Fatal("not sent after unlocking")
	}
}

func TestBalanceReloadsBatch(t *testing.T) {
	e := setup(t, 80, 24)
	m := e.model()
	e.node.accountCalls.Store(0)
	block := common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: e.node.MineBlock()}}
	var cmds []tea.Cmd
	for i := 0; i < 20; i++ {
		_, cmd := m.Update(block)
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	if len(cmds) != 1 {
		t.Fatalf("20 block events gave %d fetches, want 1 in flight", len(cmds))
	}
	_, next := m.Update(cmds[0]())
	if next == nil {
		t.Fatal("blocks during the fetch did not ask for one more")
	}
	_, last := m.Update(next())
	if last != nil {
		t.Fatal("fetching went on without new blocks")
	}
	if got := e.node.accountCalls.Load(); got != 2*3 {
		t.Fatalf("%d account reads for a burst, want 6 (two rounds of 3 accounts)", got)
	}
	// Events other than blocks do not reload.
	if _, cmd := m.Update(common.EventMsg{Event: api.Event{Type: api.EventTx}}); cmd != nil {
		t.Fatal("a tx event reloaded balances")
	}
}

func TestDerive(t *testing.T) {
	e := setup(t, 80, 24)
	e.drive(t, keys("d")...)
	if !e.s.Capturing() {
		t.Fatal("the label field does not take text")
	}
	out := e.drive(t, typed("Trading", "enter")...)
	accs := e.w.Accounts()
	if len(accs) != 4 || accs[3].Label != "Trading" || accs[3].Address != chain.DevnetAccounts[3] {
		t.Fatalf("accounts after derive: %+v", accs)
	}
	var changed bool
	for _, msg := range out {
		if _, ok := msg.(common.WalletChangedMsg); ok {
			changed = true
		}
	}
	m := e.model()
	if !changed || m.mode != modeList || m.sel != 3 || !strings.Contains(e.view(), "Trading") {
		t.Fatalf("changed %v mode %v sel %d:\n%s", changed, m.mode, m.sel, e.view())
	}
}

func TestDeriveLocked(t *testing.T) {
	e := setup(t, 80, 24)
	e.w.Lock()
	e.drive(t, keys("d", "enter")...)
	if len(e.w.Accounts()) != 3 || !strings.Contains(e.view(), "locked") {
		t.Fatalf("derive on a locked wallet:\n%s", e.view())
	}
}

func TestLabelAndDefault(t *testing.T) {
	e := setup(t, 80, 24)
	e.drive(t, keys("down", "l", "ctrl+u")...)
	e.drive(t, typed("Spending", "enter")...)
	if got := e.w.Accounts()[1].Label; got != "Spending" {
		t.Fatalf("label %q", got)
	}
	e.drive(t, keys("*")...)
	if e.w.Default().Address != dev1 || !strings.Contains(e.view(), "★ Spending") {
		t.Fatalf("default %s:\n%s", e.w.Default().Address.Hex(), e.view())
	}
}

func TestCancelKeepsNothing(t *testing.T) {
	e := setup(t, 80, 24)
	e.drive(t, keys("s")...)
	e.drive(t, typed("0xabc", "esc")...)
	m := e.model()
	if m.mode != modeList || e.s.Capturing() || m.draft != nil {
		t.Fatalf("esc: mode %v", m.mode)
	}
}

func TestViewsFitAt80x24(t *testing.T) {
	e := setup(t, 80, 24)
	for i := 0; i < 30; i++ { // many accounts scroll
		if _, err := e.w.Derive(""); err != nil {
			t.Fatal(err)
		}
	}
	e.drive(t, common.WalletChangedMsg{})
	e.drive(t, keys("G")...)
	checkArea(t, e)
	if !strings.Contains(e.view(), "Account 33") || !strings.Contains(e.view(), "of 33") {
		t.Fatalf("the selection scrolled out of view:\n%s", e.view())
	}
	for _, k := range []string{"enter", "esc", "r", "esc", "e", "esc", "d", "esc", "l"} {
		e.drive(t, keys(k)...)
		checkArea(t, e)
	}
}
