package staking

import (
	"context"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/chain/staking/stakingabi"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

var fast = []wallet.Option{wallet.WithKDFIterations(1000), wallet.WithKeystoreScrypt(2, 1)}

type env struct {
	c    *common.Common
	node *fakenode.Node
	w    *wallet.Wallet
	now  time.Time
	s    common.Screen
}

// setup opens the dev-mnemonic wallet (Account 1, the devnet validator's
// operator, and "Savings") over the fake node with FixtureStaking, at the
// fake's clock, in a w x h terminal.
func setup(t *testing.T, width, height int) *env {
	t.Helper()
	w, err := wallet.Create(filepath.Join(t.TempDir(), "wallet.json"), wallet.DevMnemonic, "", "pw", fast...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Derive("Savings"); err != nil {
		t.Fatal(err)
	}
	node := fakenode.New()
	node.SetStaking(fakenode.FixtureStaking())
	e := &env{node: node, w: w, now: time.UnixMilli(fakenode.T0 + 12_000)}
	c := common.NewCommon()
	c.Node, c.Wallet = node, w
	c.Width, c.Height = width, height-4
	c.Now = func() time.Time { return e.now }
	c.Status, _ = node.Status(context.Background())
	e.c = c
	e.s = tuitest.Init(t, New(c))
	return e
}

func (e *env) drive(t *testing.T, msgs ...tea.Msg) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	e.s, out = tuitest.Drive(t, e.s, msgs...)
	return out
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

// golden checks the view fits the area, then compares it.
func golden(t *testing.T, e *env) {
	t.Helper()
	tuitest.Fits(t, e.s.View(), e.c.Width, e.c.Height)
	tuitest.Golden(t, e.s.View())
}

// lastSent decodes the last transaction the screen submitted and checks
// it goes to the staking contract, signed by from.
func lastSent(t *testing.T, e *env, from ethcommon.Address) (*types.Transaction, string, []any) {
	t.Helper()
	if len(e.node.Sent) == 0 {
		t.Fatal("nothing was sent")
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(e.node.Sent[len(e.node.Sent)-1]); err != nil {
		t.Fatal(err)
	}
	sender, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), &tx)
	if err != nil || sender != from {
		t.Fatalf("signed by %s (%v), want %s", sender.Hex(), err, from.Hex())
	}
	if tx.To() == nil || *tx.To() != stakingabi.Address {
		t.Fatalf("sent to %v, want the staking contract", tx.To())
	}
	method, err := stakingabi.ABI.MethodById(tx.Data()[:4])
	if err != nil {
		t.Fatal(err)
	}
	args, err := method.Inputs.Unpack(tx.Data()[4:])
	if err != nil {
		t.Fatal(err)
	}
	return &tx, method.Name, args
}

func TestGoldenList(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) { golden(t, setup(t, w, h)) })
}

func TestGoldenDelegationsFocused(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Keys("right", "down")...)
		golden(t, e)
	})
}

func TestGoldenDelegateForm(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Keys("down", "d")...)
		e.drive(t, tuitest.Type("1000")...)
		golden(t, e)
	})
}

func TestGoldenConfirm(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		e.drive(t, tuitest.Keys("down", "d")...)
		e.drive(t, tuitest.Typed("1000", "enter")...)
		if e.model().mode != modeConfirm {
			t.Fatalf("enter with every field filled did not reach the confirm step: %s", e.view())
		}
		golden(t, e)
	})
}

func TestDelegateSignsTheCallFromTheDefaultAccount(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Keys("down", "d")...) // north-star
	e.drive(t, tuitest.Typed("1000", "enter")...)
	e.must(t, "Confirm the transaction", "delegate(north-star", "26,250", "1,000 CRN")
	if len(e.node.Sent) != 0 {
		t.Fatal("sent before the confirm step was answered")
	}
	msgs := e.drive(t, tuitest.Key("y")) // 1,000 CRN, but delegated: no password asked
	tx, method, args := lastSent(t, e, chain.DevnetAccounts[0])
	if method != "delegate" || args[0].(ethcommon.Address) != fakenode.FixtureNorthStar {
		t.Fatalf("sent %s%v, want delegate(north-star)", method, args)
	}
	if tx.Value().Cmp(chain.CRN(1000)) != 0 || tx.Gas() != 26_250 || tx.GasTipCap().Cmp(big.NewInt(1e9)) != 0 {
		t.Fatalf("value %s gas %d tip %s", tx.Value(), tx.Gas(), tx.GasTipCap())
	}
	e.must(t, "✓ Sent", tx.Hash().Hex())
	noticed := false
	for _, m := range msgs {
		if n, ok := m.(common.NoticeMsg); ok && strings.Contains(n.Text, "delegate(north-star") {
			noticed = true
		}
	}
	if !noticed {
		t.Fatal("no notice of the sent call")
	}
	e.drive(t, tuitest.Key("esc"))
	if e.model().mode != modeList {
		t.Fatal("esc did not return to the tables")
	}
}

// selectDelegation moves to the delegation table's row of Savings →
// north-star (Account 1's own delegation is first).
func selectSavings(t *testing.T, e *env) {
	t.Helper()
	e.drive(t, tuitest.Keys("right", "down")...)
	r, ok := e.model().selectedDelegation()
	if !ok || r.account.Label != "Savings" {
		t.Fatalf("selected %+v, want Savings' delegation", r)
	}
}

func TestUndelegateIsCappedByTheDelegation(t *testing.T) {
	e := setup(t, 100, 30)
	selectSavings(t, e)
	e.drive(t, tuitest.Key("u"))
	e.drive(t, tuitest.Typed("1000.5", "enter")...)
	if m := e.model(); m.mode != modeForm || !strings.Contains(m.err, "More than the delegation (1,000 CRN)") {
		t.Fatalf("mode %d err %q", m.mode, m.err)
	}
	for range 6 {
		e.drive(t, tuitest.Key("backspace"))
	}
	e.drive(t, tuitest.Typed("400", "enter", "y")...)
	tx, method, args := lastSent(t, e, chain.DevnetAccounts[1])
	if method != "undelegate" || args[0].(ethcommon.Address) != fakenode.FixtureNorthStar || args[1].(*big.Int).Cmp(chain.CRN(400)) != 0 {
		t.Fatalf("sent %s%v", method, args)
	}
	if tx.Value().Sign() != 0 {
		t.Fatalf("undelegate carries value %s", tx.Value())
	}
}

func TestRedelegateReadsTheDestination(t *testing.T) {
	e := setup(t, 100, 30)
	selectSavings(t, e)
	e.drive(t, tuitest.Key("r"))
	for in, want := range map[string]string{
		"north-star": "that is the validator the stake is with",
		"twice":      "tombstoned",
		"nobody":     `no validator is called "nobody"`,
		"0x00000000000000000000000000000000000000ff": "no validator has this operator address",
	} {
		e.model().form.Inputs[0].SetValue(in)
		e.model().cache.Invalidate()
		e.must(t, want)
	}
	e.model().form.Inputs[0].SetValue("DEVNET-0")
	e.drive(t, tuitest.Key("enter"))
	e.drive(t, tuitest.Typed("10", "enter", "y")...)
	_, method, args := lastSent(t, e, chain.DevnetAccounts[1])
	if method != "redelegate" || args[0].(ethcommon.Address) != fakenode.FixtureNorthStar ||
		args[1].(ethcommon.Address) != chain.DevnetAccounts[0] || args[2].(*big.Int).Cmp(chain.CRN(10)) != 0 {
		t.Fatalf("sent %s%v", method, args)
	}
}

func TestClaimPaysTheSelectedDelegation(t *testing.T) {
	e := setup(t, 100, 30)
	selectSavings(t, e)
	e.drive(t, tuitest.Key("c"))
	e.must(t, "Claim rewards", "Pays the 0.5 CRN of rewards earned with north-star to Savings")
	e.drive(t, tuitest.Keys("enter", "y")...)
	_, method, args := lastSent(t, e, chain.DevnetAccounts[1])
	if method != "claimRewards" || args[0].(ethcommon.Address) != fakenode.FixtureNorthStar {
		t.Fatalf("sent %s%v", method, args)
	}
}

func TestActionsThatCannotBeTakenSayWhy(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Key("u"))
	e.must(t, "Select one of your delegations first")
	e.drive(t, tuitest.Keys("down", "down", "down", "d")...) // twice, tombstoned
	e.must(t, "twice is tombstoned")
	e.drive(t, tuitest.Key("U"))
	e.must(t, "The validator is not jailed.")

	vals, dels := fakenode.FixtureStaking()
	dels[chain.DevnetAccounts[1]].Delegations[0].PendingRewards = api.NewAmount(new(big.Int))
	e.node.SetStaking(vals, dels)
	e.drive(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 13}}})
	selectSavings(t, e)
	e.drive(t, tuitest.Key("c"))
	e.must(t, "No rewards from north-star yet")
	if len(e.node.Sent) != 0 || e.model().mode != modeList {
		t.Fatal("a refused action opened or sent something")
	}
}

func TestWithdrawTakesTheAccountWithStakeReady(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Key("w"))
	e.must(t, "Withdraw unbonded stake", "from Savings", "Pays the 100 CRN that has finished unbonding to Savings")
	e.drive(t, tuitest.Keys("enter", "y")...)
	if _, method, _ := lastSent(t, e, chain.DevnetAccounts[1]); method != "withdraw" {
		t.Fatalf("sent %s", method)
	}
	e.drive(t, tuitest.Key("esc"))

	e.now = e.now.Add(-time.Minute) // before the 100 CRN finished
	e.drive(t, tuitest.Key("w"))
	e.must(t, "Nothing has finished unbonding yet: the soonest completes in 59s")
}

func TestUnjailWaitsForTheJailTime(t *testing.T) {
	e := setup(t, 120, 40)
	vals, dels := fakenode.FixtureStaking()
	vals.Validators[0].Status = api.ValidatorJailed
	vals.Validators[0].JailedUntil = uint64(e.now.Add(90 * time.Second).UnixMilli())
	vals.Validators[0].MissedBlocks = 8
	e.node.SetStaking(vals, dels)
	e.drive(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 13}}})
	e.must(t, "This node's validator devnet-0 · jailed · signed 4 of the last 12, missed 8",
		"Jailed for missing blocks: it may unjail in 1m 30s")
	e.drive(t, tuitest.Key("U"))
	e.must(t, "The jail time is not over: unjail in 1m 30s.")

	e.now = e.now.Add(91 * time.Second)
	e.drive(t, common.TickMsg{Time: e.now})
	e.must(t, "the jail time is over: U unjails it")
	e.drive(t, tuitest.Keys("U", "enter", "y")...)
	e.drive(t, tuitest.Typed("pw", "enter")...) // an unjail asks for the wallet password
	if _, method, _ := lastSent(t, e, chain.DevnetAccounts[0]); method != "unjail" {
		t.Fatalf("sent %s", method)
	}
}

func TestARevertingCallIsNotSent(t *testing.T) {
	e := setup(t, 100, 30)
	e.node.CallRevert = "execution reverted: validator is jailed"
	e.drive(t, tuitest.Keys("down", "d")...)
	e.drive(t, tuitest.Typed("5", "enter")...)
	m := e.model()
	if m.mode != modeForm || !strings.Contains(m.err, "would fail (execution reverted: validator is jailed): nothing was sent") {
		t.Fatalf("mode %d err %q", m.mode, m.err)
	}
	if len(e.node.Sent) != 0 {
		t.Fatal("a call that reverts was sent")
	}
}

func TestALockedWalletSignsNothing(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Keys("down", "d")...)
	e.drive(t, tuitest.Typed("5", "enter")...)
	e.w.Lock()
	e.drive(t, tuitest.Key("y"))
	if m := e.model(); m.mode != modeConfirm || !strings.Contains(m.err, "The wallet is locked") || len(e.node.Sent) != 0 {
		t.Fatalf("mode %d err %q sent %d", m.mode, m.err, len(e.node.Sent))
	}
}

func TestEachBlockRefreshesTheRewards(t *testing.T) {
	e := setup(t, 100, 30)
	e.must(t, "0.5 CRN")
	vals, dels := fakenode.FixtureStaking()
	dels[chain.DevnetAccounts[1]].Delegations[0].PendingRewards = api.NewAmount(chain.CRN(2))
	e.node.SetStaking(vals, dels)
	e.drive(t, common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: &api.Tx{}}})
	e.must(t, "0.5 CRN") // a pending transaction changes nothing
	e.drive(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 13}}})
	e.must(t, "2 CRN")
}

func TestCursorsFollowTheirRowsAcrossRefreshes(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Key("down")) // north-star
	vals, dels := fakenode.FixtureStaking()
	vals.Validators[0], vals.Validators[1] = vals.Validators[1], vals.Validators[0]
	e.node.SetStaking(vals, dels)
	e.drive(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 13}}})
	if m := e.model(); m.vals[m.valCur].Moniker != "north-star" {
		t.Fatalf("the cursor moved to %s", m.vals[m.valCur].Moniker)
	}
}

func TestTimeLeft(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "ready", -time.Second: "ready", 500 * time.Millisecond: "1s", 59 * time.Second: "59s",
		245 * time.Second: "4m 05s", 2*time.Hour + 5*time.Minute: "2h 05m", 7*24*time.Hour - time.Hour: "6d 23h",
	} {
		if got := timeLeft(d); got != want {
			t.Errorf("timeLeft(%v) = %q, want %q", d, got, want)
		}
	}
}
