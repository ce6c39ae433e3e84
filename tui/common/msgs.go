package common

import (
	"context"
	"time"

	"cairn/node/api"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

// EventMsg is a node event: a new block, a new pending transaction or a
// dropped one. Every screen receives it.
type EventMsg struct{ api.Event }

// StatusMsg carries a fresh node status; the root stores it in
// Common.Status before passing it on.
type StatusMsg struct{ Status *api.Status }

// LogMsg is one new log line of the node.
type LogMsg struct{ Line api.LogLine }

// ErrMsg reports a failure to show in the status line.
type ErrMsg struct{ Err error }

// NoticeMsg is a short message for the status line.
type NoticeMsg struct{ Text string }

// EventBatchMsg is the node events that were waiting together: the root
// hands them to the screens one by one as EventMsg, and the console draws
// once for the whole batch instead of once per event.
type EventBatchMsg []api.Event

// EventsEndedMsg says the node's event feed closed: the node went away
// (a console attached over the network lost its connection) or the
// console is closing. The root resubscribes.
type EventsEndedMsg struct{}

// maxEventBatch bounds one batch, so a flood cannot starve key handling.
const maxEventBatch = 1024

// WaitEvents returns a command that waits for the next node event on ch
// and delivers it with every event already queued behind it (up to
// maxEventBatch); the receiver re-arms it after each batch (a push feed,
// not a polling loop). A closed channel ends the feed: the command
// returns what was queued, then EventsEndedMsg.
func WaitEvents(ch <-chan api.Event) tea.Cmd {
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return EventsEndedMsg{}
		}
		batch := EventBatchMsg{e}
		for len(batch) < maxEventBatch {
			select {
			case e, ok := <-ch:
				if !ok {
					return batch
				}
				batch = append(batch, e)
			default:
				return batch
			}
		}
		return batch
	}
}

// WaitLog is WaitEvent for log lines.
func WaitLog(ch <-chan api.LogLine) tea.Cmd {
	return func() tea.Msg {
		l, ok := <-ch
		if !ok {
			return nil
		}
		return LogMsg{l}
	}
}

// FetchStatus asks the node for its status.
func FetchStatus(ctx context.Context, node api.Service) tea.Cmd {
	return func() tea.Msg {
		st, err := node.Status(ctx)
		if err != nil {
			return ErrMsg{err}
		}
		return StatusMsg{st}
	}
}

// TickMsg is the root's once-a-second clock, for screens that show
// relative times ("3.2s ago") and for the one refresh that cannot wait for
// an event (the Peers screen's, only while it is in front; see FocusMsg).
// Screens never start their own tickers.
type TickMsg struct{ Time time.Time }

// WalletReadyMsg says the wallet is open and unlocked: onboarding or the
// unlock prompt sends it when done.
type WalletReadyMsg struct{ Wallet *wallet.Wallet }

// WalletChangedMsg says the wallet's accounts or labels changed (a derive,
// an import), so screens that list accounts reload.
type WalletChangedMsg struct{}

// FocusMsg tells one screen it came to the front (Focused) or left it: the
// root sends it to the screens concerned when the user switches screens,
// when the console locks and when it unlocks. A screen that refreshes
// while it is looked at (the Peers screen on the root's tick) starts and
// stops on it.
type FocusMsg struct{ Focused bool }

// RefreshStatusMsg asks the root to fetch the node status now (one request
// at a time, as after a block); the answer reaches every screen as
// StatusMsg. A screen that shows what changes between blocks (consensus
// votes) returns it instead of fetching the status itself, so the whole
// console shows one status.
type RefreshStatusMsg struct{}

// RefreshStatus is the command that returns RefreshStatusMsg.
func RefreshStatus() tea.Msg { return RefreshStatusMsg{} }
