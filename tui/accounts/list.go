package accounts

import (
	"fmt"
	"math/big"
	"strings"

	"cairn/tui/common"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Up):
		m.sel = max(m.sel-1, 0)
	case key.Matches(msg, k.Down):
		m.sel = min(m.sel+1, max(len(m.accounts)-1, 0))
	case key.Matches(msg, k.Top):
		m.sel = 0
	case key.Matches(msg, k.Bottom):
		m.sel = max(len(m.accounts)-1, 0)
	case key.Matches(msg, keyDerive):
		return m.openDerive()
	case m.c.Wallet == nil || len(m.accounts) == 0:
		return nil
	case key.Matches(msg, keyDetails):
		m.mode = modeDetails
	case key.Matches(msg, keyReceive):
		m.openReceive()
	case key.Matches(msg, keySend):
		return m.openSend()
	case key.Matches(msg, keyExport):
		a, _ := m.selected()
		return m.askPassword("export "+a.Label+"'s private key to a keystore file", pendExport)
	case key.Matches(msg, keyWords):
		return m.askPassword("show the recovery words", pendWords)
	case key.Matches(msg, keyLabel):
		return m.openLabel()
	case key.Matches(msg, keyDefault):
		return m.makeDefault()
	case key.Matches(msg, keyFaucet):
		return m.askFaucet()
	}
	return nil
}

// columns are the table's widths for a screen width.
type columns struct{ label, addr, balance, nonce int }

func columnsFor(w int) columns {
	c := columns{addr: 13, balance: 22, nonce: 9}
	switch {
	case w >= 110:
		c.addr = 42
	case w < 80: // the label's room comes out of the padding first
		c.balance, c.nonce = 17, 7
	}
	c.label = max(min(w-2-c.addr-c.balance-c.nonce-6, 24), 6)
	return c
}

// View implements common.Screen.
func (m *Model) View() string {
	var v string
	switch m.mode {
	case modeList:
		v = m.listView()
	case modeDetails:
		v = m.detailsView()
	case modeReceive:
		v = m.receiveView()
	case modeDerive, modeLabel:
		v = m.nameView()
	case modeSend:
		v = m.sendView()
	case modeConfirm:
		v = m.confirmView()
	case modeSent:
		v = m.sentView()
	case modeExport:
		v = m.exportView()
	case modeReauth:
		v = m.reauthView()
	case modeWords:
		v = m.wordsView()
	}
	return common.Fit(v, m.c.Width, m.c.Height)
}

func (m *Model) listView() string {
	s, w, h := m.c.Styles, m.c.Width, m.c.Height
	if m.c.Wallet == nil {
		return s.Subtle.Render("No wallet is open.")
	}
	total := new(big.Int)
	known := 0
	for _, a := range m.accounts {
		if b := m.balance(a.Address); b != nil {
			total.Add(total, b)
			known++
		}
	}
	head := s.Title.Render("Accounts") + s.Subtle.Render(fmt.Sprintf("  %d · ", len(m.accounts)))
	if known == len(m.accounts) {
		head += s.Value.Render("total " + common.FormatCRN(total, 4) + " CRN")
	} else {
		head += s.Subtle.Render("loading balances…")
	}
	col := columnsFor(w)
	lines := []string{head, "", s.Header.Render(m.row(col, "", "Label", "Address", "Balance", "Nonce"))}

	// Rows, scrolled to keep the selection visible; four lines stay for
	// the head and the footer.
	room := max(h-6, 1)
	if len(m.accounts) > room {
		room = max(h-7, 1) // one line for "1–12 of 40"
	}
	first := max(0, min(m.sel-room+1, len(m.accounts)-room))
	first = max(first, 0)
	for i := first; i < len(m.accounts) && i < first+room; i++ {
		lines = append(lines, m.accountRow(col, m.accounts[i], i == m.sel))
	}
	if len(m.accounts) > room {
		lines = append(lines, s.Faint.Render(fmt.Sprintf("  %d–%d of %d", first+1, min(first+room, len(m.accounts)), len(m.accounts))))
	}
	lines = append(lines, "")
	if a, ok := m.selected(); ok {
		// The label gives way before the address does.
		label := common.Truncate(a.Label, max(w-len("Selected ")-1-addrWidth, 1))
		lines = append(lines, s.Label.Render("Selected ")+s.Value.Render(label+" ")+s.Highlight.Render(a.Address.Hex()))
	}
	switch {
	case m.err != "":
		lines = append(lines, s.Error.Render("✗ "+m.err))
	case m.fetchErr != nil:
		lines = append(lines, s.Error.Render("✗ "+m.fetchErr.Error()))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) accountRow(col columns, a wallet.Account, selected bool) string {
	s := m.c.Styles
	mark := ""
	if m.isDefault(a.Address) {
		mark = "★"
	}
	addr := a.Address.Hex()
	if col.addr < 42 {
		addr = common.ShortAddr(a.Address)
	}
	bal, nonce := "…", "…"
	if acc := m.info[a.Address]; acc != nil {
		bal = common.FormatCRN(m.balance(a.Address), 4) + " CRN"
		nonce = fmt.Sprintf("%d", acc.Nonce)
		if acc.PendingNonce > acc.Nonce {
			nonce += fmt.Sprintf(" +%d", acc.PendingNonce-acc.Nonce)
		}
	}
	line := m.row(col, mark, a.Label, addr, bal, nonce)
	if selected {
		return s.Selected.Render(lipgloss.NewStyle().Width(m.c.Width).Render(line))
	}
	if mark != "" {
		return s.Highlight.Render(line)
	}
	return s.Value.Render(line)
}

// row lays out one line of the table.
func (m *Model) row(col columns, mark, label, addr, bal, nonce string) string {
	pad := func(s string, w int) string {
		s = common.Truncate(s, w)
		return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
	}
	left := func(s string, w int) string {
		s = common.Truncate(s, w)
		return strings.Repeat(" ", max(w-lipgloss.Width(s), 0)) + s
	}
	return pad(mark, 2) + pad(label, col.label) + "  " + pad(addr, col.addr) + "  " +
		left(bal, col.balance) + "  " + left(nonce, col.nonce)
}
