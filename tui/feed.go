package tui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"cairn/node/api"
	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
)

// The event feed is the console's one subscription to the node's events.
// When it ends while the console runs (a node attached over the network
// went away, or the connection to it broke), the status line says so and
// the console subscribes again, backing off, until the node answers; then
// it fetches the status and the screens carry on with the next events
// (each fills the gap it missed: the Blocks screen fetches the blocks
// between, the Mempool screen refetches on every block). Requests the
// screens make meanwhile fail with their own errors, which the lost-
// connection line stands over.

// Retry pace: the first retry is at once, then retryFirst, doubling up to
// retryMax between attempts. subscribeTimeout bounds one attempt (a host
// that drops packets would otherwise hold it for the dialer's timeout).
const (
	retryFirst       = 250 * time.Millisecond
	retryMax         = 5 * time.Second
	subscribeTimeout = 10 * time.Second
)

// feed is the state of the subscription.
type feed struct {
	lost     bool               // the feed ended and is not back yet
	attempts int                // failed attempts since it was lost
	err      error              // why the last attempt failed
	gen      int                // the newest retry timer; older ones are void
	busy     bool               // an attempt is in flight
	cancel   context.CancelFunc // ends the current subscription
}

type (
	subscribedMsg struct {
		events <-chan api.Event
		cancel context.CancelFunc
	}
	subscribeFailedMsg struct{ err error }
	resubscribeMsg     struct{ gen int }
)

// stop ends the current subscription, if any.
func (f *feed) stop() {
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
	}
}

// backoff is the wait before the next attempt.
func (f *feed) backoff() time.Duration {
	return min(retryFirst<<min(max(f.attempts-1, 0), 5), retryMax)
}

// subscribe asks the node for its events, one attempt at a time.
func (m *Model) subscribe() tea.Cmd {
	if m.feed.busy || m.c.Node == nil {
		return nil
	}
	m.feed.busy = true
	node, parent := m.c.Node, m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithCancel(parent)
		timer := time.AfterFunc(subscribeTimeout, cancel)
		events, err := node.Subscribe(ctx)
		if !timer.Stop() && err == nil {
			err = fmt.Errorf("subscribe: no answer in %v", subscribeTimeout)
		}
		if err != nil {
			cancel()
			return subscribeFailedMsg{err}
		}
		return subscribedMsg{events, cancel}
	}
}

func (m *Model) onSubscribed(msg subscribedMsg) tea.Cmd {
	m.feed.busy = false
	if m.ctx.Err() != nil {
		msg.cancel()
		return nil
	}
	m.feed.stop()
	m.feed.cancel, m.events = msg.cancel, msg.events
	cmds := []tea.Cmd{common.WaitEvents(msg.events)}
	if m.feed.lost {
		m.feed.lost, m.feed.attempts, m.feed.err = false, 0, nil
		m.feed.gen++
		m.setNotice("connection to "+m.nodeName()+" restored", false)
		cmds = append(cmds, m.refreshStatus())
	}
	return tea.Batch(cmds...)
}

// onFeedEnded marks the feed lost and tries again at once.
func (m *Model) onFeedEnded() tea.Cmd {
	if m.ctx.Err() != nil || m.c.Node == nil {
		return nil
	}
	m.feed.stop()
	m.events = nil
	if !m.feed.lost {
		m.feed.lost, m.feed.attempts, m.feed.err = true, 0, nil
	}
	return m.subscribe()
}

func (m *Model) onSubscribeFailed(err error) tea.Cmd {
	m.feed.busy = false
	if m.ctx.Err() != nil {
		return nil
	}
	m.feed.lost = true // also when the very first attempt fails
	m.feed.attempts++
	m.feed.err = err
	m.feed.gen++
	gen := m.feed.gen
	return tea.Tick(m.feed.backoff(), func(time.Time) tea.Msg { return resubscribeMsg{gen} })
}

func (m *Model) onResubscribe(gen int) tea.Cmd {
	if gen != m.feed.gen || !m.feed.lost || m.ctx.Err() != nil {
		return nil
	}
	return m.subscribe()
}

// nodeName is how the status line names the node.
func (m *Model) nodeName() string {
	if m.opts.Remote != "" {
		return m.opts.Remote
	}
	return "the node"
}

// lostLine is the status line while the feed is lost.
func (m *Model) lostLine() string {
	line := "connection lost to " + m.nodeName() + ", retrying…"
	if m.opts.Remote == "" {
		line = "the node's event feed ended, retrying…"
	}
	if m.feed.err != nil {
		line += fmt.Sprintf(" (attempt %d: %s)", m.feed.attempts, cause(m.feed.err))
	}
	return line
}

// cause is the part of a failed request's error that says what went
// wrong, without the method, URL and address the line already names.
func cause(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
