package onboarding

import (
	"cairn/tui/styles"

	"charm.land/bubbles/v2/textinput"
)

// newInput returns a text input drawn with the console's styles. Its
// cursor does not blink: a blinking cursor is a timer, and screens start
// no timers of their own.
func newInput(s *styles.Styles, prompt string, secret bool) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	st := textinput.DefaultStyles(s.IsDark)
	st.Focused.Prompt, st.Blurred.Prompt = s.Accent, s.Subtle
	st.Focused.Text, st.Blurred.Text = s.Value, s.Subtle
	st.Focused.Placeholder, st.Blurred.Placeholder = s.Faint, s.Faint
	st.Cursor.Color = s.Colors.Accent
	st.Cursor.Blink = false
	ti.SetStyles(st)
	if secret {
		ti.EchoMode = textinput.EchoPassword
		ti.EchoCharacter = '•'
	}
	return ti
}
