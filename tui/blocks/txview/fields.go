// Package txview renders a transaction and its receipt as lines for the
// console's detail views (the Blocks and Mempool screens), wrapped to a
// width so a viewport can scroll them.
package txview

import (
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"cairn/tui/common"
	"cairn/tui/styles"
	"cairn/wallet"

	"charm.land/lipgloss/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// LabelWidth is the width of the label column of Field, spaces included:
// with a 66-character hash it makes exactly 80 columns.
const LabelWidth = 14

// Field renders "label  value", the value wrapped to what is left of
// width after the label column, continuation lines indented under it:
// words ("(yours)") move whole to the next line, only a word longer than
// a line (a hash) is cut. The label and value are plain text; st styles
// the value.
func Field(s *styles.Styles, label, value string, st lipgloss.Style, width int) []string {
	lw := labelWidth(width)
	return fieldLines(s, label, wrapWords(value, width-lw), st, lw)
}

// wrapWords wraps s at spaces to lines of at most width runes; a word
// longer than a line starts where it stands and runs on, cut by Wrap.
func wrapWords(s string, width int) []string {
	width = max(width, 1)
	if utf8.RuneCountInString(s) <= width {
		return []string{s}
	}
	var out []string
	line := ""
	for _, w := range strings.Split(s, " ") {
		n, used := utf8.RuneCountInString(w), utf8.RuneCountInString(line)
		sep := 0
		if line != "" {
			sep = 1
		}
		switch {
		case used+sep+n <= width:
			if sep == 1 {
				line += " "
			}
			line += w
		case n > width: // a hash: fill this line, run on below
			if sep == 1 {
				line += " "
			}
			pieces := Wrap(line+w, width)
			out = append(out, pieces[:len(pieces)-1]...)
			line = pieces[len(pieces)-1]
		default:
			out = append(out, line)
			line = w
		}
	}
	return append(out, line)
}

// ValueWidth is the room Field leaves its value on one line of width.
func ValueWidth(width int) int { return width - labelWidth(width) }

// labelWidth is the label column for a width: LabelWidth, or down to 12
// columns so a full hash still fits on one line (78 columns beside a
// gutter), less only when very narrow.
func labelWidth(width int) int { return min(LabelWidth, max(width-66, 12), max(width/3, 1)) }

// fieldLines lays out a label and pre-cut value lines.
func fieldLines(s *styles.Styles, label string, chunks []string, st lipgloss.Style, lw int) []string {
	pad := strings.Repeat(" ", lw)
	out := make([]string, len(chunks))
	for i, c := range chunks {
		head := pad
		if i == 0 {
			head = s.Label.Render(padRight(label, lw))
		}
		out[i] = head + st.Render(c)
	}
	return out
}

// dataField renders event data as its 32-byte ABI words, one a line, when
// the width allows; otherwise wrapped like any value.
func dataField(s *styles.Styles, label string, data []byte, st lipgloss.Style, width int) []string {
	lw := labelWidth(width)
	if len(data) == 0 {
		return fieldLines(s, label, []string{"(empty)"}, st, lw)
	}
	hex := hexutil.Encode(data)
	if width-lw < 66 {
		return fieldLines(s, label, Wrap(hex, width-lw), st, lw)
	}
	var chunks []string
	for i, digits := 0, hex[2:]; i < len(digits); i += 64 {
		lead := "  "
		if i == 0 {
			lead = "0x"
		}
		chunks = append(chunks, lead+digits[i:min(i+64, len(digits))])
	}
	return fieldLines(s, label, chunks, st, lw)
}

// Wrap cuts s into pieces of at most width runes (hex strings have no
// spaces to break at). An empty s gives one empty piece.
func Wrap(s string, width int) []string {
	width = max(width, 1)
	r := []rune(s)
	if len(r) <= width {
		return []string{s}
	}
	out := make([]string, 0, len(r)/width+1)
	for len(r) > width {
		out = append(out, string(r[:width]))
		r = r[width:]
	}
	if len(r) > 0 {
		out = append(out, string(r))
	}
	return out
}

func padRight(s string, w int) string {
	r := []rune(s)
	if len(r) >= w {
		if w < 3 {
			return string(r[:max(w-1, 0)]) + " "
		}
		return string(r[:w-2]) + "… " // a label cut says so
	}
	return s + strings.Repeat(" ", w-len(r))
}

// Num writes n with thousands separators: 21000 → "21,000".
func Num(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Owned returns the set of the wallet's addresses, for highlighting the
// user's own transactions; a nil wallet owns nothing.
func Owned(w *wallet.Wallet) map[ethcommon.Address]bool {
	own := map[ethcommon.Address]bool{}
	if w == nil {
		return own
	}
	for _, a := range w.Accounts() {
		own[a.Address] = true
	}
	return own
}

// Abbrev shortens a 0x value to w cells, keeping its head and tail.
func Abbrev(v string, w int) string {
	if len(v) <= w || !strings.HasPrefix(v, "0x") {
		return v
	}
	if w < 6 {
		return v[:max(w, 0)]
	}
	head := 2 + (w-3)/2
	return v[:head] + "…" + v[len(v)-(w-1-head):]
}

// Pad fits a table cell to exactly w cells, cut with an ellipsis when
// longer. Cells hold hex, digits and punctuation, one cell per rune, so
// counting runes measures them without a grapheme walk (tables are redrawn
// often: the Mempool after every event).
func Pad(s string, w int, right bool) string {
	n := utf8.RuneCountInString(s)
	if n > w {
		r := []rune(s)
		if w <= 0 {
			return ""
		}
		return string(r[:w-1]) + "…"
	}
	gap := w - n
	if gap == 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}

// Amount writes wei as CRN with at most decimals digits for a table
// column; a positive amount too small to show is "<0.0001" rather than a
// misleading 0.
func Amount(wei *big.Int, decimals int) string {
	s := common.FormatCRN(wei, decimals)
	if s == "0" && wei != nil && wei.Sign() > 0 && decimals > 0 {
		return "<0." + strings.Repeat("0", decimals-1) + "1"
	}
	return s
}

// Heading is one column's title in a sortable table.
type Heading struct {
	Title  string
	W      int
	Right  bool
	Sorted bool // the table is sorted by this column
}

// Headings draws a sortable table's title row after gutter spaces: each
// title padded to its width, the sorted one marked ▾ (or ▴ when reversed)
// and accented.
func Headings(s *styles.Styles, gutter int, hs []Heading, reversed bool) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", gutter))
	for i, h := range hs {
		if i > 0 {
			b.WriteByte(' ')
		}
		if !h.Sorted {
			b.WriteString(s.Header.Render(Pad(h.Title, h.W, h.Right)))
			continue
		}
		mark := "▾"
		if reversed {
			mark = "▴"
		}
		b.WriteString(s.Accent.Bold(true).Render(Pad(h.Title+mark, h.W, h.Right)))
	}
	return b.String()
}
