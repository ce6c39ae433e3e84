package accounts

import (
	"fmt"
	"strings"

	"cairn/tui/common"
)

func (m *Model) detailsView() string {
	s := m.c.Styles
	a, _ := m.selected()
	kv := func(k, v string) string { // a long value wraps under itself, never cut
		v = strings.ReplaceAll(common.Wrap(v, m.c.Width-16), "\n", "\n"+strings.Repeat(" ", 16))
		return "  " + s.Label.Render(fmt.Sprintf("%-14s", k)) + eachLine(s.Value, v)
	}
	kind := "imported key (not from the recovery phrase)"
	if a.HD {
		kind = "HD, path " + a.Path
	}
	def := "no (* on the list makes it the default)"
	if m.isDefault(a.Address) {
		def = "yes: commands use it when no account is given"
	}
	lines := []string{
		s.Title.Render(a.Label),
		"",
		kv("Address", a.Address.Hex()),
		kv("Kind", kind),
		kv("Default", def),
	}
	if acc, bal := m.info[a.Address], m.balance(a.Address); acc != nil && bal != nil {
		lines = append(lines,
			kv("Balance", formatBalance(bal)),
			kv("", bal.String()+" wei"),
			kv("Nonce", fmt.Sprintf("%d (next transaction uses %d)", acc.Nonce, acc.PendingNonce)),
		)
	} else {
		lines = append(lines, kv("Balance", "loading…"))
	}
	if m.fetchErr != nil {
		lines = append(lines, "", s.Error.Render("✗ "+m.fetchErr.Error()))
	}
	lines = append(lines, "", eachLine(s.Subtle, joinWrapped(m.c.Width, "↑/↓ other accounts", "s send", "r receive", "e export", "l label", "esc back")))
	return strings.Join(lines, "\n")
}

// joinWrapped joins hints with " · ", starting a new line between two
// where the next would not fit in w, so no hint is split or cut.
func joinWrapped(w int, parts ...string) string {
	var b strings.Builder
	line := 0
	for i, p := range parts {
		switch {
		case i == 0:
		case line+3+len([]rune(p)) > w:
			b.WriteString("\n")
			line = 0
		default:
			b.WriteString(" · ")
			line += 3
		}
		b.WriteString(p)
		line += len([]rune(p))
	}
	return b.String()
}
