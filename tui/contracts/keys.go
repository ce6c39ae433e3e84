package contracts

import "charm.land/bubbles/v2/key"

// The Contracts screen's own keys.
var (
	keyOpen   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))
	keyDeploy = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "deploy"))
	keyAdd    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add by address"))
	keyUse    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "call / send"))
	// keyOpenDeployed opens a deployed contract's page from its sent page.
	keyOpenDeployed = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the contract"))
)
