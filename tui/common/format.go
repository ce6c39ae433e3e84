package common

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/ethereum/go-ethereum/common"
)

var weiPerCRN = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

// FormatCRN writes an amount of wei as CRN with at most decimals digits
// after the point (trailing zeros dropped), with thousands separators:
// 1234500000000000000000 → "1,234.5". It truncates, never rounds up, so a
// balance is never shown as more than it is.
func FormatCRN(wei *big.Int, decimals int) string {
	if wei == nil {
		return "—"
	}
	neg := wei.Sign() < 0
	abs := new(big.Int).Abs(wei)
	whole, frac := new(big.Int).QuoRem(abs, weiPerCRN, new(big.Int))
	s := groupThousands(whole.String())
	if decimals > 0 && frac.Sign() > 0 {
		f := fmt.Sprintf("%018s", frac.String())[:min(decimals, 18)]
		if f = strings.TrimRight(f, "0"); f != "" {
			s += "." + f
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

func groupThousands(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatGwei writes an amount of wei as gwei with up to 3 decimals.
func FormatGwei(wei *big.Int) string {
	if wei == nil {
		return "—"
	}
	g := new(big.Float).Quo(new(big.Float).SetInt(wei), big.NewFloat(1e9))
	s := g.Text('f', 3)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// ShortHash abbreviates a hash or address for tables: 0x1234…cdef.
func ShortHash(h string) string {
	if len(h) <= 13 {
		return h
	}
	return h[:6] + "…" + h[len(h)-4:]
}

// ShortAddr is ShortHash for an address, in EIP-55 case.
func ShortAddr(a common.Address) string { return ShortHash(a.Hex()) }

// Ago writes a duration the way a person reads it at a glance.
func Ago(d time.Duration) string {
	switch {
	case d < 0:
		return "now"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// Truncate cuts s to width cells with an ellipsis.
func Truncate(s string, width int) string {
	r := []rune(s)
	if width <= 0 {
		return ""
	}
	if len(r) <= width {
		return s
	}
	return string(r[:width-1]) + "…"
}

// Fit cuts a rendered (styled) view to at most w cells per line and h
// lines, so a screen never draws outside its area.
func Fit(view string, w, h int) string {
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// Frame fits a view to w×h as Fit does and fills the block: exactly h
// lines, each padded with spaces to the widest. It draws what a lipgloss
// style of that height would, without restyling every line of the frame
// on each render.
func Frame(view string, w, h int) string {
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	widths := make([]int, len(lines), max(h, len(lines)))
	widest := 0
	for i, l := range lines {
		if widths[i] = ansi.StringWidth(l); widths[i] > w {
			lines[i], widths[i] = ansi.Truncate(l, w, "…"), w
		}
		widest = max(widest, widths[i])
	}
	for len(lines) < h {
		lines, widths = append(lines, ""), append(widths, 0)
	}
	for i := range lines {
		if pad := widest - widths[i]; pad > 0 {
			lines[i] += strings.Repeat(" ", pad)
		}
	}
	return strings.Join(lines, "\n")
}

// FormatCount writes a count with thousands separators: 21000 → "21,000".
func FormatCount(n uint64) string { return groupThousands(fmt.Sprint(n)) }

// Wrap breaks text at spaces into lines of at most width cells.
func Wrap(s string, width int) string { return ansi.Wordwrap(s, max(width, 10), "") }
