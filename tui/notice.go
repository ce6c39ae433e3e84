package tui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/txsign"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// How long a status line message stays: long enough to read, short enough
// that an old message is not taken for news. An error stays longer, as it
// usually asks for something to be done. A message about work still going
// (starting the node, a sent transaction not yet included) stays until the
// work ends.
const (
	noticeTTL = 10 * time.Second
	errorTTL  = 30 * time.Second
)

// notice is the status line's message.
type notice struct {
	text  string
	isErr bool
	at    time.Time // when it was set, for expiry
	// following marks the message about the transaction the console
	// follows (sent, or included): it shows how that transaction stands.
	following bool
}

// followed is the last transaction sent from this console, which the
// status line follows from pending to the block that includes it.
type followed struct {
	hash    ethcommon.Hash
	height  uint64 // the block that included it; 0 while pending
	dropped string // why the mempool dropped it, if it did
	// linkNext says the next notice is the sending screen's "sent …"
	// message, the one the transaction's state is shown with.
	linkNext bool
}

// openSentMsg brings the followed transaction, fetched for ctrl+o.
type openSentMsg struct {
	tx  *api.Tx
	err error
}

func (m *Model) setNotice(text string, isErr bool) {
	m.notice = notice{text: text, isErr: isErr, at: m.c.Now()}
	if f := m.follow; f != nil && f.linkNext && text != "" && !isErr {
		f.linkNext, m.notice.following = false, true
	}
}

// expireNotice clears the status line's message once it is old, on the
// root's tick. Messages before the screens (starting the node, unlocking)
// and those about a transaction still pending stay.
func (m *Model) expireNotice(now time.Time) {
	n := m.notice
	if n.text == "" || m.phase != phaseMain {
		return
	}
	if n.following && m.follow != nil && m.follow.height == 0 && m.follow.dropped == "" {
		return
	}
	ttl := noticeTTL
	if n.isErr {
		ttl = errorTTL
	}
	if now.Sub(n.at) >= ttl {
		m.notice = notice{}
	}
}

// onSent starts following a transaction a screen sent.
func (m *Model) onSent(msg txsign.SentMsg) {
	if msg.Err != nil {
		return
	}
	m.follow = &followed{hash: msg.Hash, linkNext: true}
}

// followEvent moves the followed transaction on when a block includes it
// or the mempool drops it.
func (m *Model) followEvent(e api.Event) {
	f := m.follow
	if f == nil || f.height != 0 || f.dropped != "" {
		return
	}
	switch {
	case e.Block != nil && slices.Contains(e.Block.Transactions, f.hash):
		f.height = e.Block.Height
		m.setNotice(fmt.Sprintf("tx %s included in block %s · %s opens it",
			common.ShortHash(f.hash.Hex()), common.FormatCount(f.height), m.c.Keys.OpenSent.Help().Key), false)
		m.notice.following = true
	case e.Dropped != nil && e.Dropped.Hash == f.hash:
		f.dropped = e.Dropped.Reason
		m.setNotice(fmt.Sprintf("tx %s dropped from the mempool: %s", common.ShortHash(f.hash.Hex()), f.dropped), true)
	}
}

// followSuffix is what the status line adds to the sending screen's
// message while the transaction waits for a block.
func (m *Model) followSuffix() string {
	if !m.notice.following || m.follow == nil || m.follow.height != 0 || m.follow.dropped != "" {
		return ""
	}
	return " · pending…"
}

// openSent fetches the followed transaction to open it on the Blocks
// screen.
func (m *Model) openSent() tea.Cmd {
	if m.follow == nil || m.c.Node == nil {
		return nil
	}
	node, hash, ctx := m.c.Node, m.follow.hash, m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		tx, err := node.Tx(ctx, hash)
		return openSentMsg{tx: tx, err: err}
	}
}

func (m *Model) onOpenSent(msg openSentMsg) tea.Cmd {
	if msg.err != nil {
		m.setNotice("open the sent transaction: "+msg.err.Error(), true)
		return nil
	}
	if m.phase != phaseMain || screenBlocks >= len(m.screens) {
		return nil
	}
	return tea.Batch(m.focus(screenBlocks), m.tell(screenBlocks, common.ShowMsg{Kind: common.ShowTx, Tx: msg.tx}))
}
