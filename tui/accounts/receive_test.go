package accounts

import (
	"strings"
	"testing"

	"cairn/tui/qr"
	"cairn/tui/styles"
)

// TestReceiveQRReadsBack reads the code out of the rendered screen and
// compares it, module by module, with the address's QR matrix.
func TestReceiveQRReadsBack(t *testing.T) {
	for _, dark := range []bool{true, false} {
		e := setup(t, 80, 24)
		e.c.Styles = styles.DefaultStyles(dark)
		e.drive(t, keys("down", "r")...)
		want, err := qr.Address(dev1)
		if err != nil {
			t.Fatal(err)
		}
		n := want.Size() + 2*qrQuiet
		lines := strings.Split(e.view(), "\n")
		if len(lines) < (n+1)/2 {
			t.Fatalf("view has %d lines, the code needs %d", len(lines), (n+1)/2)
		}
		var code []string
		for _, l := range lines[:(n+1)/2] {
			r := []rune(l + strings.Repeat(" ", n)) // Plain trims trailing spaces
			code = append(code, string(r[:n]))
		}
		got, err := qr.Read(code, qrQuiet, !dark)
		if err != nil {
			t.Fatalf("dark=%v: %v", dark, err)
		}
		for y := 0; y < want.Size(); y++ {
			for x := 0; x < want.Size(); x++ {
				if got.Black(x, y) != want.Black(x, y) {
					t.Fatalf("dark=%v: module (%d,%d) differs from the address's code", dark, x, y)
				}
			}
		}
		if !strings.Contains(e.view(), dev1.Hex()) {
			t.Fatal("the address is not shown in full")
		}
	}
}
