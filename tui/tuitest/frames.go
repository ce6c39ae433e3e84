package tuitest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Frames wraps a program's model so a test reads the last frame it drew,
// whole. A program's output stream cannot tell what the screen shows: the
// renderer sends only the cells that changed. The model must be one whose
// Update returns itself (a pointer model, as the console's root is).
type Frames struct {
	model tea.Model
	mu    sync.Mutex
	last  string        // the last frame, ANSI-stripped
	drawn chan struct{} // signalled (without blocking) after each frame
}

// NewFrames wraps m.
func NewFrames(m tea.Model) *Frames { return &Frames{model: m, drawn: make(chan struct{}, 1)} }

// Init implements tea.Model.
func (f *Frames) Init() tea.Cmd { return f.model.Init() }

// Update runs the model's Update and keeps the wrapper as the model.
func (f *Frames) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := f.model.Update(msg)
	return f, cmd
}

// View draws the model and keeps the frame.
func (f *Frames) View() tea.View {
	v := f.model.View()
	f.mu.Lock()
	f.last = ansi.Strip(v.Content)
	f.mu.Unlock()
	select {
	case f.drawn <- struct{}{}:
	default:
	}
	return v
}

// Frame is the last frame drawn, ANSI-stripped.
func (f *Frames) Frame() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Await waits, up to timeout, for a frame for which ok holds and returns
// it; it fails the test with the last frame otherwise.
func (f *Frames) Await(t testing.TB, timeout time.Duration, what string, ok func(frame string) bool) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if fr := f.Frame(); ok(fr) {
			return fr
		}
		select {
		case <-f.drawn:
		case <-deadline:
			t.Fatalf("the console never showed %s within %v; last frame:\n%s", what, timeout, f.Frame())
		}
	}
}

// Must waits, up to timeout, for a frame holding every want.
func (f *Frames) Must(t testing.TB, timeout time.Duration, want ...string) string {
	t.Helper()
	return f.Await(t, timeout, fmt.Sprintf("%q", want), func(fr string) bool {
		for _, w := range want {
			if !strings.Contains(fr, w) {
				return false
			}
		}
		return true
	})
}
