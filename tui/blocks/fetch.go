package blocks

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

// blocksMsg is the answer to fetchBlocks: a page of block headers.
type blocksMsg struct {
	blocks []*api.Block
	older  bool // a page below the list, not the newest
	err    error
}

// blockMsg is the answer to fetchBlock: one block with its transactions.
type blockMsg struct {
	hash  ethcommon.Hash
	block *api.Block
	err   error
}

// fetchBlocks lists limit blocks from a height (ascending) or, from
// api.Latest, the newest (descending).
func fetchBlocks(node api.Service, from uint64, limit int, older bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		bs, err := node.Blocks(ctx, from, limit)
		if err != nil {
			return blocksMsg{older: older, err: fmt.Errorf("list blocks: %w", err)}
		}
		return blocksMsg{blocks: bs, older: older}
	}
}

// fetchBlock reads one block with its transactions and receipts.
func fetchBlock(node api.Service, h ethcommon.Hash) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		b, err := node.Block(ctx, h.Hex(), true)
		if err != nil {
			return blockMsg{hash: h, err: fmt.Errorf("read block %s: %w", common.ShortHash(h.Hex()), err)}
		}
		return blockMsg{hash: h, block: b}
	}
}

// errCmd hands an error to the root's status line.
func errCmd(err error) tea.Cmd {
	return func() tea.Msg { return common.ErrMsg{Err: err} }
}
