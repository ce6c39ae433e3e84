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

func (m *Model) receiveView() string {
	s := m.c.Styles
	a, _ := m.selected()
	chain := "this chain"
	if st := m.c.Status; st != nil {
		chain = fmt.Sprintf("chain %d", st.ChainID)
	}
	lines, err := m.qrLines(a)
	if err != nil {
		return s.Error.Render("✗ QR code: " + err.Error())
	}
	code := s.App.Render(strings.Join(lines, "\n"))
	side := m.c.Width >= lipgloss.Width(code)+3+46
	infoW := m.c.Width
	if side {
		infoW = m.c.Width - lipgloss.Width(code) - 3
	}
	g := grouped(a.Address.Hex())
	info := []string{
		s.Title.Render("Receive CRN") + s.Subtle.Render(" · "+a.Label),
		"",
		s.FocusedBox.Render(s.Highlight.Render(a.Address.Hex())),
		s.Value.Render(g[0]),
		s.Value.Render(g[1]),
		"",
		s.Value.Render(common.Wrap("Share this address to be paid in CRN on "+chain+".", infoW)),
		s.Subtle.Render(common.Wrap("The QR code holds the same address in upper case, which wallets read as the same address.", infoW)),
	}
	if side {
		return lipgloss.JoinHorizontal(lipgloss.Top, code, "   ", strings.Join(info, "\n"))
	}
	return strings.Join(append(info[:5:5], code), "\n")
}
