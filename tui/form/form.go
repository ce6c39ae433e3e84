// Package form is the console's forms: a column of text fields with one in
// focus, and the parsing of what users type into them (addresses, amounts
// of CRN and gwei), with errors worded for the field they belong to.
package form

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Form is the fields of the open form and which has focus. The zero value
// is an empty form.
type Form struct {
	Inputs []textinput.Model
	caps   []int // the widest each field gets
	Focus  int
}

// fieldCap is how wide a field grows on a wide screen.
const fieldCap = 50

// Set opens the form with inputs, fitted to width, the first in focus.
func (f *Form) Set(width int, inputs ...textinput.Model) tea.Cmd {
	f.Inputs, f.Focus = inputs, 0
	f.caps = make([]int, len(inputs))
	for i := range f.caps {
		f.caps[i] = fieldCap
	}
	f.Resize(width)
	return f.FocusOn(0)
}

// CapWidth narrows field i (amounts need less room than addresses).
func (f *Form) CapWidth(i, w, width int) {
	f.caps[i] = w
	f.Resize(width)
}

// Resize fits each field, with its prompt, a unit after it and the
// cursor, in width.
func (f *Form) Resize(width int) {
	for i := range f.Inputs {
		room := width - 2 - lipgloss.Width(f.Inputs[i].Prompt) - 6
		f.Inputs[i].SetWidth(max(min(room, f.caps[i]), 8))
	}
}

// FocusOn moves the focus to field i (wrapping around both ends).
func (f *Form) FocusOn(i int) tea.Cmd {
	if len(f.Inputs) == 0 {
		return nil
	}
	i = (i + len(f.Inputs)) % len(f.Inputs)
	for j := range f.Inputs {
		f.Inputs[j].Blur()
	}
	f.Focus = i
	return f.Inputs[i].Focus()
}

// NextEmpty is the next field after the focused one still empty, or -1.
func (f *Form) NextEmpty() int {
	for i := f.Focus + 1; i < len(f.Inputs); i++ {
		if f.Inputs[i].Value() == "" {
			return i
		}
	}
	return -1
}

// Update passes msg (a key, a paste) to the field in focus.
func (f *Form) Update(msg tea.Msg) tea.Cmd {
	if f.Focus >= len(f.Inputs) {
		return nil
	}
	var cmd tea.Cmd
	f.Inputs[f.Focus], cmd = f.Inputs[f.Focus].Update(msg)
	return cmd
}

// Value is what field i holds.
func (f *Form) Value(i int) string { return f.Inputs[i].Value() }

// Clear closes the form.
func (f *Form) Clear() { f.Inputs, f.caps, f.Focus = nil, nil, 0 }

// Blur takes the focus from every field (a confirm step shows the form's
// values without a cursor).
func (f *Form) Blur() {
	for i := range f.Inputs {
		f.Inputs[i].Blur()
	}
}
