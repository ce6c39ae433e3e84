package tui

import (
	"cairn/tui/accounts"
	"cairn/tui/common"
	"cairn/tui/dashboard"
	"cairn/tui/logview"
)

// buildScreens makes the console's screens in tab order.
func buildScreens(c *common.Common) []common.Screen {
	return []common.Screen{
		dashboard.New(c),
		accounts.New(c),
		logview.New(c),
	}
}
