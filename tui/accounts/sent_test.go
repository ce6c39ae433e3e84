package accounts

import (
	"strings"
	"testing"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/tuitest"
	"cairn/tui/txsign"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// TestSpinnerTurnsOnlyWhileSending: y starts the send and the spinner
// beside "Signing and sending…"; its ticks turn it while the node has not
// answered, and once it has, a tick does nothing (no ticker left running).
func TestSpinnerTurnsOnlyWhileSending(t *testing.T) {
	e := setup(t, 80, 24)
	toConfirm(t, e, "1.5")
	var cmd tea.Cmd
	e.s, cmd = e.s.Update(tuitest.Key("y"))
	var sent, tick tea.Msg
	for _, msg := range tuitest.Results(cmd) {
		switch msg.(type) {
		case txsign.SentMsg:
			sent = msg
		case spinner.TickMsg:
			tick = msg
		}
	}
	if sent == nil || tick == nil {
		t.Fatalf("y gave no send and spinner tick: sent=%v tick=%v", sent, tick)
	}
	before := e.view()
	if !strings.Contains(before, "Signing and sending…") {
		t.Fatalf("no busy line while sending:\n%s", before)
	}
	e.s, cmd = e.s.Update(tick)
	if cmd == nil {
		t.Fatal("the spinner stopped while the send is in flight")
	}
	if e.view() == before {
		t.Fatal("a tick did not turn the spinner")
	}
	e.s, _ = e.s.Update(sent)
	if e.model().mode != modeSent {
		t.Fatalf("not on the sent page:\n%s", e.view())
	}
	if _, cmd = e.s.Update(tick); cmd != nil {
		t.Fatal("the spinner still ticks after the send ended")
	}
}

// TestSentPageFollowsInclusion: the sent page says pending until a block
// lists the transaction, then which block; other blocks change nothing.
func TestSentPageFollowsInclusion(t *testing.T) {
	e := setup(t, 80, 24)
	toConfirm(t, e, "1.5")
	e.drive(t, keys("y")...)
	hash := e.model().sent
	if e.model().mode != modeSent || hash == (ethcommon.Hash{}) {
		t.Fatalf("not on the sent page:\n%s", e.view())
	}
	block := func(h uint64, txs ...ethcommon.Hash) tea.Msg {
		return common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: h, Transactions: txs}}}
	}
	e.drive(t, block(41, ethcommon.HexToHash("0x01")))
	if v := e.view(); !strings.Contains(v, "pending") || strings.Contains(v, "included") {
		t.Fatalf("before its block the page does not say pending:\n%s", v)
	}
	e.drive(t, block(1042, ethcommon.HexToHash("0x02"), hash))
	v := e.view()
	if !strings.Contains(v, "included in block 1,042") || strings.Contains(v, "pending") {
		t.Fatalf("the page does not say which block included it:\n%s", v)
	}
	e.drive(t, block(1043, hash))
	if !strings.Contains(e.view(), "block 1,042") {
		t.Fatalf("a later block moved it:\n%s", e.view())
	}
}

// TestSentPageSaysDropped: a transaction the node drops is no longer
// pending on the page.
func TestSentPageSaysDropped(t *testing.T) {
	e := setup(t, 80, 24)
	toConfirm(t, e, "1.5")
	e.drive(t, keys("y")...)
	e.drive(t, common.EventMsg{Event: api.Event{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: e.model().sent, Reason: "replaced"}}})
	if v := e.view(); !strings.Contains(v, "dropped by the node: replaced") || strings.Contains(v, "pending") {
		t.Fatalf("the page does not say it was dropped:\n%s", e.view())
	}
}
