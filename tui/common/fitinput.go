package common

import (
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// FitInput sizes an input to its text (the input draws its cursor past it), at
// most `most` cells, and scrolls it again for that width: an input sized
// when drawn, after keys typed at another width, would otherwise keep the
// scroll of the old width and hide text that fits.
func FitInput(ti *textinput.Model, most int) {
	ti.SetWidth(max(min(lipgloss.Width(ti.Value()), most), 1))
	ti.SetCursor(ti.Position())
}
