package staking

import "charm.land/bubbles/v2/key"

// The Staking screen's own keys.
var (
	keySwitch     = key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "validators/delegations"))
	keyDelegate   = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delegate"))
	keyUndelegate = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undelegate"))
	keyRedelegate = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "redelegate"))
	keyClaim      = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "claim rewards"))
	keyWithdraw   = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "withdraw unbonded"))
	keyUnjail     = key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "unjail"))

	keyNextField = key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field"))
	keyPrevField = key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field"))
	keySubmit    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue"))
	keyCancel    = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	keyClose     = key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "back"))

	keyConfirm = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "sign and send"))
	keyReject  = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "back"))
)
