package accounts

import "charm.land/bubbles/v2/key"

// The Accounts screen's own keys.
var (
	keyDerive  = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "derive new"))
	keySend    = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send"))
	keyReceive = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "receive"))
	keyExport  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export keystore"))
	keyLabel   = key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "label"))
	keyDefault = key.NewBinding(key.WithKeys("*"), key.WithHelp("*", "make default"))
	keyDetails = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details"))

	keyNextField = key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field"))
	keyPrevField = key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field"))
	keySubmit    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue"))
	keyCancel    = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	keyClose     = key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "back"))

	keyConfirm = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "sign and send"))
	keyReject  = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "back to the form"))
)
