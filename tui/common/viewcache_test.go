package common

import "testing"

func TestViewCacheRedrawsOnlyWhenStale(t *testing.T) {
	c := NewCommon()
	c.Width, c.Height = 80, 20
	var v ViewCache
	draws := 0
	draw := func() string { draws++; return "x" }
	v.View(c, draw)
	v.View(c, draw)
	if draws != 1 {
		t.Fatalf("%d draws for an unchanged screen, want 1", draws)
	}
	v.Invalidate()
	v.View(c, draw)
	c.Width = 100
	v.View(c, draw)
	c.Styles = NewCommon().Styles
	v.View(c, draw)
	if draws != 4 {
		t.Fatalf("%d draws after invalidate, resize and restyle, want 4", draws)
	}
}
