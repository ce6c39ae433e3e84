package accounts

import (
	"strings"
	"testing"

	"cairn/tui/qr"
	"cairn/tui/styles"
)

// findQR looks for the code, whole, anywhere in the view: n lines of n
// cells (n the code's size with its quiet zone, two module rows a line)
// that read back as want, module by module. A code cut at any edge is not
// found.
func findQR(view string, want *qr.Matrix, inkDark bool) bool {
	n := want.Size() + 2*qrQuiet
	rows := (n + 1) / 2
	lines := strings.Split(view, "\n")
	for top := 0; top+rows <= len(lines); top++ {
		width := len([]rune(lines[top]))
		for left := 0; left+n <= max(width, n); left++ {
			var code []string
			for _, l := range lines[top : top+rows] {
				r := []rune(l + strings.Repeat(" ", left+n)) // Plain trims trailing spaces
				code = append(code, string(r[left:left+n]))
			}
			if got, err := qr.Read(code, qrQuiet, inkDark); err == nil && same(got, want) {
				return true
			}
		}
	}
	return false
}

func same(a, b *qr.Matrix) bool {
	if a.Size() != b.Size() {
		return false
	}
	for y := 0; y < a.Size(); y++ {
		for x := 0; x < a.Size(); x++ {
			if a.Black(x, y) != b.Black(x, y) {
				return false
			}
		}
	}
	return true
}

// TestReceiveQRWholeOrNotAtAll reads the code out of the rendered screen
// at every size, on dark and light terminals: it is there whole and reads
// back as the address's code, or the page asks for a larger window. The
// address is there in full, on one line, either way.
func TestReceiveQRWholeOrNotAtAll(t *testing.T) {
	want, err := qr.Address(dev1)
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range []struct {
		w, h  int
		shown bool
	}{{80, 24, true}, {120, 40, true}, {60, 20, true}, {46, 23, true}, {50, 12, false}, {70, 19, false}} {
		for _, dark := range []bool{true, false} {
			e := setup(t, sz.w, sz.h)
			e.c.Styles = styles.DefaultStyles(dark)
			e.drive(t, keys("down", "r")...)
			checkArea(t, e)
			v := e.view()
			found := findQR(v, want, !dark)
			asks := strings.Contains(v, tooSmallForQR)
			switch {
			case sz.shown && !found:
				t.Errorf("%dx%d dark=%v: the whole code is not on the page:\n%s", sz.w, sz.h, dark, v)
			case !sz.shown && (!asks || strings.ContainsAny(v, "▀▄█")):
				t.Errorf("%dx%d dark=%v: no code fits, yet the page does not just ask for a larger window:\n%s", sz.w, sz.h, dark, v)
			case sz.shown && asks:
				t.Errorf("%dx%d: the code is shown and a larger window asked for", sz.w, sz.h)
			}
			if !strings.Contains(v, dev1.Hex()) {
				t.Errorf("%dx%d: the address is not shown in full on one line:\n%s", sz.w, sz.h, v)
			}
		}
	}
}

// TestReceiveTinyKeepsTheAddress: in a window narrower than an address,
// the address is still all there, cut into lines rather than behind an
// ellipsis.
func TestReceiveTinyKeepsTheAddress(t *testing.T) {
	e := setup(t, 30, 10)
	e.drive(t, keys("down", "r")...)
	checkArea(t, e)
	v := e.view()
	if strings.Contains(v, "…") || !strings.Contains(strings.ReplaceAll(v, "\n", ""), dev1.Hex()) {
		t.Fatalf("the address is cut:\n%s", v)
	}
	if !strings.Contains(strings.Join(strings.Fields(v), " "), "Make the window larger") {
		t.Fatalf("no ask for a larger window:\n%s", v)
	}
}
