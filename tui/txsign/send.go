package txsign

import (
	"context"
	"time"

	"cairn/node/api"
	"cairn/tui/keymap"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/ethereum/go-ethereum/common"
)

// SendTimeout bounds signing and submitting one transaction.
const SendTimeout = 10 * time.Second

// Answer is what a key at the confirm step asks for.
type Answer int

const (
	AnswerNone Answer = iota // another key: nothing
	AnswerSend               // sign and send it
	AnswerBack               // back to the form
)

// ConfirmKey reads a key pressed at the confirm step.
func ConfirmKey(msg tea.KeyPressMsg, k *keymap.KeyMap) Answer {
	switch {
	case key.Matches(msg, k.Confirm):
		return AnswerSend
	case key.Matches(msg, k.Reject):
		return AnswerBack
	}
	return AnswerNone
}

// SentMsg ends a Start: the draft it sent, so each screen takes only its
// own, and the hash the node admitted or why not.
type SentMsg struct {
	Draft *Draft
	Hash  common.Hash
	Err   error
}

// Start begins signing d with the wallet and submitting it: the command
// that does it and the busy line to show meanwhile, or, for a wallet that
// is missing or locked (it locks itself when idle), no command and the
// error to show. The command's message is SentMsg.
func Start(w *wallet.Wallet, node api.Service, d *Draft) (cmd tea.Cmd, busy, errText string) {
	if w == nil || w.Locked() {
		return nil, "", NodeError(wallet.ErrLocked)
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), SendTimeout)
		defer cancel()
		hash, err := SignAndSend(ctx, w, node, d)
		return SentMsg{Draft: d, Hash: hash, Err: err}
	}, "Signing and sending…", ""
}
