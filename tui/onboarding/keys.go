package onboarding

import "charm.land/bubbles/v2/key"

// The gate's own keys. Esc alone goes back (backspace edits text).
var (
	keyEnter    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue"))
	keyBack     = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
	keyNext     = key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field"))
	keyPrev     = key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field"))
	keyUp       = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose"))
	keyDown     = key.NewBinding(key.WithKeys("down", "j"))
	keyWordsLen = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "12/24 words"))
	keyQuit     = key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))
)
