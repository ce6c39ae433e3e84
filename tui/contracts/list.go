package contracts

import (
	"fmt"
	"strings"

	"cairn/chain/staking/stakingabi"
	"cairn/tui/common"
	"cairn/wallet/contracts"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// stakingName is the built-in entry of the staking contract.
const stakingName = "Staking"

// builtins are the contracts every Cairn chain has.
func builtins() []contracts.Entry {
	return []contracts.Entry{{Name: stakingName, Address: stakingabi.Address, ABI: []byte(stakingabi.JSON)}}
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	m.err = ""
	switch {
	case key.Matches(msg, k.Up):
		m.sel = max(m.sel-1, 0)
	case key.Matches(msg, k.Down):
		m.sel = min(m.sel+1, max(len(m.entries)-1, 0))
	case key.Matches(msg, keyOpen):
		if m.sel < len(m.entries) {
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
	lines := []string{s.Title.Render("Contracts") + s.Subtle.Render(fmt.Sprintf("  %d known · address book %s", len(m.entries), m.bookPath())), ""}
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
	row := func(n, a, fns, note string) string {
		return cells{{n, name}, {a, addr}, {fns, 12}, {note, max(w-name-addr-12-8, 4)}}.String()
	}
	lines = append(lines, s.Header.Render(" "+row("Name", "Address", "Functions", "")))
	for i, e := range m.entries {
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
	lines = append(lines, "", s.Subtle.Render(common.Wrap("enter opens a contract · n deploys one from a compiled artifact (solc, Hardhat or Foundry) · a adds one by its address and ABI file", w)))
	if m.err != "" {
		lines = append(lines, s.Error.Render("✗ "+m.err))
	}
	return strings.Join(lines, "\n")
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
		if i > 0 {
			b.WriteString("  ")
		}
		t := common.Truncate(c.text, c.width)
		b.WriteString(t + strings.Repeat(" ", max(c.width-lipgloss.Width(t), 0)))
	}
	return strings.TrimRight(b.String(), " ")
}
