package common

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestFormatCRN(t *testing.T) {
	wei := func(s string) *big.Int { v, _ := new(big.Int).SetString(s, 10); return v }
	cases := []struct {
		wei  *big.Int
		dec  int
		want string
	}{
		{wei("0"), 4, "0"},
		{wei("1000000000000000000000000"), 4, "1,000,000"},
		{wei("1500000000000000000"), 4, "1.5"},
		{wei("1234567890000000000000"), 2, "1,234.56"}, // truncated, not rounded
		{wei("1"), 18, "0.000000000000000001"},
		{wei("1"), 4, "0"},
		{wei("-2500000000000000000"), 4, "-2.5"},
		{nil, 4, "—"},
	}
	for _, c := range cases {
		if got := FormatCRN(c.wei, c.dec); got != c.want {
			t.Errorf("FormatCRN(%v, %d) = %q, want %q", c.wei, c.dec, got, c.want)
		}
	}
}

func TestSmallFormatters(t *testing.T) {
	if got := FormatGwei(big.NewInt(1_500_000_000)); got != "1.5" {
		t.Errorf("FormatGwei = %q", got)
	}
	if got := ShortHash("0x0123456789abcdef0123456789abcdef"); got != "0x0123…cdef" {
		t.Errorf("ShortHash = %q", got)
	}
	if got := Ago(1500 * time.Millisecond); got != "1.5s" {
		t.Errorf("Ago = %q", got)
	}
	if got := Ago(125 * time.Second); got != "2m05s" {
		t.Errorf("Ago = %q", got)
	}
	if got := Truncate("abcdef", 4); got != "abc…" {
		t.Errorf("Truncate = %q", got)
	}
}

func TestFitCutsStyledViews(t *testing.T) {
	view := "\x1b[1mabcdefgh\x1b[0m\nsecond\nthird"
	got := Fit(view, 5, 2)
	if lines := strings.Split(got, "\n"); len(lines) != 2 || ansi.StringWidth(lines[0]) > 5 || ansi.Strip(lines[0]) != "abcd…" {
		t.Fatalf("Fit = %q", got)
	}
}

// Frame draws the block a lipgloss style of that height draws: the lines
// padded to the widest, blank lines up to the height, and a view that is
// too large cut as Fit cuts it.
func TestFrameFillsTheBlock(t *testing.T) {
	cases := []struct {
		view string
		w, h int
		want []string
	}{
		{"ab\n\x1b[1mabcd\x1b[0m", 10, 4, []string{"ab  ", "abcd", "    ", "    "}},
		{"abcdefgh\nx\ny\nz", 5, 2, []string{"abcd…", "x    "}},
		{"", 3, 2, []string{"", ""}},
	}
	for _, tc := range cases {
		got := strings.Split(Frame(tc.view, tc.w, tc.h), "\n")
		if len(got) != len(tc.want) {
			t.Fatalf("Frame(%q, %d, %d) has %d lines, want %d", tc.view, tc.w, tc.h, len(got), len(tc.want))
		}
		for i := range got {
			if ansi.Strip(got[i]) != tc.want[i] {
				t.Fatalf("Frame(%q, %d, %d) line %d = %q, want %q", tc.view, tc.w, tc.h, i, ansi.Strip(got[i]), tc.want[i])
			}
		}
	}
}
