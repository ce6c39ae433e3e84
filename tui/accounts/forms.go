package accounts

import (
	"cairn/tui/styles"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// newInput returns a text input drawn with the console's styles. Its
// cursor does not blink: a blinking cursor is a timer, and screens start
// no timers of their own.
func newInput(s *styles.Styles, prompt string, secret bool) textinput.Model {
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

// form is the fields of the open form and which has focus.
type form struct {
	inputs []textinput.Model
	focus  int
}

func (f *form) set(width int, inputs ...textinput.Model) tea.Cmd {
	f.inputs, f.focus = inputs, 0
	for i := range f.inputs {
		f.inputs[i].SetWidth(max(min(width-22, 50), 10))
	}
	return f.focusOn(0)
}

func (f *form) focusOn(i int) tea.Cmd {
	if len(f.inputs) == 0 {
		return nil
	}
	i = (i + len(f.inputs)) % len(f.inputs)
	for j := range f.inputs {
		f.inputs[j].Blur()
	}
	f.focus = i
	return f.inputs[i].Focus()
}

// nextEmpty is the next field after the focused one still empty, or -1.
func (f *form) nextEmpty() int {
	for i := f.focus + 1; i < len(f.inputs); i++ {
		if f.inputs[i].Value() == "" {
			return i
		}
	}
	return -1
}

func (f *form) update(msg tea.Msg) tea.Cmd {
	if f.focus >= len(f.inputs) {
		return nil
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return cmd
}

func (f *form) value(i int) string { return f.inputs[i].Value() }

func (f *form) clear() { f.inputs, f.focus = nil, 0 }
