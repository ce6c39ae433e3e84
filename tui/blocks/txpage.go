package blocks

import (
	"fmt"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"
	"cairn/tui/styles"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// txPage is an open transaction with its receipt and logs, in a viewport.
type txPage struct {
	c     *common.Common
	tx    *api.Tx
	own   map[ethcommon.Address]bool
	vp    viewport.Model
	width int // the width the content was laid out for; -1 forces a layout
}

func newTxPage(c *common.Common, tx *api.Tx, own map[ethcommon.Address]bool) *txPage {
	return &txPage{c: c, tx: tx, own: own, vp: viewport.New(), width: -1}
}

func (p *txPage) invalidate() { p.width = -1 }

func (p *txPage) layout() {
	w, h := max(p.c.Width, 1), max(p.c.Height-1, 1)
	if p.width != w {
		p.vp.SetContentLines(txview.Lines(p.c.Styles, p.tx, w, p.own))
		p.width = w
	}
	p.vp.SetWidth(w)
	p.vp.SetHeight(h)
}

func (p *txPage) key(msg tea.KeyPressMsg) {
	p.layout()
	txview.Scroll(&p.vp, p.c.Keys, msg)
}

func (p *txPage) view() string {
	p.layout()
	s := p.c.Styles
	return common.Fit(p.vp.View()+"\n"+s.Subtle.Render("esc back to the block")+scrollNote(s, &p.vp), p.c.Width, p.c.Height)
}

// scrollNote says which lines a viewport shows when it cannot show all.
func scrollNote(s *styles.Styles, vp *viewport.Model) string {
	total := vp.TotalLineCount()
	if total <= vp.Height() {
		return ""
	}
	return s.Faint.Render(fmt.Sprintf(" · lines %d–%d of %d", vp.YOffset()+1, min(vp.YOffset()+vp.Height(), total), total))
}
