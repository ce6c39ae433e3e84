package tui

import (
	"context"
	"io"
	"log/slog"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/events"
	"cairn/node/logs"
	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// screenReader accumulates what the program drew, for waits that may
// fail without failing the test.
type screenReader struct {
	r   io.Reader
	buf []byte
}

// waitFor reads output until it holds every want or the bound passes.
func (s *screenReader) waitFor(bound time.Duration, want ...string) bool {
	deadline := time.Now().Add(bound)
	chunk := make([]byte, 64<<10)
	for {
		plain := ansi.Strip(string(s.buf))
		found := true
		for _, w := range want {
			found = found && strings.Contains(plain, w)
		}
		if found {
			s.buf = s.buf[:0]
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		n, _ := s.r.Read(chunk)
		s.buf = append(s.buf, chunk[:n]...)
		if n == 0 {
			time.Sleep(5 * time.Millisecond) // nothing drawn yet; check again
		}
	}
}

func (s *screenReader) must(t *testing.T, want ...string) {
	t.Helper()
	if !s.waitFor(30*time.Second, want...) {
		t.Fatalf("the console never showed %q; last output:\n%s", want, ansi.Strip(string(s.buf)))
	}
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

// TestNewUserFlowWithRealNode goes from no wallet to a transfer seen in the
// Blocks screen, on a real devnet node running in the process: import fresh
// words, set a password, get CRN from the faucet, send some on, and open the
// block and the transaction that carry it.
func TestNewUserFlowWithRealNode(t *testing.T) {
	home := t.TempDir()
	buf := logs.NewBuffer(500)
	var n *node.Node
	subReady := make(chan *events.Subscription, 1)
	start := func(ctx context.Context) (Node, error) {
		var err error
		n, err = node.New(node.Config{Home: home, Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
			BlockTime: 300 * time.Millisecond, Logger: slog.New(buf.Handler(slog.LevelInfo))})
		if err != nil {
			return Node{}, err
		}
		subReady <- n.Events().Subscribe(4096)
		if err := n.Start(ctx); err != nil {
			return Node{}, err
		}
		return Node{Service: n.Service(), Logs: buf}, nil
	}
	t.Cleanup(func() {
		if n != nil {
			n.Close()
		}
	})
	words, err := wallet.NewMnemonic(12)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := wallet.DeriveKey(words, "", 0)
	me := crypto.PubkeyToAddress(key.PublicKey)

	m, err := New(Options{WalletPath: filepath.Join(home, "wallet.json"), WalletOptions: fastKDF, StartNode: start, IdleLock: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	screen := &screenReader{r: tm.Output()}
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

	// Onboarding: import fresh words, no passphrase, a password twice.
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
	sub := <-subReady
	defer sub.Close()

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
	screen.must(t, "To")
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
	// transaction. New blocks keep arriving; a cursor away from the top
	// stays on its block, and a miss by one is corrected.
	keys("4")
	screen.must(t, "Blocks")
	found := false
	for attempt := 0; attempt < 4 && !found; attempt++ {
		keys("g")
		for i := uint64(0); i < n.Chain().Head().Height()-height; i++ {
			keys("down")
		}
		keys("enter")
		found = screen.waitFor(5*time.Second, blockHash.Hex())
		if !found {
			keys("esc")
		}
	}
	if !found {
		t.Fatalf("could not open block %d in the Blocks screen", height)
	}
	keys("enter")
	screen.must(t, hash.Hex(), "12.5 CRN", "Price paid", "success")
	want := new(big.Int).Add(chain.CRN(12), new(big.Int).Div(chain.CRN(1), big.NewInt(2)))
	if acc, _ := n.Chain().Account(to); acc.Balance.Cmp(want) != 0 {
		t.Fatalf("recipient balance %v, want 12.5 CRN", acc.Balance)
	}
	keys("ctrl+c")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
