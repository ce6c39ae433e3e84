package common

import "cairn/tui/styles"

// ViewCache keeps a screen's last drawing: Bubble Tea asks for a view after
// every message, and a busy screen (thousands of events a second) need not
// redraw for messages that changed nothing it shows. The zero value draws
// on first use.
type ViewCache struct {
	valid bool
	view  string
	w, h  int
	s     *styles.Styles
}

// Invalidate marks the drawing stale: something shown changed.
func (v *ViewCache) Invalidate() { v.valid = false }

// View returns the kept drawing if it is still valid for c's size and
// styles, else draws anew with draw and keeps that.
func (v *ViewCache) View(c *Common, draw func() string) string {
	if v.valid && v.s == c.Styles && v.w == c.Width && v.h == c.Height {
		return v.view
	}
	v.view = draw()
	v.valid, v.s, v.w, v.h = true, c.Styles, c.Width, c.Height
	return v.view
}
