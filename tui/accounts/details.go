package accounts

import (
	"fmt"
	"strings"
)

func (m *Model) detailsView() string {
	s := m.c.Styles
	a, _ := m.selected()
	kv := func(k, v string) string {
		return "  " + s.Label.Render(fmt.Sprintf("%-14s", k)) + s.Value.Render(v)
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
	lines = append(lines, "", s.Subtle.Render("↑/↓ other accounts · s send · r receive · e export · l label · esc back"))
	return strings.Join(lines, "\n")
}
