package tui

import tea "charm.land/bubbletea/v2"

// frameRate is how many times a second the console may redraw. Bubble
// Tea's highest: a key's frame waits at most one frame (8 ms) for the
// renderer, and a frame that did not change costs only a comparison.
const frameRate = 120

// ProgramOptions are the Bubble Tea options the console runs with, for
// every program that runs a Model.
func ProgramOptions() []tea.ProgramOption {
	return []tea.ProgramOption{tea.WithFPS(frameRate)}
}
