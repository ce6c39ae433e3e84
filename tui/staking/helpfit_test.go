package staking

import (
	"testing"

	"cairn/tui/tuitest"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// helpRoom is the most of a 60-column help bar the screen's own keys may
// take: the root adds its global ones after them.
const helpRoom = 46

func TestTheHelpBarLeavesRoomForTheGlobalKeys(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *env{
		"validators":  func(t *testing.T) *env { return setup(t, 60, 20) },
		"delegations": func(t *testing.T) *env { e := setup(t, 60, 20); e.drive(t, tuitest.Key("right")); return e },
		"form":        func(t *testing.T) *env { e := setup(t, 60, 20); e.drive(t, tuitest.Keys("down", "d")...); return e },
		"confirm": func(t *testing.T) *env {
			e := setup(t, 60, 20)
			e.drive(t, tuitest.Keys("down", "d")...)
			e.drive(t, tuitest.Typed("1000", "enter")...)
			return e
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := open(t)
			if got := lipgloss.Width(help.New().ShortHelpView(e.s.ShortHelp())); got > helpRoom {
				t.Fatalf("the help takes %d columns of 60: %s", got, help.New().ShortHelpView(e.s.ShortHelp()))
			}
		})
	}
}
