package tui

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/events"
	"cairn/node/logs"
	"cairn/tui/blocks/txview"
	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// frames is the console under test, its frames kept (tuitest.Frames), with
// the waits the flows use bounded at 30 s.
type frames struct{ *tuitest.Frames }

func newFrames(m *Model) *frames { return &frames{tuitest.NewFrames(m)} }

func (f *frames) frame() string { return f.Frame() }

// await waits, bounded, for a frame for which ok holds and returns it.
func (f *frames) await(t *testing.T, what string, ok func(frame string) bool) string {
	t.Helper()
	return f.Await(t, 30*time.Second, what, ok)
}

// must waits for a frame holding every want.
func (f *frames) must(t *testing.T, want ...string) string {
	t.Helper()
	return f.Must(t, 30*time.Second, want...)
}

// blockList reads the Blocks screen's list off a frame: the heights of its
// rows, top to bottom, and the row the cursor is on (-1 if no list shows).
func blockList(frame string) (heights []uint64, cursor int) {
	cursor = -1
	lines := strings.Split(frame, "\n")
	i := slices.IndexFunc(lines, func(l string) bool {
		f := strings.Fields(l)
		return len(f) > 0 && f[0] == "height" && strings.Contains(l, "proposer")
	})
	if i < 0 {
		return nil, -1
	}
	for _, l := range lines[i+1:] {
		f := strings.Fields(strings.TrimPrefix(l, "›"))
		if len(f) == 0 {
			break
		}
		h, err := strconv.ParseUint(strings.ReplaceAll(f[0], ",", ""), 10, 64)
		if err != nil {
			break
		}
		if strings.HasPrefix(l, "›") {
			cursor = len(heights)
		}
		heights = append(heights, h)
	}
	return heights, cursor
}

// waitChain waits, bounded, on the node's events until ok holds.
func waitChain(t *testing.T, sub *events.Subscription, what string, ok func(events.Event) bool) events.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-sub.C:
			if ok(e) {
				return e
			}
		case <-timeout:
			t.Fatalf("the node never saw %s", what)
		}
	}
}

// realNode is a devnet node the console starts in its own process, as
// `cairn` does; start is the console's StartNode.
type realNode struct {
	n        *node.Node
	subReady chan *events.Subscription // the test's subscription, once the node is built
	start    func(ctx context.Context) (Node, error)
}

func startRealNode(t *testing.T, home string) *realNode {
	buf := logs.NewBuffer(500)
	rn := &realNode{subReady: make(chan *events.Subscription, 1)}
	rn.start = func(ctx context.Context) (Node, error) {
		n, err := node.New(node.Config{Home: home, Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
			BlockTime: 300 * time.Millisecond, Logger: slog.New(buf.Handler(slog.LevelInfo))})
		if err != nil {
			return Node{}, err
		}
		rn.n = n
		rn.subReady <- n.Events().Subscribe(4096)
		if err := n.Start(ctx); err != nil {
			return Node{}, err
		}
		return Node{Service: n.Service(), Logs: buf}, nil
	}
	t.Cleanup(func() {
		if rn.n != nil {
			rn.n.Close()
		}
	})
	return rn
}

// openConsole runs the console over rn in a 120x40 teatest terminal, and
// returns its frames and ways to press keys and type.
func openConsole(t *testing.T, home string, rn *realNode) (*frames, *teatest.TestModel, func(...string), func(string)) {
	m, err := New(Options{WalletPath: filepath.Join(home, "wallet.json"), WalletOptions: fastKDF, StartNode: rn.start, IdleLock: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	screen := newFrames(m)
	tm := teatest.NewTestModel(t, screen, teatest.WithInitialTermSize(120, 40))
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
	return screen, tm, keys, typeText
}

// onboard imports words (no passphrase) with the test password and waits
// for the Dashboard.
func onboard(t *testing.T, screen *frames, tm *teatest.TestModel, keys func(...string), typeText func(string), words string) {
	t.Helper()
	screen.must(t, "Create a new wallet", "Import recovery words")
	keys("down", "enter")
	screen.must(t, "recovery phrase")
	tm.Send(tea.PasteMsg{Content: words})
	keys("enter", "enter")
	screen.must(t, "password")
	typeText(password)
	keys("enter")
	typeText(password)
	keys("enter")
	screen.must(t, "Dashboard", "chain 7777")
}

// TestNewUserFlowWithRealNode goes from no wallet to a transfer seen in the
// Blocks screen, on a real devnet node running in the process: import fresh
// words, set a password, get CRN from the faucet, send some on, and open the
// block and the transaction that carry it.
func TestNewUserFlowWithRealNode(t *testing.T) {
	home := t.TempDir()
	rn := startRealNode(t, home)
	words, err := wallet.NewMnemonic(12)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := wallet.DeriveKey(words, "", 0)
	me := crypto.PubkeyToAddress(key.PublicKey)

	screen, tm, keys, typeText := openConsole(t, home, rn)
	onboard(t, screen, tm, keys, typeText, words)
	sub := <-rn.subReady
	defer sub.Close()
	n := rn.n

	// Accounts: the new account is empty; the devnet faucet fills it.
	keys("2")
	screen.must(t, "Balance")
	keys("f")
	waitChain(t, sub, "the faucet transfer included", func(e events.Event) bool {
		if e.Block == nil {
			return false
		}
		acc, err := n.Chain().Account(me)
		return err == nil && acc.Balance.Sign() > 0
	})
	screen.must(t, "100 CRN")

	// Send 12.5 CRN on, through the form and the confirm step.
	to := common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	keys("s")
	// The form checks the amount against the balance the screen has read:
	// wait for it, not only for the faucet's notice ("100 CRN on the way").
	screen.must(t, "Balance 100 CRN")
	typeText(strings.ToLower(to.Hex()))
	keys("tab")
	typeText("12.5")
	keys("enter")
	screen.must(t, "Nonce")
	keys("y")
	sent := waitChain(t, sub, "the user's transaction", func(e events.Event) bool { return e.Tx != nil && e.TxFrom == me })
	hash := sent.Tx.Hash()
	incl := waitChain(t, sub, "the block with the transfer", func(e events.Event) bool {
		if e.Block == nil {
			return false
		}
		for _, tx := range e.Block.Txs {
			if tx.Hash() == hash {
				return true
			}
		}
		return false
	})
	height, blockHash := incl.Block.Height(), incl.Block.Hash()

	// Blocks: move the cursor to that block and open it, then the
	// transaction. New blocks keep landing on top while the keys travel, so
	// each move waits for the frame that shows it instead of counting from
	// the chain's head. The cursor follows the newest block only while on
	// the top row; once off it, it stays on its block. So: wait until the
	// list holds two blocks above the transfer's, step off the top, then
	// step down one frame at a time until the cursor is on the block.
	keys("4")
	screen.await(t, fmt.Sprintf("the Blocks list with two blocks above block %d", height), func(fr string) bool {
		hs, _ := blockList(fr)
		return len(hs) > 0 && hs[0] >= height+2
	})
	keys("down")
	fr := screen.await(t, "the cursor off the top row", func(fr string) bool { _, cur := blockList(fr); return cur >= 1 })
	for {
		hs, cur := blockList(fr)
		sel := hs[cur]
		if sel == height {
			break
		}
		if sel < height {
			t.Fatalf("the cursor passed block %d (it is on %d):\n%s", height, sel, fr)
		}
		keys("down")
		fr = screen.await(t, fmt.Sprintf("the cursor below block %d", sel), func(fr string) bool {
			hs, cur := blockList(fr)
			return cur >= 0 && hs[cur] < sel
		})
	}
	keys("enter")
	screen.must(t, "Block "+txview.Num(height), blockHash.Hex())
	keys("enter")
	screen.must(t, hash.Hex(), "12.5 CRN", "Price paid", "success")
	want := new(big.Int).Add(chain.CRN(12), new(big.Int).Div(chain.CRN(1), big.NewInt(2)))
	if acc, _ := n.Chain().Account(to); acc.Balance.Cmp(want) != 0 {
		t.Fatalf("recipient balance %v, want 12.5 CRN", acc.Balance)
	}
	keys("ctrl+c")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
