package staking

import (
	"math/big"
	"strings"

	"cairn/tui/common"
)

// formView draws the open action's form: what it does, then each field
// with what it reads as so far.
func (m *Model) formView() string {
	s, a := m.c.Styles, m.act
	head := s.Title.Render(a.title()) + s.Subtle.Render(" · from "+a.from.Label+" "+common.ShortAddr(a.from.Address))
	lines := []string{head, s.Subtle.Render(m.about()), ""}
	for i, f := range a.fields {
		unit := map[field]string{fieldAmount: "CRN", fieldTip: "gwei"}[f]
		lines = append(lines, "  "+m.form.Inputs[i].View()+" "+s.Subtle.Render(unit))
		switch ok, err := m.fieldCheck(f); {
		case m.form.Value(i) == "":
			lines = append(lines, "")
		case err != nil:
			lines = append(lines, s.Error.Render("            ✗ "+err.Error()))
		default:
			lines = append(lines, s.Success.Render("            ✓ ")+s.Subtle.Render(ok))
		}
	}
	switch {
	case m.busy != "":
		lines = append(lines, "", s.Subtle.Render(m.spin.Line(m.busy)))
	case m.err != "":
		lines = append(lines, "", s.Error.Render("✗ "+m.err))
	default:
		lines = append(lines, "", s.Subtle.Render(common.Wrap("enter: review the transaction before it is signed · esc: cancel", m.c.Width)))
	}
	return strings.Join(lines, "\n")
}

// fieldCheck says what field f reads as, or what is wrong with it.
func (m *Model) fieldCheck(f field) (string, error) {
	if err := m.fieldError(f); err != nil {
		return "", err
	}
	switch f {
	case fieldTo:
		to, _ := m.destination()
		return m.moniker(to) + " " + to.Hex(), nil
	case fieldAmount:
		v, _ := m.amount()
		return v.String() + " wei", nil
	}
	return "per gas, to the validators that sign the block", nil
}

// about says what the action does, with the amounts it concerns.
func (m *Model) about() string {
	a := m.act
	val := m.moniker(a.validator)
	crn := func(x *big.Int) string { return common.FormatCRN(x, 18) + " CRN" }
	var text string
	switch a.kind {
	case actDelegate:
		text = "Stake with " + val + " earns a share of its rewards, less its commission." +
			" Undelegated stake unbonds for a while before it can be withdrawn."
		if v := m.validator(a.validator); v != nil {
			text = "Stake with " + val + " earns a share of its rewards, less its " + bps(v.CommissionBps) +
				" commission. Undelegated stake unbonds for a while before it can be withdrawn."
		}
	case actUndelegate:
		text = "Delegated to " + val + ": " + crn(a.staked) + ". What you undelegate stops earning now and unbonds; withdraw it (w) when that ends."
	case actRedelegate:
		text = "Delegated to " + val + ": " + crn(a.staked) + ". The stake moves now and keeps earning; until the move completes it can still be slashed for " + val + "."
	case actClaim:
		text = "Pays the " + crn(a.rewards) + " of rewards earned with " + val + " to " + a.from.Label + "."
	case actWithdraw:
		text = "Pays the " + crn(a.ready) + " that has finished unbonding to " + a.from.Label + "."
	case actUnjail:
		text = "Brings " + val + " back: it rejoins the validator set at the next epoch if its stake places it there."
	}
	return common.Wrap(text, m.c.Width)
}

func (m *Model) sentView() string {
	s := m.c.Styles
	lines := []string{
		s.Success.Render("✓ Sent") + s.Subtle.Render(" · the node accepted the transaction into its mempool"),
		"",
		"  " + s.Label.Render("Hash   ") + s.Highlight.Render(fitHash(m.sent.Hex(), m.c.Width-9)),
	}
	if d := m.draft; d != nil {
		lines = append(lines, "  "+s.Label.Render("Call   ")+s.Value.Render(common.Truncate(d.Call, m.c.Width-9)))
	}
	lines = append(lines, "", s.Subtle.Render(common.Wrap("The tables change once a block includes it. esc: back to staking", m.c.Width)))
	return strings.Join(lines, "\n")
}

// fitHash is a hash whole where it fits in width, else its short form,
// so it is never cut without a mark.
func fitHash(h string, width int) string {
	if len(h) <= width {
		return h
	}
	return common.ShortHash(h)
}
