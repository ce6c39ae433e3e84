package accounts

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// form is the fields of the open form and which has focus.
type form struct {
	inputs []textinput.Model
	caps   []int // the widest each field gets
	focus  int
}

// fieldCap is how wide a field grows on a wide screen.
const fieldCap = 50

func (f *form) set(width int, inputs ...textinput.Model) tea.Cmd {
	f.inputs, f.focus = inputs, 0
	f.caps = make([]int, len(inputs))
	for i := range f.caps {
		f.caps[i] = fieldCap
	}
	f.resize(width)
	return f.focusOn(0)
}

// capWidth narrows field i (amounts need less room than addresses).
func (f *form) capWidth(i, w, width int) {
	f.caps[i] = w
	f.resize(width)
}

// resize fits each field, with its prompt, a unit after it and the
// cursor, in width.
func (f *form) resize(width int) {
	for i := range f.inputs {
		room := width - 2 - lipgloss.Width(f.inputs[i].Prompt) - 6
		f.inputs[i].SetWidth(max(min(room, f.caps[i]), 8))
	}
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

func (f *form) clear() { f.inputs, f.caps, f.focus = nil, nil, 0 }
