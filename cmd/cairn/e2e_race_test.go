//go:build race

package main

// raceEnabled makes the end-to-end tests build the node with the race
// detector too, so races in the real process fail the run.
const raceEnabled = true
