package mempool

import (
	"context"
	"fmt"
	"time"

	"cairn/node/api"
	"cairn/tui/common"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// callTimeout bounds one node call, so a command always returns.
const callTimeout = 10 * time.Second

// mempoolMsg is the answer to fetchMempool.
type mempoolMsg struct {
	mp  *api.Mempool
	err error
}

// txMsg is the answer to fetchTx.
type txMsg struct {
	hash ethcommon.Hash
	tx   *api.Tx
	err  error
}

func fetchMempool(node api.Service) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		mp, err := node.Mempool(ctx)
		if err != nil {
			return mempoolMsg{err: fmt.Errorf("read the mempool: %w", err)}
		}
		return mempoolMsg{mp: mp}
	}
}

func fetchTx(node api.Service, h ethcommon.Hash) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		tx, err := node.Tx(ctx, h)
		if err != nil {
			return txMsg{hash: h, err: fmt.Errorf("read transaction %s: %w", common.ShortHash(h.Hex()), err)}
		}
		return txMsg{hash: h, tx: tx}
	}
}

// errCmd hands an error to the root's status line.
func errCmd(err error) tea.Cmd {
	return func() tea.Msg { return common.ErrMsg{Err: err} }
}
