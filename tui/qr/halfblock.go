package qr

import (
	"fmt"
	"strings"
)

// Half-block characters: one text cell is two modules stacked.
const (
	blockNone  = ' '
	blockUpper = '▀'
	blockLower = '▄'
	blockFull  = '█'
)

// Render draws the matrix with a quiet zone of quiet modules on every side,
// two module rows per line. Ink is what the terminal's foreground paints:
// with inkDark the dark modules are drawn (a light terminal, dark text);
// without it the light ones are, so on a dark terminal the code still
// shows dark modules on a light field, the way scanners expect it.
func Render(m *Matrix, quiet int, inkDark bool) []string {
	n := m.size + 2*quiet
	ink := func(x, y int) bool {
		if y >= n { // the half line below an odd last row
			return false
		}
		return m.Black(x-quiet, y-quiet) == inkDark
	}
	lines := make([]string, 0, (n+1)/2)
	for y := 0; y < n; y += 2 {
		var b strings.Builder
		for x := 0; x < n; x++ {
			top, bottom := ink(x, y), ink(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune(blockFull)
			case top:
				b.WriteRune(blockUpper)
			case bottom:
				b.WriteRune(blockLower)
			default:
				b.WriteRune(blockNone)
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}

// Read turns lines drawn by Render back into the module matrix (quiet zone
// removed): the inverse of Render, for tests and for checking a drawing.
func Read(lines []string, quiet int, inkDark bool) (*Matrix, error) {
	if len(lines) == 0 {
		return nil, fmt.Errorf("read qr: no lines")
	}
	n := len([]rune(lines[0]))
	size := n - 2*quiet
	if size <= 0 || (n+1)/2 != len(lines) {
		return nil, fmt.Errorf("read qr: %d lines of %d cells is not a square code with quiet zone %d", len(lines), n, quiet)
	}
	m := &Matrix{size: size, black: make([]bool, size*size)}
	var quietErr error
	set := func(x, y int, inked bool) {
		black := inked == inkDark
		switch x, y := x-quiet, y-quiet; {
		case y >= size+quiet: // the half line below an odd last row
		case x >= 0 && y >= 0 && x < size && y < size:
			m.black[y*size+x] = black
		case black && quietErr == nil:
			quietErr = fmt.Errorf("read qr: dark module in the quiet zone at (%d,%d)", x, y)
		}
	}
	for i, l := range lines {
		cells := []rune(l)
		if len(cells) != n {
			return nil, fmt.Errorf("read qr: line %d has %d cells, want %d", i, len(cells), n)
		}
		for x, r := range cells {
			var top, bottom bool
			switch r {
			case blockFull:
				top, bottom = true, true
			case blockUpper:
				top = true
			case blockLower:
				bottom = true
			case blockNone:
			default:
				return nil, fmt.Errorf("read qr: line %d cell %d: unexpected %q", i, x, r)
			}
			set(x, 2*i, top)
			set(x, 2*i+1, bottom)
		}
	}
	if quietErr != nil {
		return nil, quietErr
	}
	return m, nil
}
