package mempool

import (
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
	"cairn/wallet"

	"github.com/charmbracelet/x/ansi"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// base is the test clock's start: 10 s after the fake's block 12.
var base = time.UnixMilli(fakenode.T0 + 11*1000 + 10_000)

// newWallet makes a wallet of the dev mnemonic, so DevnetAccounts[0] is
// the user's.
func newWallet(t testing.TB) *wallet.Wallet {
	t.Helper()
	w, err := wallet.Create(filepath.Join(t.TempDir(), "wallet.json"), wallet.DevMnemonic, "", "pw", wallet.WithKDFIterations(1000))
	if err != nil {
		t.Fatal(err)
	}
	if w.Default().Address != chain.DevnetAccounts[0] {
		t.Fatalf("wallet account 0 is %s, want %s", w.Default().Address, chain.DevnetAccounts[0])
	}
	return w
}

func setup(t testing.TB, w, h int) (*common.Common, *fakenode.Node, *clock, *Model) {
	t.Helper()
	node := fakenode.New()
	clk := &clock{t: base}
	c := common.NewCommon()
	c.Node = node
	c.Now = clk.now
	c.Wallet = newWallet(t)
	c.Width, c.Height = w, h-4
	m := newModel(c)
	tuitest.Init(t, m)
	return c, node, clk, m
}

// spec is a made-up pending transaction for events.
type spec struct {
	from, to int // indexes into chain.DevnetAccounts
	nonce    uint64
	milliCRN int64
	tipGwei  int64
}

func (s spec) tx(i int) *api.Tx {
	to := chain.DevnetAccounts[s.to]
	v := new(big.Int).Mul(big.NewInt(s.milliCRN), big.NewInt(1e15))
	return &api.Tx{
		Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("event-%d", i))), Status: api.TxPending,
		From: chain.DevnetAccounts[s.from], To: &to, Nonce: s.nonce, Value: api.NewAmount(v), Gas: 21000,
		Type: 2, MaxFeePerGas: api.NewAmount(big.NewInt(30e9)),
		MaxPriorityFeePerGas: api.NewAmount(new(big.Int).Mul(big.NewInt(s.tipGwei), big.NewInt(1e9))),
	}
}

// specs are four transactions besides the fake's three pending ones; the
// second is the user's (from DevnetAccounts[0]).
var specs = []spec{
	{from: 7, to: 8, nonce: 4, milliCRN: 250, tipGwei: 3},
	{from: 0, to: 9, nonce: 0, milliCRN: 12_500, tipGwei: 2},
	{from: 9, to: 1, nonce: 11, milliCRN: 5, tipGwei: 7},
	{from: 2, to: 3, nonce: 1, milliCRN: 1_000_000, tipGwei: 1},
}

// feed sends the specs as tx events, 700 ms apart, then moves the clock
// on and ticks.
func feed(t testing.TB, m *Model, clk *clock) []*api.Tx {
	t.Helper()
	var txs []*api.Tx
	for i, s := range specs {
		tx := s.tx(i)
		txs = append(txs, tx)
		tuitest.Drive(t, m, common.EventMsg{Event: api.Event{Type: api.EventTx, Tx: tx}})
		clk.t = clk.t.Add(700 * time.Millisecond)
	}
	clk.t = clk.t.Add(300 * time.Millisecond)
	tuitest.Drive(t, m, common.TickMsg{Time: clk.t})
	return txs
}

// rowHashes returns the short hashes of the table's rows, top to bottom.
func rowHashes(view string) []string {
	var out []string
	for _, l := range strings.Split(ansi.Strip(view), "\n")[2:] {
		f := strings.Fields(strings.TrimLeft(l, " ›•"))
		if len(f) > 0 && strings.HasPrefix(f[0], "0x") {
			out = append(out, f[0])
		}
	}
	return out
}

// checkFits fails if the view draws outside the screen's area.
func checkFits(t testing.TB, c *common.Common, view string) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > c.Height {
		t.Fatalf("view has %d lines, the area is %d", len(lines), c.Height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > c.Width {
			t.Fatalf("line %d is %d cells wide, the area is %d: %q", i, w, c.Width, ansi.Strip(l))
		}
	}
}

func short(h ethcommon.Hash, w int) string { return txview.Abbrev(h.Hex(), w) }
