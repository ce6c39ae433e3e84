package accounts

import (
	"fmt"
	"strings"

	"cairn/tui/common"
	"cairn/tui/qr"
	"cairn/wallet"

	"charm.land/lipgloss/v2"
)

// qrQuiet is the light border drawn around the code, in modules.
const qrQuiet = 2

// infoWide and infoNarrow are the widths the address beside the code
// needs: boxed in full, or in groups of four.
const (
	infoWide   = 46
	infoNarrow = 27
)

// tooSmallForQR is what the Receive page says where the code cannot fit.
const tooSmallForQR = "Make the window larger to see the QR code."

// addrWidth is an address's full hex.
const addrWidth = 42

func (m *Model) openReceive() { m.mode, m.err = modeReceive, "" }

// qrLines draws the address's code. The terminal's foreground paints:
// dark modules on a light terminal, light ones (and the quiet zone) on a
// dark one, so the code reads dark-on-light either way.
func (m *Model) qrLines(a wallet.Account) ([]string, error) {
	code, err := qr.Address(a.Address)
	if err != nil {
		return nil, err
	}
	return qr.Render(code, qrQuiet, !m.c.Styles.IsDark), nil
}

// grouped writes an address's digits in groups of four, on two lines, for
// reading aloud and comparing by eye.
func grouped(hex string) []string {
	digits := hex[2:]
	var parts []string
	for i := 0; i < len(digits); i += 4 {
		parts = append(parts, digits[i:min(i+4, len(digits))])
	}
	half := (len(parts) + 1) / 2
	return []string{"0x " + strings.Join(parts[:half], " "), "   " + strings.Join(parts[half:], " ")}
}

// receiveView lays out the address and its code in the first layout that
// fits the area whole: the code beside the boxed address; the address on
// one line above the code with its groups beside it; the address above
// the code; or, where the code cannot fit, the address alone and a line
// saying so. A QR code cut off is worse than none: it may not scan, or
// scan as something else.
func (m *Model) receiveView() string {
	s := m.c.Styles
	a, _ := m.selected()
	lines, err := m.qrLines(a)
	if err != nil {
		return s.Error.Render("✗ QR code: " + err.Error())
	}
	code := s.App.Render(strings.Join(lines, "\n"))
	qrW, qrH := lipgloss.Width(code), len(lines)
	w, h := m.c.Width, m.c.Height
	title := s.Title.Render("Receive CRN") + s.Subtle.Render(" · "+a.Label)
	g := grouped(a.Address.Hex())
	switch {
	case w >= qrW+3+infoWide && h >= qrH:
		info := append([]string{title, "",
			s.FocusedBox.Render(s.Highlight.Render(a.Address.Hex())),
			s.Value.Render(g[0]), s.Value.Render(g[1]), ""},
			m.receiveNotes(w-qrW-3)...)
		return lipgloss.JoinHorizontal(lipgloss.Top, code, "   ", strings.Join(info, "\n"))
	case w >= max(qrW+3+infoNarrow, addrWidth) && h >= qrH+1:
		info := append([]string{title, "", s.Value.Render(g[0]), s.Value.Render(g[1]), ""},
			m.receiveNotes(w-qrW-3)...)
		return s.Highlight.Render(a.Address.Hex()) + "\n" +
			lipgloss.JoinHorizontal(lipgloss.Top, code, "   ", strings.Join(info, "\n"))
	case w >= max(qrW, addrWidth) && h >= qrH+2:
		return title + "\n" + s.Highlight.Render(a.Address.Hex()) + "\n" + code
	}
	out := []string{title, ""}
	for _, l := range chunks(a.Address.Hex(), w) {
		out = append(out, s.Highlight.Render(l))
	}
	return strings.Join(append(out, "", s.Warning.Render(common.Wrap(tooSmallForQR, w))), "\n")
}

// receiveNotes says what the address is for, wrapped to width.
func (m *Model) receiveNotes(width int) []string {
	s := m.c.Styles
	chain := "this chain"
	if st := m.c.Status; st != nil {
		chain = fmt.Sprintf("chain %d", st.ChainID)
	}
	return []string{
		s.Value.Render(common.Wrap("Share this address to be paid in CRN on "+chain+".", width)),
		s.Subtle.Render(common.Wrap("The QR code holds the same address in upper case, which wallets read as the same address.", width)),
	}
}

// chunks cuts s into pieces of at most w characters, so an address too
// long for the line is still all there, none of it behind an ellipsis.
func chunks(s string, w int) []string {
	w = max(w, 1)
	var out []string
	for len(s) > w {
		out = append(out, s[:w])
		s = s[w:]
	}
	return append(out, s)
}
