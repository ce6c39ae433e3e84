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

// SentMsg ends a Send: the draft it sent, so each screen takes only its
// own, and the hash the node admitted or why not.
type SentMsg struct {
	Draft *Draft
	Hash  common.Hash
	Err   error
}

// Send returns the command that signs d with the wallet and submits it.
// A wallet that is missing or locked (it locks itself when idle) is
// wallet.ErrLocked at once, and no command.
func Send(w *wallet.Wallet, node api.Service, d *Draft) (tea.Cmd, error) {
	if w == nil || w.Locked() {
		return nil, wallet.ErrLocked
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), SendTimeout)
		defer cancel()
		hash, err := SignAndSend(ctx, w, node, d)
		return SentMsg{Draft: d, Hash: hash, Err: err}
	}, nil
}
