package txview

import (
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Busy is a spinner for work in flight: it ticks only while the work it
// was started for is out, so a screen runs no ticker when idle. Each Busy
// has its own spinner id, so ticks meant for other screens pass by.
type Busy struct {
	sp      spinner.Model
	ticking bool
}

// NewBusy returns an idle spinner.
func NewBusy() Busy { return Busy{sp: spinner.New(spinner.WithSpinner(spinner.MiniDot))} }

// Start begins ticking (once, however often it is called while ticking).
func (b *Busy) Start() tea.Cmd {
	if b.ticking {
		return nil
	}
	b.ticking = true
	return b.sp.Tick
}

// Tick advances the spinner on its own tick while active (the work is
// still out) and reports whether msg was its tick; when the work is done
// the tick is dropped and the spinner stops.
func (b *Busy) Tick(msg tea.Msg, active bool) (tea.Cmd, bool) {
	t, ok := msg.(spinner.TickMsg)
	if !ok || t.ID != b.sp.ID() {
		return nil, false
	}
	if !active {
		b.ticking = false
		return nil, true
	}
	var cmd tea.Cmd
	b.sp, cmd = b.sp.Update(t)
	return cmd, true
}

// View is the spinner's current frame.
func (b *Busy) View() string { return b.sp.View() }
