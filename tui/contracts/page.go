package contracts

import (
	"fmt"
	"strings"

	"cairn/tui/common"
	"cairn/wallet/contracts"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/ethereum/go-ethereum/accounts/abi"
)

// page is one open contract.
type page struct {
	entry   contracts.Entry
	abi     *abi.ABI // nil without one: only the address is known
	methods []abi.Method
	cur     int

	events  []eventRow // newest last
	scanned uint64     // the last block whose logs were read (0: none yet)
	scans   common.OneAtATime
	result  string // the last read call's answer
	failed  bool   // result is an error
}

// maxEvents bounds the events a page keeps.
const maxEvents = 500

func (m *Model) openPage(e contracts.Entry) tea.Cmd {
	a, err := e.ParsedABI()
	if err != nil {
		m.err = err.Error()
		return nil
	}
	p := &page{entry: e, abi: a}
	if a != nil {
		p.methods = contracts.Methods(a)
	}
	m.page, m.mode, m.err = p, modePage, ""
	return m.scan()
}

func (m *Model) pageKey(msg tea.KeyPressMsg) tea.Cmd {
	k, p := m.c.Keys, m.page
	switch {
	case key.Matches(msg, k.Back):
		m.page, m.mode = nil, modeList
	case key.Matches(msg, k.Up):
		p.cur = max(p.cur-1, 0)
	case key.Matches(msg, k.Down):
		p.cur = min(p.cur+1, max(len(p.methods)-1, 0))
	case key.Matches(msg, keyUse):
		if p.cur < len(p.methods) {
			return m.openCall(p.methods[p.cur])
		}
	}
	return nil
}

func (m *Model) pageView() string {
	s, w, h, p := m.c.Styles, m.c.Width, m.c.Height, m.page
	head := s.Title.Render(p.entry.Name) + "  " + s.Highlight.Render(p.entry.Address.Hex())
	lines := []string{head + s.Subtle.Render("  "+entryNote(p.entry))}
	if lipgloss.Width(lines[0]) > w { // the note on its own line, so the address stays whole
		lines = []string{head, s.Subtle.Render(common.Truncate(entryNote(p.entry), w))}
	}
	lines = append(lines, "")
	events := m.eventLines(max(h/3, 3))
	room := max(h-len(lines)-len(events)-5, 2)
	first := max(0, min(p.cur-room+1, len(p.methods)-room))
	count := fmt.Sprintf("  %d", len(p.methods))
	if len(p.methods) > room {
		count += fmt.Sprintf(" · %d–%d shown", first+1, min(first+room, len(p.methods)))
	}
	lines = append(lines, m.c.Styles.Accent.Render("Functions")+s.Subtle.Render(count))
	if len(p.methods) == 0 {
		lines = append(lines, s.Subtle.Render("  no ABI: add the contract again with its ABI file to call it"))
	}
	for i := first; i < len(p.methods) && i < first+room; i++ {
		fn := p.methods[i]
		kind := "write"
		if fn.IsConstant() {
			kind = "read"
		}
		line := fmt.Sprintf(" %-5s  %s", kind, common.Truncate(describe(fn), w-10))
		if i == p.cur {
			lines = append(lines, s.Selected.Render(lipgloss.NewStyle().Width(w).Render("›"+line)))
		} else {
			lines = append(lines, s.Value.Render(" "+line))
		}
	}
	lines = append(lines, "")
	switch {
	case m.busy != "":
		lines = append(lines, s.Subtle.Render(m.spin.Line(m.busy)))
	case m.err != "":
		lines = append(lines, s.Error.Render("✗ "+m.err))
	case p.failed:
		lines = append(lines, s.Error.Render("✗ "+p.result))
	case p.result != "":
		lines = append(lines, s.Success.Render("✓ ")+s.Value.Render(p.result))
	default:
		hint := "enter calls a read function or sends a write one · esc: the list"
		if lipgloss.Width(hint) > w {
			hint = "enter: call or send · esc: the list"
		}
		lines = append(lines, s.Subtle.Render(hint))
	}
	lines = append(append(lines, ""), events...)
	return strings.Join(lines, "\n")
}

// describe writes a function as its declaration: "transfer(address to,
// uint256 value) returns (bool)", payable marked.
func describe(fn abi.Method) string {
	args := func(as abi.Arguments) string {
		parts := make([]string, len(as))
		for i, a := range as {
			parts[i] = strings.TrimSpace(a.Type.String() + " " + a.Name)
		}
		return strings.Join(parts, ", ")
	}
	out := fn.RawName + "(" + args(fn.Inputs) + ")"
	if payable(fn) {
		out += " payable"
	}
	if len(fn.Outputs) > 0 {
		out += " returns (" + args(fn.Outputs) + ")"
	}
	return out
}

// payable says whether fn takes CRN with the call.
func payable(fn abi.Method) bool { return fn.Payable || fn.StateMutability == "payable" }
