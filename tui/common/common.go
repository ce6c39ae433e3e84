// Package common is what every console screen shares: the Screen contract,
// the Common context (size, styles, keys, the node, the wallet, a clock),
// the messages the root routes, and the formatting of amounts and hashes.
package common

import (
	"time"

	"cairn/node/api"
	"cairn/tui/keymap"
	"cairn/tui/styles"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Logs is where the console reads the node's own log lines: the node's
// in-memory buffer (cairn/node/logs) when it runs in the console's process.
type Logs interface {
	// Recent returns the lines kept, oldest first.
	Recent() []api.LogLine
	// Subscribe returns a channel of new lines (a slow reader misses
	// some) and a function that ends the subscription.
	Subscribe(buffer int) (<-chan api.LogLine, func())
}

// Common is shared by the root and every screen. Screens hold a pointer,
// so a change of size, style or wallet reaches all of them.
type Common struct {
	Width, Height int // the area a screen may draw in
	Styles        *styles.Styles
	Keys          *keymap.KeyMap
	// Node is the node the console shows: the same calls that back the
	// REST API, so the console could attach to a remote node.
	Node api.Service
	Logs Logs // nil when the node's logs are not available
	// Remote is the URL of the node's API when the console is attached to
	// a node in another process ("" for a node in this one).
	Remote string
	Wallet *wallet.Wallet
	// Home is the Cairn home, where the address book of contracts lives
	// ("" when there is none).
	Home string
	// Status is the latest node status the root fetched (nil before the
	// first).
	Status *api.Status
	Now    func() time.Time
}

// NewCommon returns a Common with the default styles (dark), keys and
// clock.
func NewCommon() *Common {
	return &Common{Styles: styles.DefaultStyles(true), Keys: keymap.Default(), Now: time.Now}
}

// Screen is one page of the console. Screens are driven by the root:
// window sizes reach every screen through SetSize, keys only the screen in
// front, node events every screen (so each stays current while hidden).
type Screen interface {
	// Title names the screen in the tab bar.
	Title() string
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View() string
	// SetSize tells the screen the area it may draw in.
	SetSize(width, height int)
	// ShortHelp and FullHelp are the screen's own key bindings for the
	// help bar and the ? overlay.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing reports whether the screen is taking text input, so the
	// root passes every key to it (q types a q instead of quitting).
	Capturing() bool
}
