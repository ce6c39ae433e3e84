package tui

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
	"cairn/tui/txsign"

	"github.com/charmbracelet/x/ansi"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// sendOne puts a signed transfer into the fake node's mempool, as a send
// from a screen would, and returns its hash.
func sendOne(t *testing.T, node *fakenode.Node) txsign.SentMsg {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	to := crypto.PubkeyToAddress(key.PublicKey)
	tx := types.MustSignNewTx(key, types.LatestSignerForChainID(big.NewInt(7777)), &types.DynamicFeeTx{
		ChainID: big.NewInt(7777), Gas: 21000, GasFeeCap: big.NewInt(2e9), GasTipCap: big.NewInt(1), To: &to, Value: big.NewInt(1),
	})
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	hash, err := node.SendRawTx(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	return txsign.SentMsg{Hash: hash}
}

func statusLine(m *Model) string { return ansi.Strip(m.noticeView()) }

// TestSentTxFollowedToItsBlock: after a send the status line says the
// transaction is pending, then which block included it, with a key that
// opens it on the Blocks screen.
func TestSentTxFollowedToItsBlock(t *testing.T) {
	m, node := unlocked(t, 120, 40)
	sent := sendOne(t, node)
	drive(t, m, sent, common.NoticeMsg{Text: "sent 1 CRN · tx " + common.ShortHash(sent.Hash.Hex())})
	if got := statusLine(m); !strings.Contains(got, "sent 1 CRN") || !strings.Contains(got, "pending") {
		t.Fatalf("status after a send: %q, want the screen's message and pending", got)
	}
	// Pending does not expire: the wait is the news.
	drive(t, m, common.TickMsg{})
	m.expireNotice(m.c.Now().Add(time.Hour))
	if !strings.Contains(statusLine(m), "pending") {
		t.Fatalf("a pending transaction's line expired: %q", statusLine(m))
	}

	other := &api.Block{Height: 3}
	drive(t, m, common.EventBatchMsg{{Type: api.EventBlock, Block: other}})
	if !strings.Contains(statusLine(m), "pending") {
		t.Fatalf("a block without the transaction ended its wait: %q", statusLine(m))
	}
	b := node.MineBlock()
	drive(t, m, common.EventBatchMsg{{Type: api.EventBlock, Block: b}})
	want := "included in block " + common.FormatCount(b.Height)
	if got := statusLine(m); !strings.Contains(got, want) || !strings.Contains(got, "ctrl+o") || strings.Contains(got, "pending") {
		t.Fatalf("status after its block: %q, want %q and the key to open it", got, want)
	}
	if !strings.Contains(ansi.Strip(m.help.ShortHelpView(m.ShortHelp())), "open sent tx") {
		t.Fatalf("help bar does not offer to open the sent tx: %q", m.help.ShortHelpView(m.ShortHelp()))
	}

	drive(t, m, tuitest.Key("ctrl+o"))
	settle(t, m, func() bool { return m.active == screenBlocks })
	if m.active != screenBlocks {
		t.Fatalf("ctrl+o left screen %d in front, want the Blocks screen", m.active)
	}
	if v := ansi.Strip(m.render()); !strings.Contains(v, sent.Hash.Hex()[:18]) {
		t.Fatalf("the Blocks screen does not show the sent tx %s:\n%s", sent.Hash.Hex(), v)
	}
}

// TestDroppedSentTxSaysWhy: a sent transaction the mempool drops ends its
// wait with the reason, as an error.
func TestDroppedSentTxSaysWhy(t *testing.T) {
	m, node := unlocked(t, 120, 40)
	sent := sendOne(t, node)
	drive(t, m, sent, common.NoticeMsg{Text: "sent"})
	drive(t, m, common.EventBatchMsg{{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: sent.Hash, Reason: "replaced"}}})
	if got := statusLine(m); !strings.Contains(got, "dropped") || !strings.Contains(got, "replaced") || !m.notice.isErr {
		t.Fatalf("status after the drop: %q (error %v)", got, m.notice.isErr)
	}
}

// TestNoticesExpire: a message goes after noticeTTL, an error after the
// longer errorTTL; a newer message starts its own time.
func TestNoticesExpire(t *testing.T) {
	now := time.UnixMilli(fakenode.T0)
	m, _ := unlocked(t, 100, 30)
	m.c.Now = func() time.Time { return now }
	drive(t, m, common.NoticeMsg{Text: "label saved"})
	now = now.Add(noticeTTL - time.Second)
	drive(t, m, common.TickMsg{Time: now})
	if statusLine(m) == "" {
		t.Fatal("a notice went before its time")
	}
	now = now.Add(time.Second)
	drive(t, m, common.TickMsg{Time: now})
	if got := statusLine(m); got != "" {
		t.Fatalf("notice still shown after %s: %q", noticeTTL, got)
	}
	drive(t, m, common.ErrMsg{Err: errTest("node refused it")})
	now = now.Add(noticeTTL)
	drive(t, m, common.TickMsg{Time: now})
	if !strings.Contains(statusLine(m), "node refused it") {
		t.Fatalf("an error went after %s, before errorTTL: %q", noticeTTL, statusLine(m))
	}
	now = now.Add(errorTTL - noticeTTL)
	drive(t, m, common.TickMsg{Time: now})
	if got := statusLine(m); got != "" {
		t.Fatalf("error still shown after %s: %q", errorTTL, got)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

// TestHelpBarInsideAFormOffersOnlyWhatWorks: while a screen takes text,
// tab, ? and q go to the form, so the help bar must not offer them as
// the console's keys; ctrl+c still quits.
func TestHelpBarInsideAFormOffersOnlyWhatWorks(t *testing.T) {
	m, _ := unlocked(t, 120, 40)
	drive(t, m, tuitest.Key("3"), tuitest.Key("/")) // the Mempool's filter takes text
	if !m.screens[m.active].Capturing() {
		t.Fatal("the filter does not take text; the test needs a screen that does")
	}
	for _, b := range m.ShortHelp() {
		for _, k := range b.Keys() {
			if k == "q" || k == "tab" || k == "?" || k == ":" {
				t.Errorf("help bar offers %q while a form takes the keys", k)
			}
		}
	}
	if bar := ansi.Strip(m.help.ShortHelpView(m.ShortHelp())); !strings.Contains(bar, "ctrl+c") {
		t.Errorf("help bar inside a form lacks ctrl+c: %q", bar)
	}
}
