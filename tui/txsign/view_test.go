package txsign

import (
	"math/big"
	"strings"
	"testing"

	"cairn/tui/fakenode"
	"cairn/tui/styles"
	"cairn/wallet"

	"github.com/charmbracelet/x/ansi"
	"github.com/ethereum/go-ethereum/common"
)

// TestConfirmFitsSmallAreas: in a 60x16 area the confirm step keeps both
// addresses whole, every line inside the width, and the line that says
// how to answer.
func TestConfirmFitsSmallAreas(t *testing.T) {
	to := common.HexToAddress("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc")
	d := prepared(t, fakenode.New(), &Draft{From: wallet.Account{Address: dev0, Label: "Account 1"}, To: &to,
		Value: big.NewInt(15e17), Tip: big.NewInt(1e9)})
	for _, sz := range []struct{ w, h int }{{60, 16}, {76, 20}, {116, 36}} {
		view := ansi.Strip(ConfirmViewIn(styles.DefaultStyles(true), d, "", "", sz.w, sz.h))
		lines := strings.Split(view, "\n")
		if len(lines) > sz.h {
			t.Errorf("%dx%d: %d lines", sz.w, sz.h, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > sz.w {
				t.Errorf("%dx%d: line is %d cells: %q", sz.w, sz.h, ansi.StringWidth(l), l)
			}
		}
		for _, want := range []string{dev0.Hex(), to.Hex(), "y/enter signs and sends"} {
			if !strings.Contains(view, want) {
				t.Errorf("%dx%d: %q is not shown whole:\n%s", sz.w, sz.h, want, view)
			}
		}
	}
}
