package tui

import (
	"cairn/tui/accounts"
	"cairn/tui/blocks"
	"cairn/tui/common"
	"cairn/tui/contracts"
	"cairn/tui/dashboard"
	"cairn/tui/jump"
	"cairn/tui/logview"
	"cairn/tui/mempool"
	"cairn/tui/peers"
	"cairn/tui/staking"
)

// The screens' places in the tab order (buildScreens).
const (
	screenDashboard = iota
	screenAccounts
	screenMempool
	screenBlocks
	screenLogs
	screenPeers
	screenStaking
	screenContracts
)

// jumpScreens are the screens the jump prompt opens things on.
var jumpScreens = map[jump.Screen]int{
	jump.ToBlocks:    screenBlocks,
	jump.ToContracts: screenContracts,
	jump.ToStaking:   screenStaking,
}

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
