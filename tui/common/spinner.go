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

// Start turns the spinner on (once, however often it is called while
// on); batch its command after the work's, so the
// work is not kept waiting behind a frame.
func (s *Spinner) Start() tea.Cmd {
	if s.on {
		return nil // already turning: one tick chain is enough
	}
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

// Turn is Update for a spinner whose work is polled rather than stopped:
// while busy its tick turns it, once not busy the tick stops it. It
// reports whether msg was this spinner's tick.
func (s *Spinner) Turn(msg tea.Msg, busy bool) (tea.Cmd, bool) {
	t, ok := msg.(spinner.TickMsg)
	if !ok || !s.on || t.ID != s.m.ID() {
		return nil, false
	}
	if !busy {
		s.Stop()
		return nil, true
	}
	return s.Update(msg), true
}

// View is the spinner's frame while on, "" otherwise.
func (s *Spinner) View() string {
	if !s.on {
		return ""
	}
	return s.m.View()
}

// Line is text with the spinner before it while on, text alone otherwise.
func (s *Spinner) Line(text string) string {
	if !s.on || text == "" {
		return text
	}
	return s.m.View() + " " + text
}
