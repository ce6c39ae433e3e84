package tui

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/chain/staking/stakingabi"
	"cairn/node/logs"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"

	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// findConsole runs the console over a networked fake node with the
// staking fixture and 40 log lines, unlocked, in a 120x40 teatest
// terminal; it returns the frames and a way to press keys.
func findConsole(t *testing.T) (*frames, *fakenode.Node, func(...string), func(string)) {
	t.Helper()
	node := fakenode.New().Networked()
	node.SetStaking(fakenode.FixtureStaking())
	buf := logs.NewBuffer(100)
	log := slog.New(buf.Handler(slog.LevelInfo))
	for h := range 40 {
		log.Info("committed block", "height", h)
	}
	m, err := New(Options{
		WalletPath: devWallet(t), WalletOptions: fastKDF, IdleLock: -1,
		Now:       func() time.Time { return time.UnixMilli(fakenode.T0 + 12_500) },
		StartNode: func(context.Context) (Node, error) { return Node{Service: node, Logs: buf}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	screen := newFrames(m)
	tm := teatest.NewTestModel(t, screen, teatest.WithInitialTermSize(120, 40))
	t.Cleanup(func() { _ = tm.Quit() })
	keys := func(names ...string) {
		for _, k := range names {
			tm.Send(tuitest.Key(k))
		}
	}
	typeText := func(s string) {
		for _, k := range tuitest.Type(s) {
			tm.Send(k)
		}
	}
	screen.must(t, "Unlock")
	typeText(password)
	keys("enter")
	screen.must(t, "Dashboard", "chain 7777")
	return screen, node, keys, typeText
}

// TestFilterOnEveryTable: / on each screen with a table narrows it as the
// query is typed (q, digits and tab type into it instead of quitting or
// switching screens), enter keeps it, esc clears it.
func TestFilterOnEveryTable(t *testing.T) {
	screen, _, keys, typeText := findConsole(t)
	for _, c := range []struct {
		tab, ready, query, count, hidden string
	}{
		{"3", "3 pending", strings.ToLower(chain.DevnetAccounts[3].Hex()[:10]), "1 of 3", chain.DevnetAccounts[5].Hex()[:10]},
		{"4", "head 12", "1", "5 of 13", "     9 "},
		{"5", "40 lines", "height=3", "11 of 40", "height=27"},
		{"6", "5 connected", "0.0.9", "1 of 5", "cairn/0.1.0-dev"},
		{"7", "north-star", "LANE", "1 of 4", "›devnet-0"},
		{"8", "address book", "stak", "1 of 1", "no contract matches"},
	} {
		t.Run(c.tab, func(t *testing.T) {
			keys(c.tab)
			screen.must(t, c.ready, "/ filter")
			keys("/")
			screen.must(t, "enter keep · esc clear")
			keys("q", "tab", "1") // typed, not quit, next screen or screen 1
			screen.must(t, "/q1", "no match among")
			keys("backspace", "backspace")
			typeText(c.query)
			fr := screen.must(t, "/"+c.query, c.count, "enter keep")
			if strings.Contains(fr, c.hidden) {
				t.Fatalf("the filter %q shows %q:\n%s", c.query, c.hidden, fr)
			}
			keys("enter")
			screen.must(t, c.count, "/ edit · esc clear")
			keys("esc")
			screen.await(t, "the filter cleared", func(fr string) bool {
				return !strings.Contains(fr, c.count) && !strings.Contains(fr, "esc clear") && strings.Contains(fr, c.ready)
			})
		})
	}
}

// TestJumpPrompt: : opens the jump prompt on the status line from any
// screen; a height, a block hash, a transaction hash, an address and a
// name (tab-completed) each open on the screen that shows them; what is
// not found says so and changes nothing.
func TestJumpPrompt(t *testing.T) {
	screen, node, keys, typeText := findConsole(t)
	b7, _ := node.Block(context.Background(), "7", false)
	tx := crypto.Keccak256Hash([]byte("tx-3-1")) // the fake's second transfer in block 3
	stranger := common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	jump := func(what string) {
		t.Helper()
		keys(":")
		screen.must(t, "height · hash · address · name", "enter go")
		typeText(what)
		keys("enter")
	}

	jump("5")
	screen.must(t, "Block 5", crypto.Keccak256Hash([]byte("block-5")).Hex())
	keys("esc")
	screen.must(t, "head 12")

	keys("1") // from another screen: the jump brings Blocks to the front
	screen.must(t, "Block interval")
	jump(b7.Hash.Hex())
	screen.must(t, "Block 7", b7.Hash.Hex())

	jump(strings.ToUpper(tx.Hex()[2:]))
	screen.must(t, "✗ ", "is no height, hash, address or known name") // no 0x: not a hash
	keys("esc")
	jump(tx.Hex())
	screen.must(t, tx.Hex(), "included in block 3")

	jump(stranger.Hex())
	screen.must(t, "Account", stranger.Hex(), "Balance", "0 CRN")

	// A validator's operator, typed or completed from its moniker, opens
	// on the Staking screen.
	keys(":")
	screen.must(t, "height · hash · address · name")
	typeText("nor")
	keys("tab")
	screen.must(t, ": north-star")
	keys("enter")
	screen.must(t, "Selected north-star", fakenode.FixtureNorthStar.Hex())

	// The built-in staking contract, by name in any case: its page.
	jump("staking")
	screen.must(t, "Functions", stakingabi.Address.Hex(), "built in")

	// Garbage and what is not there: an error on the prompt's line, the
	// screen behind unchanged, esc closes.
	jump("garbage")
	fr := screen.must(t, `✗ "garbage" is no height, hash, address or known name`)
	if !strings.Contains(fr, "Functions") {
		t.Fatalf("garbage changed the screen:\n%s", fr)
	}
	keys("esc")
	jump("99")
	screen.must(t, "✗ no block at height 99")
	keys("esc")
	jump(crypto.Keccak256Hash([]byte("nothing")).Hex())
	screen.must(t, "✗ no block or transaction 0x")
	keys("esc")
	screen.await(t, "the prompt closed", func(fr string) bool {
		return !strings.Contains(fr, "✗") && strings.Contains(fr, ": jump") && strings.Contains(fr, "Functions")
	})

	// In a form, : is typed, not a jump.
	keys("2", "s")
	screen.must(t, "To")
	typeText(":0x")
	screen.must(t, ":0x")
	if fr := screen.frame(); strings.Contains(fr, "height · hash · address · name") {
		t.Fatalf("the prompt opened over a form:\n%s", fr)
	}
}

// TestJumpPromptGolden: the prompt on the status line, with the names tab
// offers and with an error.
func TestJumpPromptGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m, _ := unlocked(t, w, h)
		drive(t, m, tuitest.Key("4"))
		drive(t, m, tuitest.Key(":"))
		settle(t, m, func() bool { return len(m.jump.Names()) >= 3 })
		drive(t, m, tuitest.Key("tab"))
		t.Run("names", func(t *testing.T) {
			v := m.render()
			tuitest.Fits(t, v, w, h)
			if !strings.Contains(tuitest.Plain(v), "tab: Account 1 · devnet-0 · Staking") {
				t.Fatalf("tab offers the names:\n%s", tuitest.Plain(v))
			}
			tuitest.Golden(t, v)
		})
		drive(t, m, tuitest.Typed("0x12", "enter")...)
		t.Run("error", func(t *testing.T) {
			v := m.render()
			tuitest.Fits(t, v, w, h)
			tuitest.Golden(t, v)
		})
	})
}
