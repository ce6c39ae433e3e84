package mempool

import (
	"fmt"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// detail is the open transaction: its fields and receipt in a viewport
// that scrolls when longer than the screen.
type detail struct {
	c     *common.Common
	tx    *api.Tx
	own   map[ethcommon.Address]bool
	vp    viewport.Model
	width int // the width the content was laid out for; -1 forces a layout
}

func newDetail(c *common.Common, tx *api.Tx, own map[ethcommon.Address]bool) *detail {
	return &detail{c: c, tx: tx, own: own, vp: viewport.New(), width: -1}
}

func (d *detail) invalidate() { d.width = -1 }

// layout fits the viewport to the screen and rewraps the content when the
// width changed.
func (d *detail) layout() {
	w, h := max(d.c.Width, 1), max(d.c.Height-1, 1)
	if d.width != w {
		d.vp.SetContentLines(txview.Lines(d.c.Styles, d.tx, w, d.own))
		d.width = w
	}
	d.vp.SetWidth(w)
	d.vp.SetHeight(h)
}

func (d *detail) key(msg tea.KeyPressMsg) {
	d.layout()
	txview.Scroll(&d.vp, d.c.Keys, msg)
}

func (d *detail) view() string {
	d.layout()
	s := d.c.Styles
	foot := s.Subtle.Render("esc back")
	if total := d.vp.TotalLineCount(); total > d.vp.Height() {
		foot += s.Faint.Render(fmt.Sprintf(" · lines %d–%d of %d", d.vp.YOffset()+1,
			min(d.vp.YOffset()+d.vp.Height(), total), total))
	}
	return common.Fit(d.vp.View()+"\n"+foot, d.c.Width, d.c.Height)
}
