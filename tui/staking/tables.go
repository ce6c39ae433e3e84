package staking

import (
	"fmt"
	"math/big"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"
)

// validatorColumns fits the validator table to a width: the operator's
// full address on a wide screen, a short one on a narrow one.
func validatorColumns(w int) (moniker, operator int) {
	switch {
	case w >= 110:
		operator = 42
	case w >= 78:
		operator = 13
	}
	fixed := 2 + 7 + 6 + 10 + 7 + 9 + 2*6
	if operator > 0 {
		fixed += operator + 2
	}
	return max(min(w-fixed, 24), 8), operator
}

func (m *Model) validatorTable() (title, header string, rows []string) {
	s := m.c.Styles
	mon, op := validatorColumns(m.c.Width)
	layout := func(moniker, operator, share, commission, status, uptime, missed string) string {
		return cells{{moniker, mon, false}, {operator, op, false}, {share, 7, true}, {commission, 6, true},
			{status, 10, false}, {uptime, 7, true}, {missed, 9, true}}.String()
	}
	title = m.sectionTitle("Validators", m.focus == tableValidators)
	header = s.Header.Render(" " + layout("Moniker", "Operator", "Share", "Comm.", "Status", "Uptime", "Missed"))
	rv := m.shownValidators()
	for i, v := range m.vals {
		if !rv.Shows(i) {
			continue
		}
		addr := v.Operator.Hex()
		if op < 42 {
			addr = common.ShortAddr(v.Operator)
		}
		line := layout(v.Moniker, addr, percent(v.PowerShare, 2), bps(v.CommissionBps), v.Status,
			percent(v.Uptime, 1), fmt.Sprintf("%d/%d", v.MissedBlocks, v.WindowBlocks))
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
	acc, val := flexColumns(m.c.Width, 2+20+18+8)
	layout := func(account, validator, amount, rewards string) string {
		return cells{{account, acc, false}, {validator, val, false}, {amount, 20, true}, {rewards, 18, true}}.String()
	}
	staked, rewards := new(big.Int), new(big.Int)
	for _, r := range m.delRows {
		staked.Add(staked, r.Amount.Int())
		rewards.Add(rewards, r.PendingRewards.Int())
	}
	title = m.sectionTitle("Your delegations", m.focus == tableDelegations)
	if len(m.delRows) > 0 {
		title += s.Subtle.Render(fmt.Sprintf("  %s CRN staked · %s CRN rewards", common.FormatCRN(staked, 4), common.FormatCRN(rewards, 6)))
	}
	header = s.Header.Render(" " + layout("Account", "Validator", "Amount", "Rewards"))
	for i, r := range m.delRows {
		line := layout(r.account.Label, m.moniker(r.Validator), common.FormatCRN(r.Amount.Int(), 4)+" CRN",
			common.FormatCRN(r.PendingRewards.Int(), 6)+" CRN")
		rows = append(rows, m.row(line, m.focus == tableDelegations && i == m.delCur, s.Highlight.Render))
	}
	if len(rows) == 0 {
		rows = []string{s.Subtle.Render("  none yet: select a validator and press d to delegate")}
	}
	return title, header, rows
}

func (m *Model) unbondingTable() (title, header string, rows []string) {
	s := m.c.Styles
	acc, val := flexColumns(m.c.Width, 2+12+18+14+8)
	layout := func(account, kind, validator, amount, left string) string {
		return cells{{account, acc, false}, {kind, 12, false}, {validator, val, false}, {amount, 18, true}, {left, 14, true}}.String()
	}
	title = m.sectionTitle("Unbonding", false)
	header = s.Header.Render(" " + layout("Account", "Kind", "Validator", "Amount", "Completes in"))
	for _, u := range m.ubRows {
		val := m.moniker(u.Validator)
		if u.Destination != nil {
			val += " → " + m.moniker(*u.Destination)
		}
		left := timeLeft(m.until(u.CompletionTime))
		line := " " + layout(u.account.Label, u.Kind, val, common.FormatCRN(u.Amount.Int(), 4)+" CRN", left)
		if left == "ready" && u.Kind == api.UnbondingKindUnbonding {
			rows = append(rows, s.Success.Render(line))
		} else {
			rows = append(rows, s.Value.Render(line))
		}
	}
	return title, header, rows
}

// flexColumns shares what the fixed columns leave of a width between the
// account column (up to 20) and the validator column (16 to 32, wider for
// a redelegation's "from → to").
func flexColumns(width, fixed int) (account, validator int) {
	room := width - fixed
	validator = max(min(room-20, 32), 16)
	return max(min(room-validator, 20), 8), validator
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
