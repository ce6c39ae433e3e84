package common

import (
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Spinner turns beside a busy line ("Signing and sending…") while the work
// is in flight, and only then: Start gives the first tick, Update keeps it
// ticking while on, and after Stop the ticks still out fall on the floor,
// so no screen keeps a ticker running. Each Start is a new spinner (a new
// id), so ticks left from an earlier one cannot make it spin faster.
type Spinner struct {
	m  spinner.Model
	on bool
}

// Start turns the spinner on; batch its command after the work's, so the
// work is not kept waiting behind a frame.
func (s *Spinner) Start() tea.Cmd {
	s.m, s.on = spinner.New(spinner.WithSpinner(spinner.MiniDot)), true
	return s.m.Tick
}

// Stop turns the spinner off.
func (s *Spinner) Stop() { s.on = false }

// On reports whether the spinner turns.
func (s *Spinner) On() bool { return s.on }

// Update advances the spinner on its own tick while on.
func (s *Spinner) Update(msg tea.Msg) tea.Cmd {
	t, ok := msg.(spinner.TickMsg)
	if !ok || !s.on || t.ID != s.m.ID() {
		return nil
	}
	var cmd tea.Cmd
	s.m, cmd = s.m.Update(t)
	return cmd
}

// Line is text with the spinner before it while on, text alone otherwise.
func (s *Spinner) Line(text string) string {
	if !s.on || text == "" {
		return text
	}
	return s.m.View() + " " + text
}
