package peers

import (
	"context"
	"fmt"
	"time"

	"cairn/node/api"
	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
)

// callTimeout bounds one node call, so a command always returns.
const callTimeout = 10 * time.Second

// peersMsg is the answer to fetchPeers.
type peersMsg struct {
	peers []api.Peer
	err   error
}

func fetchPeers(node api.Service) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		ps, err := node.Peers(ctx)
		if err != nil {
			return peersMsg{err: fmt.Errorf("list peers: %w", err)}
		}
		return peersMsg{peers: ps}
	}
}

// errCmd hands an error to the root's status line.
func errCmd(err error) tea.Cmd {
	return func() tea.Msg { return common.ErrMsg{Err: err} }
}
