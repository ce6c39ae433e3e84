package common

import (
	"cairn/tui/styles"

	"charm.land/bubbles/v2/textinput"
)

// NewInput returns a text input drawn with the console's styles. Its
// cursor does not blink: a blinking cursor is a timer, and screens start
// no timers of their own. A secret input shows dots, never the text.
func NewInput(s *styles.Styles, prompt string, secret bool) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	st := textinput.DefaultStyles(s.IsDark)
	st.Focused.Prompt, st.Blurred.Prompt = s.Accent, s.Label
	st.Focused.Text, st.Blurred.Text = s.Value, s.Value
	st.Focused.Placeholder, st.Blurred.Placeholder = s.Faint, s.Faint
	st.Cursor.Color = s.Colors.Accent
	st.Cursor.Blink = false
	ti.SetStyles(st)
	ti.CharLimit = 256
	if secret {
		ti.EchoMode = textinput.EchoPassword
		ti.EchoCharacter = '•'
	}
	return ti
}
