package txview

import (
	"fmt"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/styles"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// Page is an open transaction with its receipt and logs, in a viewport
// that scrolls when it is longer than the screen. The Blocks and Mempool
// screens both show transactions with it.
type Page struct {
	c      *common.Common
	tx     *api.Tx
	own    map[ethcommon.Address]bool
	footer string
	vp     viewport.Model
	width  int // the width the content was laid out for; -1 forces a layout

	fetch   common.OneAtATime // the refetch once the transaction is included
	busy    common.Spinner    // spins while the refetch is out
	dropped string            // why the node dropped it, once it did
}

// NewPage opens tx; own marks the user's addresses; footer is the hint
// under the page ("esc back").
func NewPage(c *common.Common, tx *api.Tx, own map[ethcommon.Address]bool, footer string) *Page {
	return &Page{c: c, tx: tx, own: own, footer: footer, vp: viewport.New(), width: -1}
}

// Tx is the transaction the page shows, as last read from the node.
func (p *Page) Tx() *api.Tx { return p.tx }

// SetOwn changes which addresses are the user's and redraws.
func (p *Page) SetOwn(own map[ethcommon.Address]bool) { p.own = own; p.Invalidate() }

// Invalidate forces a new layout (new styles, new size).
func (p *Page) Invalidate() { p.width = -1 }

func (p *Page) layout() {
	w, h := max(p.c.Width, 1), max(p.c.Height-1, 1)
	if p.width != w {
		p.vp.SetContentLines(Lines(p.c.Styles, p.shown(), w, p.own))
		p.width = w
	}
	p.vp.SetWidth(w)
	p.vp.SetHeight(h)
}

// Key scrolls the page.
func (p *Page) Key(msg tea.KeyPressMsg) {
	p.layout()
	Scroll(&p.vp, p.c.Keys, msg)
}

// View draws the page and its footer within the screen's area.
func (p *Page) View() string {
	p.layout()
	s := p.c.Styles
	foot := s.Subtle.Render(p.footer)
	if p.fetch.Out() {
		foot += s.Subtle.Render(" · ") + s.Accent.Render(p.busy.View()) + s.Subtle.Render(" reading the receipt…")
	}
	return common.Fit(p.vp.View()+"\n"+foot+ScrollNote(s, &p.vp), p.c.Width, p.c.Height)
}

// ScrollNote says which lines a viewport shows when it cannot show all.
func ScrollNote(s *styles.Styles, vp *viewport.Model) string {
	total := vp.TotalLineCount()
	if total <= vp.Height() {
		return ""
	}
	return s.Faint.Render(fmt.Sprintf(" · lines %d–%d of %d", vp.YOffset()+1, min(vp.YOffset()+vp.Height(), total), total))
}
