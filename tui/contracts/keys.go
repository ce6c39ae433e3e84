package contracts

import "charm.land/bubbles/v2/key"

// The Contracts screen's own keys.
var (
	keyOpen   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))
	keyDeploy = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "deploy"))
	keyAdd    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add"))
	keyUse    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "call / send"))
	// keyOpenDeployed opens a deployed contract's page from its sent page.
	keyOpenDeployed = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the contract"))
	// keyLeaveSent leaves a sent page that enter does not (enter opens the contract).
	keyLeaveSent = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
)
