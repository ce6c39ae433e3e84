package tui

import (
	"cairn/tui/accounts"
	"cairn/tui/blocks"
	"cairn/tui/common"
	"cairn/tui/contracts"
	"cairn/tui/dashboard"
	"cairn/tui/logview"
	"cairn/tui/mempool"
	"cairn/tui/peers"
	"cairn/tui/staking"
)

// buildScreens makes the console's screens in tab order.
func buildScreens(c *common.Common) []common.Screen {
	return []common.Screen{
		dashboard.New(c),
		accounts.New(c),
		mempool.New(c),
		blocks.New(c),
		logview.New(c),
		peers.New(c),
		staking.New(c),
		contracts.New(c),
	}
}
