// Package txview renders a transaction and its receipt as lines for the
// console's detail views (the Blocks and Mempool screens), wrapped to a
// width so a viewport can scroll them.
package txview

import (
	"strconv"
	"strings"

	"cairn/tui/styles"
	"cairn/wallet"

	"charm.land/lipgloss/v2"

	"github.com/ethereum/go-ethereum/common"
)

// LabelWidth is the width of the label column of Field, spaces included:
// with a 66-character hash it makes exactly 80 columns.
const LabelWidth = 14

// Field renders "label  value", the value hard-wrapped to what is left of
// width after the label column, continuation lines indented under it.
// The label and value are plain text; st styles the value.
func Field(s *styles.Styles, label, value string, st lipgloss.Style, width int) []string {
	lw := min(LabelWidth, max(width/3, 1))
	chunks := Wrap(value, width-lw)
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
		return string(r[:max(w-1, 0)]) + " "
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
func Owned(w *wallet.Wallet) map[common.Address]bool {
	own := map[common.Address]bool{}
	if w == nil {
		return own
	}
	for _, a := range w.Accounts() {
		own[a.Address] = true
	}
	return own
}
