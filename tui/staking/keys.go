package staking

import "charm.land/bubbles/v2/key"

// The Staking screen's own keys.
var (
	keySwitch     = key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "table"))
	keyDelegate   = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delegate"))
	keyUndelegate = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undelegate"))
	keyRedelegate = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "redelegate"))
	keyClaim      = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "claim"))
	keyWithdraw   = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "withdraw"))
	keyUnjail     = key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "unjail"))
)
