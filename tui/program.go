package tui

import tea "charm.land/bubbletea/v2"

// frameRate is how many times a second the console may redraw. At 120 a
// key's frame waited half as long (p50 5 ms, not 10), but under full load
// the renders took CPU the node needed, and p99 stayed well under 50 ms at
// 60 as well.
const frameRate = 60

// ProgramOptions are the Bubble Tea options the console runs with, for
// every program that runs a Model.
func ProgramOptions() []tea.ProgramOption {
	return []tea.ProgramOption{tea.WithFPS(frameRate)}
}
