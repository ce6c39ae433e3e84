package accounts

import "charm.land/bubbles/v2/key"

// The Accounts screen's own keys.
var (
	keyDerive  = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "derive new"))
	keySend    = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send"))
	keyReceive = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "receive"))
	keyExport  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export keystore"))
	keyWords   = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "recovery words"))
	keyLabel   = key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "label"))
	keyDefault = key.NewBinding(key.WithKeys("*"), key.WithHelp("*", "make default"))
	keyDetails = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details"))
)

// keyBack leaves an account's details for the list.
var keyBack = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
