package blocks

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// blockPage is an open block: its header fields, then its transactions,
// one selectable row each, in a viewport. The rows are plain text styled
// per visible line (selection, the user's own), so moving the cursor
// rebuilds nothing.
type blockPage struct {
	c      *common.Common
	b      *api.Block
	own    map[ethcommon.Address]bool
	vp     viewport.Model
	width  int // the width the content was laid out for; -1 forces a layout
	cursor int // selected transaction
	txLine int // content line of the first transaction row
}

func newBlockPage(c *common.Common, b *api.Block, own map[ethcommon.Address]bool) *blockPage {
	p := &blockPage{c: c, b: b, own: own, vp: viewport.New(), width: -1}
	p.vp.StyleLineFunc = p.styleLine
	p.vp.LeftGutterFunc = p.gutter
	return p
}

func (p *blockPage) invalidate() { p.width = -1 }

// txs are the block's transactions as objects (nil ones skipped).
func (p *blockPage) txs() []*api.Tx { return p.b.FullTransactions }

// selected is the transaction under the cursor, or nil.
func (p *blockPage) selected() *api.Tx {
	if p.cursor < len(p.txs()) {
		return p.txs()[p.cursor]
	}
	return nil
}

// gutter marks the selected transaction's row.
func (p *blockPage) gutter(g viewport.GutterContext) string {
	if !g.Soft && len(p.txs()) > 0 && g.Index == p.txLine+p.cursor {
		return "› "
	}
	return "  "
}

func (p *blockPage) layout() {
	w, h := max(p.c.Width, 1), max(p.c.Height-1, 1)
	if p.width != w {
		cw := max(w-2, 1) // the gutter takes two columns
		lines := p.header(cw)
		p.txLine = len(lines)
		for i, tx := range p.txs() {
			lines = append(lines, txRow(i, tx, cw))
		}
		p.vp.SetContentLines(lines)
		p.width = w
	}
	p.vp.SetWidth(w)
	p.vp.SetHeight(h)
}

// header is the block's fields over its transactions. Where a hash does
// not fit on a line (a narrow terminal), the secondary hashes (parent,
// state root, VRF) shorten to one line with an ellipsis and the round
// joins the time, so the first transactions still show on the first
// screen.
func (p *blockPage) header(w int) []string {
	s, b := p.c.Styles, p.b
	vw := txview.ValueWidth(w)
	narrow := vw < 66
	short := func(v string) string {
		if narrow {
			return txview.Abbrev(v, vw)
		}
		return v
	}
	out := []string{s.Title.Render(fmt.Sprintf("Block %s", txview.Num(b.Height)))}
	add := func(label, value string) { out = append(out, txview.Field(s, label, value, s.Value, w)...) }
	add("Hash", b.Hash.Hex())
	add("Parent", short(b.ParentHash.Hex()))
	at := time.UnixMilli(int64(b.Time)).UTC().Format("2006-01-02 15:04:05.000 UTC")
	if narrow {
		add("Time", fmt.Sprintf("%s, round %d", at, b.Round))
	} else {
		add("Time", at)
	}
	prop := b.Proposer.Hex()
	if p.own[b.Proposer] {
		if narrow { // the mark must fit beside it
			prop = txview.Abbrev(b.Proposer.Hex(), vw-len(" (yours)"))
		}
		prop += " (yours)"
	}
	add("Proposer", prop)
	if !narrow {
		add("Round", fmt.Sprint(b.Round))
	}
	add("State root", short(b.StateRoot.Hex()))
	gas := fmt.Sprintf("%s of %s", txview.Num(b.GasUsed), txview.Num(b.GasLimit))
	if b.GasLimit > 0 {
		gas += fmt.Sprintf(" (%.2f%%)", float64(b.GasUsed)*100/float64(b.GasLimit))
	}
	add("Gas used", gas)
	fee := "—"
	if b.BaseFee != nil {
		fee = common.FormatGwei((*big.Int)(b.BaseFee)) + " gwei"
	}
	add("Base fee", fee)
	add("VRF output", short(hexutil.Encode(b.VRF.Output)))
	if b.Commit == nil {
		add("Signers", "none (no commit)")
	} else {
		for i, a := range b.Commit.Signers {
			label := ""
			if i == 0 {
				label = fmt.Sprintf("Signers (%d)", len(b.Commit.Signers))
			}
			out = append(out, txview.Field(s, label, a.Hex(), s.Value, w)...)
		}
	}
	if !narrow {
		out = append(out, "")
	}
	out = append(out, s.Title.Render(fmt.Sprintf("Transactions (%s)", txview.Num(uint64(b.TxCount)))))
	if len(p.txs()) == 0 {
		return append(out, s.Subtle.Render("none"))
	}
	return append(out, s.Header.Render(txRowTitles(w)))
}

// txLayout is the width of the hash, from and to columns of a transaction
// row (index, hash, from, to, value, status); from is 0, and left out,
// when the row is too narrow for three addresses worth reading.
func txLayout(w int) (hash, from, to int) {
	const fixed = 5 + 14 + 7 // index, value, status
	if f := (w - fixed - 5) / 3; f >= 11 {
		return f, f, f
	}
	f := max((w-fixed-4)/2, 11)
	return f, 0, f
}

func txRowTitles(w int) string {
	hw, fw, tw := txLayout(w)
	cols := []string{txview.Pad("#", 5, true), txview.Pad("hash", hw, false)}
	if fw > 0 {
		cols = append(cols, txview.Pad("from", fw, false))
	}
	cols = append(cols, txview.Pad("to", tw, false), txview.Pad("value CRN", 14, true), txview.Pad("status", 7, false))
	return strings.Join(cols, " ")
}

func txRow(i int, tx *api.Tx, w int) string {
	if tx == nil {
		return txview.Pad(fmt.Sprintf("%5d (missing)", i), w, false)
	}
	hw, fw, tw := txLayout(w)
	to := "(create)"
	if tx.To != nil {
		to = txview.Abbrev(tx.To.Hex(), tw)
	}
	status := "pending"
	if r := tx.Receipt; r != nil {
		status = "ok"
		if r.Status != 1 {
			status = "failed"
		}
	}
	value := "—"
	if tx.Value != nil {
		value = txview.Amount((*big.Int)(tx.Value), 4)
	}
	cols := []string{txview.Pad(fmt.Sprint(i), 5, true), txview.Pad(txview.Abbrev(tx.Hash.Hex(), hw), hw, false)}
	if fw > 0 {
		cols = append(cols, txview.Pad(txview.Abbrev(tx.From.Hex(), fw), fw, false))
	}
	cols = append(cols, txview.Pad(to, tw, false), txview.Pad(value, 14, true), txview.Pad(status, 7, false))
	return txview.Pad(strings.Join(cols, " "), w, false)
}

// styleLine styles the visible transaction rows: the selected one, the
// user's own.
func (p *blockPage) styleLine(line int) lipgloss.Style {
	s := p.c.Styles
	i := line - p.txLine
	if i < 0 || i >= len(p.txs()) {
		return lipgloss.NewStyle()
	}
	tx := p.txs()[i]
	own := tx != nil && (p.own[tx.From] || (tx.To != nil && p.own[*tx.To]))
	switch {
	case i == p.cursor && own:
		return s.Selected.Bold(true).Foreground(s.Colors.Accent)
	case i == p.cursor:
		return s.Selected
	case own:
		return s.Highlight
	case tx != nil && tx.Receipt != nil && tx.Receipt.Status != 1:
		return s.Error
	}
	return s.Value
}

// key moves the transaction cursor (keeping it in view) or, in a block
// without transactions, scrolls.
func (p *blockPage) key(msg tea.KeyPressMsg) {
	p.layout()
	k, n := p.c.Keys, len(p.txs())
	if n == 0 {
		txview.Scroll(&p.vp, k, msg)
		return
	}
	page := max(p.vp.Height()-1, 1)
	switch {
	case key.Matches(msg, k.Up):
		if p.cursor == 0 {
			p.vp.GotoTop() // up past the first row shows the header
			return
		}
		p.cursor--
	case key.Matches(msg, k.Down):
		p.cursor++
	case key.Matches(msg, k.PageUp):
		if p.cursor == 0 {
			p.vp.GotoTop()
			return
		}
		p.cursor -= page
	case key.Matches(msg, k.PageDown):
		p.cursor += page
	case key.Matches(msg, k.Top):
		p.cursor = 0
		p.vp.GotoTop()
		return
	case key.Matches(msg, k.Bottom):
		p.cursor = n - 1
	default:
		return
	}
	p.cursor = min(max(p.cursor, 0), n-1)
	line, off, h := p.txLine+p.cursor, p.vp.YOffset(), p.vp.Height()
	switch {
	case line < off:
		p.vp.SetYOffset(line)
	case line >= off+h:
		p.vp.SetYOffset(line - h + 1)
	}
}

func (p *blockPage) view() string {
	p.layout()
	s := p.c.Styles
	foot := "esc back"
	if len(p.txs()) > 0 {
		foot = "enter open transaction · " + foot
	}
	return common.Fit(p.vp.View()+"\n"+s.Subtle.Render(foot)+txview.ScrollNote(s, &p.vp), p.c.Width, p.c.Height)
}
