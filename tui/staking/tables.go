package staking

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
)

// vcol is one column of the validator table after the moniker.
type vcol struct {
	head  string
	width int
	right bool
	drop  int // the order columns go in when the width is short: 1 first, 0 never
	value func(api.Validator) string
}

// minMoniker is the narrowest the moniker column gets before columns go.
const minMoniker = 12

// validatorColumns fits the validator table to a width: the columns that
// matter least go first (the stake, the operator, the missed blocks, the
// commission, the uptime) so a moniker is never cut to a stub; a wide
// screen gets the stake and, wider still, the operator's full address.
// It returns the moniker column's width and the other columns.
func validatorColumns(w int) (int, []vcol) {
	operator := vcol{"Operator", 13, false, 2, func(v api.Validator) string { return common.ShortAddr(v.Operator) }}
	if w >= 136 {
		operator = vcol{"Operator", 42, false, 2, func(v api.Validator) string { return v.Operator.Hex() }}
	}
	cols := []vcol{
		operator,
		{"Stake", 15, true, 1, func(v api.Validator) string { return crn(v.Tokens, 0) }},
		{"Share", 7, true, 0, func(v api.Validator) string { return percent(v.PowerShare, 2) }},
		{"Comm.", 6, true, 4, func(v api.Validator) string { return bps(v.CommissionBps) }},
		{"Status", 10, false, 0, func(v api.Validator) string { return v.Status }},
		{"Uptime", 7, true, 5, func(v api.Validator) string { return percent(v.Uptime, 1) }},
		{"Missed", 9, true, 3, func(v api.Validator) string { return fmt.Sprintf("%d/%d", v.MissedBlocks, v.WindowBlocks) }},
	}
	used := func() int {
		n := 2 // the cursor's column and the margin
		for _, c := range cols {
			n += c.width + 2
		}
		return n
	}
	for drop := 1; used()+minMoniker > w && drop <= 5; drop++ {
		cols = slices.DeleteFunc(cols, func(c vcol) bool { return c.drop == drop })
	}
	return max(min(w-used(), 24), 7), cols
}

// crn writes an amount in CRN with its unit ("—" when unknown).
func crn(a *api.Amount, decimals int) string {
	if a == nil {
		return "—"
	}
	return common.FormatCRN(a.Int(), decimals) + " CRN"
}

func (m *Model) validatorTable() (title, header string, rows []string) {
	s := m.c.Styles
	mon, cols := validatorColumns(m.c.Width)
	layout := func(moniker string, text func(vcol) string) string {
		cs := cells{{moniker, mon, false}}
		for _, c := range cols {
			cs = append(cs, cell{text(c), c.width, c.right})
		}
		return cs.String()
	}
	title = m.sectionTitle("Validators", m.focus == tableValidators)
	header = s.Header.Render(" " + layout("Moniker", func(c vcol) string { return c.head }))
	rv := m.shownValidators()
	for i, v := range m.vals {
		if !rv.Shows(i) {
			continue
		}
		line := layout(v.Moniker, func(c vcol) string { return c.value(v) })
		rows = append(rows, m.row(line, m.focus == tableValidators && i == m.valCur, m.statusStyle(v.Status)))
	}
	switch {
	case len(m.vals) > 0 && len(rows) == 0:
		rows = []string{s.Subtle.Render("  no validator matches the filter")}
	case len(rows) == 0:
		rows = []string{s.Subtle.Render("  none registered")}
	}
	return title, header, rows
}

// statusStyle draws a validator's row by its status.
func (m *Model) statusStyle(status string) func(...string) string {
	s := m.c.Styles
	switch status {
	case api.ValidatorActive:
		return s.Value.Render
	case api.ValidatorJailed:
		return s.Warning.Render
	case api.ValidatorTombstoned:
		return s.Error.Render
	}
	return s.Subtle.Render
}

func (m *Model) delegationTable() (title, header string, rows []string) {
	s := m.c.Styles
	amountW, rewardsW, labelW := len("Amount"), len("Rewards"), len("Account")
	for _, r := range m.delRows {
		amountW = max(amountW, lipgloss.Width(crn(r.Amount, 4)))
		rewardsW = max(rewardsW, lipgloss.Width(crn(r.PendingRewards, 6)))
		labelW = max(labelW, lipgloss.Width(r.account.Label))
	}
	// Amounts are never cut: they take their width, the names what is left.
	acc, val := flexColumns(m.c.Width, 2+amountW+rewardsW+6, labelW)
	layout := func(account, validator, amount, rewards string) string {
		return cells{{account, acc, false}, {validator, val, false}, {amount, amountW, true}, {rewards, rewardsW, true}}.String()
	}
	staked, rewards := new(big.Int), new(big.Int)
	for _, r := range m.delRows {
		staked.Add(staked, r.Amount.Int())
		rewards.Add(rewards, r.PendingRewards.Int())
	}
	title = m.sectionTitle("Your delegations", m.focus == tableDelegations)
	if len(m.delRows) > 0 {
		sum := fmt.Sprintf("  %s CRN staked · %s CRN rewards", common.FormatCRN(staked, 4), common.FormatCRN(rewards, 6))
		if lipgloss.Width(title+sum) > m.c.Width {
			sum = fmt.Sprintf("  %s CRN staked", common.FormatCRN(staked, 4)) // each row has its rewards
		}
		title += s.Subtle.Render(sum)
	}
	header = s.Header.Render(" " + layout("Account", "Validator", "Amount", "Rewards"))
	for i, r := range m.delRows {
		line := layout(r.account.Label, m.moniker(r.Validator), crn(r.Amount, 4), crn(r.PendingRewards, 6))
		rows = append(rows, m.row(line, m.focus == tableDelegations && i == m.delCur, s.Highlight.Render))
	}
	if len(rows) == 0 {
		rows = []string{s.Subtle.Render("  none yet: select a validator and press d to delegate")}
	}
	return title, header, rows
}

func (m *Model) unbondingTable() (title, header string, rows []string) {
	s := m.c.Styles
	amountW, labelW, valW := len("Amount"), len("Account"), 0
	for _, u := range m.ubRows {
		amountW = max(amountW, lipgloss.Width(crn(u.Amount, 4)))
		labelW = max(labelW, lipgloss.Width(u.account.Label))
		valW = max(valW, lipgloss.Width(m.unbondingValidator(u)))
	}
	kindW := 12
	fixed := 2 + amountW + len("Completes in") + 6
	if m.c.Width-fixed-kindW-2-min(labelW, 12) < valW { // "a → b" says redelegation already
		kindW = 0
	}
	if kindW > 0 {
		fixed += kindW + 2
	}
	acc, val := flexColumns(m.c.Width, fixed, labelW)
	layout := func(account, kind, validator, amount, left string) string {
		return cells{{account, acc, false}, {kind, kindW, false}, {validator, val, false}, {amount, amountW, true}, {left, 12, true}}.String()
	}
	title = m.sectionTitle("Unbonding", false)
	header = s.Header.Render(" " + layout("Account", "Kind", "Validator", "Amount", "Completes in"))
	for _, u := range m.ubRows {
		val := m.unbondingValidator(u)
		left := timeLeft(m.until(u.CompletionTime))
		line := " " + layout(u.account.Label, u.Kind, val, crn(u.Amount, 4), left)
		if left == "ready" && u.Kind == api.UnbondingKindUnbonding {
			rows = append(rows, s.Success.Render(line))
		} else {
			rows = append(rows, s.Value.Render(line))
		}
	}
	return title, header, rows
}

// unbondingValidator names an entry's validator, "from → to" for a
// redelegation.
func (m *Model) unbondingValidator(u unbondingRow) string {
	if u.Destination != nil {
		return m.moniker(u.Validator) + " → " + m.moniker(*u.Destination)
	}
	return m.moniker(u.Validator)
}

// flexColumns shares what the fixed columns leave of a width between the
// account column (its longest label, up to 20) and the validator column
// (the rest, up to 32, wider for a redelegation's "from → to").
func flexColumns(width, fixed, label int) (account, validator int) {
	room := width - fixed
	account = max(min(label, 20, room-16), 7)
	return account, max(min(room-account, 32), 8)
}

// percent writes a 0-to-1 share as a percentage.
func percent(x float64, decimals int) string { return fmt.Sprintf("%.*f%%", decimals, x*100) }

// bps writes basis points as a percentage: 500 → "5%", 1250 → "12.5%".
func bps(b uint16) string {
	if b%100 == 0 {
		return fmt.Sprintf("%d%%", b/100)
	}
	return strings.TrimRight(fmt.Sprintf("%.2f", float64(b)/100), "0") + "%"
}
