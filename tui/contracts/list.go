package contracts

import (
	"fmt"
	"strings"

	"cairn/chain/staking/stakingabi"
	"cairn/tui/common"
	"cairn/tui/filter"
	"cairn/wallet/contracts"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// stakingName is the built-in entry of the staking contract.
const stakingName = "Staking"

// builtins are the contracts every Cairn chain has.
func builtins() []contracts.Entry {
	return []contracts.Entry{{Name: stakingName, Address: stakingabi.Address, ABI: []byte(stakingabi.JSON)}}
}

// showContract opens the entry at addr (the jump prompt found it); the
// list stays as it was if the book has no such entry.
func (m *Model) showContract(addr ethcommon.Address) tea.Cmd {
	if m.mode != modeList && m.mode != modePage {
		return notify("finish the form first: the contract opens from the list")
	}
	m.reload()
	for i, e := range m.entries {
		if e.Address == addr {
			if !m.shown().Shows(i) {
				m.filter.Clear()
			}
			m.sel = i
			return m.openPage(e)
		}
	}
	return notify("the address book has no contract at " + addr.Hex())
}

// onFilter gives a key or a paste to the filter being typed; the cursor
// moves onto an entry that still shows.
func (m *Model) onFilter(msg tea.Msg) tea.Cmd {
	cmd := m.filter.Update(msg)
	m.sel = max(m.shown().Snap(m.sel), 0)
	return cmd
}

// shown is the entries the filter lets through: by name or where they came
// from, or the start of their address.
func (m *Model) shown() filter.Rows {
	return m.filter.Rows(len(m.entries), func(i int) filter.Row {
		e := m.entries[i]
		return filter.Row{Text: []string{e.Name, entryNote(e)}, Keys: []string{e.Address.Hex()}}
	})
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	m.err = ""
	if m.filter.Editing() {
		return m.onFilter(msg)
	}
	rv := m.shown()
	switch {
	case key.Matches(msg, k.Filter):
		return m.filter.Open()
	case key.Matches(msg, k.Back):
		m.filter.Clear()
	case key.Matches(msg, k.Up):
		m.sel = rv.Move(m.sel, -1)
	case key.Matches(msg, k.Down):
		m.sel = rv.Move(m.sel, 1)
	case key.Matches(msg, keyOpen):
		if m.sel < len(m.entries) && rv.Shows(m.sel) {
			return m.openPage(m.entries[m.sel])
		}
	case key.Matches(msg, keyDeploy):
		return m.openDeploy()
	case key.Matches(msg, keyAdd):
		return m.openAdd()
	}
	return nil
}

func (m *Model) listView() string {
	s, w := m.c.Styles, m.c.Width
	lines := append(m.listHead(), "")
	if m.bookErr != nil {
		lines = append(lines, s.Error.Render("✗ "+m.bookErr.Error()), "")
	}
	addr := 13
	if w >= 110 {
		addr = 42
	}
	name := 8
	for _, e := range m.entries {
		name = max(name, min(lipgloss.Width(e.Name), 24))
	}
	note := w - name - addr - 12 - 8
	if note < 22 { // a note cut to a stub says nothing: the page has it
		note = 0
	}
	row := func(n, a, fns, nt string) string {
		return cells{{n, name}, {a, addr}, {fns, 12}, {nt, note}}.String()
	}
	lines = append(lines, s.Header.Render(" "+row("Name", "Address", "Functions", "")))
	rv := m.shown()
	if rv.Len() == 0 && len(m.entries) > 0 {
		lines = append(lines, s.Subtle.Render(" no contract matches the filter"))
	}
	for i, e := range m.entries {
		if !rv.Shows(i) {
			continue
		}
		a := e.Address.Hex()
		if addr < 42 {
			a = common.ShortAddr(e.Address)
		}
		line := row(e.Name, a, functionCount(e), entryNote(e))
		if i == m.sel {
			lines = append(lines, s.Selected.Render(lipgloss.NewStyle().Width(w).Render("›"+line)))
		} else {
			lines = append(lines, s.Value.Render(" "+line))
		}
	}
	if m.filter.Active() {
		lines = append(lines, m.filter.Line(rv.Len(), rv.Total(), w))
	}
	lines = append(lines, "", s.Subtle.Render(common.Wrap("enter opens a contract · n deploys one from a compiled artifact (solc, Hardhat or Foundry) · a adds one by its address and ABI file", w)))
	if m.err != "" {
		lines = append(lines, s.Error.Render("✗ "+m.err))
	}
	return strings.Join(lines, "\n")
}

// listHead is the list's title and where the address book is: on one
// line where it fits, else the path on its own, its start cut rather than
// its file name.
func (m *Model) listHead() []string {
	s, w := m.c.Styles, m.c.Width
	title := s.Title.Render("Contracts") + s.Subtle.Render(fmt.Sprintf("  %d known", len(m.entries)))
	book := "address book " + m.bookPath()
	if lipgloss.Width(title)+3+lipgloss.Width(book) <= w {
		return []string{title + s.Subtle.Render(" · "+book)}
	}
	return []string{title, s.Subtle.Render(truncateLeft(book, w))}
}

// truncateLeft cuts the start of s to fit width, marking the cut with "…".
func truncateLeft(s string, width int) string {
	r := []rune(s)
	if len(r) <= width || width < 2 {
		return s
	}
	return "…" + string(r[len(r)-width+1:])
}

// functionCount is "9 (3 write)" for an entry with an ABI.
func functionCount(e contracts.Entry) string {
	a, err := e.ParsedABI()
	if err != nil || a == nil {
		return "no ABI"
	}
	write := 0
	for _, fn := range a.Methods {
		if !fn.IsConstant() {
			write++
		}
	}
	return fmt.Sprintf("%d (%d write)", len(a.Methods), write)
}

// entryNote says where an entry came from.
func entryNote(e contracts.Entry) string {
	switch {
	case e.Name == stakingName && e.Address == stakingabi.Address:
		return "built in: validators and delegations"
	case e.TxHash != nil:
		return "deployed in tx " + common.ShortHash(e.TxHash.Hex())
	case e.Artifact != "":
		return "added from " + e.Artifact
	}
	return "added by address"
}

// cells lays out one row: each value in its width.
type cells []struct {
	text  string
	width int
}

func (cs cells) String() string {
	var b strings.Builder
	for i, c := range cs {
		if c.width <= 0 {
			continue
		}
		if i > 0 {
			b.WriteString("  ")
		}
		t := common.Truncate(c.text, c.width)
		b.WriteString(t + strings.Repeat(" ", max(c.width-lipgloss.Width(t), 0)))
	}
	return strings.TrimRight(b.String(), " ")
}
