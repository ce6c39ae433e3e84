// Package keymap defines the console's key bindings once, with the help
// text the help bar shows.
package keymap

import "charm.land/bubbles/v2/key"

// KeyMap holds the bindings shared across screens. Screens add their own
// for what only they do.
type KeyMap struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Help      key.Binding
	NextTab   key.Binding
	PrevTab   key.Binding
	Tabs      key.Binding // 1…9 jumps to a screen (help only)
	Up        key.Binding
	Down      key.Binding
	PageUp    key.Binding
	PageDown  key.Binding
	Top       key.Binding
	Bottom    key.Binding
	Enter     key.Binding
	Back      key.Binding
	Lock      key.Binding
	// OpenSent opens the transaction the status line follows (the last
	// one sent from this console).
	OpenSent key.Binding
	// Sort cycles a table's sort column; Reverse flips its direction.
	Sort    key.Binding
	Reverse key.Binding
	// Filter opens the filter under the table in front; Jump opens the
	// prompt that goes to a block, a transaction or an address.
	Filter key.Binding
	Jump   key.Binding
	// Complete completes a name in the jump prompt.
	Complete key.Binding
	// Forms: moving between fields, going on, giving up; Close leaves a
	// page that only shows something.
	NextField key.Binding
	PrevField key.Binding
	Submit    key.Binding
	Cancel    key.Binding
	Close     key.Binding
	// The confirm step before a transaction is signed.
	Confirm key.Binding
	Reject  key.Binding
}

// Default returns the console's key bindings.
func Default() *KeyMap {
	return &KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		NextTab:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		PrevTab:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Tabs:      key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "go to screen")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:      key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Lock:      key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "lock wallet")),
		OpenSent:  key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "open sent tx")),
		Sort:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Reverse:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Jump:      key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "jump")),
		Complete:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Close:     key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "back")),
		Confirm:   key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "sign and send")),
		Reject:    key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "back to the form")),
	}
}
