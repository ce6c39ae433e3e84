package staking

import (
	"fmt"

	"cairn/node/api"

	"charm.land/lipgloss/v2"
)

// ownLines is this node's validator: its place, its signing over the
// window and, when jailed, how long until it may unjail.
func (m *Model) ownLines() []string {
	s := m.c.Styles
	v := m.ownValidator()
	if v == nil {
		return nil
	}
	status := m.statusStyle(v.Status)(v.Status)
	line := s.Label.Render("This node's validator ") + s.Value.Render(v.Moniker) + s.Subtle.Render(" · ") + status +
		s.Subtle.Render(fmt.Sprintf(" · signed %d of the last %d, missed %d",
			v.WindowBlocks-v.MissedBlocks, v.WindowBlocks, v.MissedBlocks))
	if lipgloss.Width(line) > m.c.Width { // the same, in fewer words
		line = s.Label.Render("Node's validator ") + s.Value.Render(v.Moniker) + s.Subtle.Render(" · ") + status +
			s.Subtle.Render(fmt.Sprintf(" · missed %d/%d", v.MissedBlocks, v.WindowBlocks))
	}
	var next string
	switch v.Status {
	case api.ValidatorJailed:
		if left := m.until(v.JailedUntil); left > 0 {
			next = s.Warning.Render("Jailed for missing blocks: it may unjail in " + timeLeft(left))
		} else if _, ok := m.walletAccount(v.Operator); ok {
			next = s.Warning.Render("Jailed for missing blocks; the jail time is over: U unjails it")
		} else {
			next = s.Warning.Render("Jailed; the jail time is over: unjail it from the wallet that holds " + v.Operator.Hex())
		}
	case api.ValidatorTombstoned:
		next = s.Error.Render("Tombstoned for double-signing: it will never be in the validator set again")
	case api.ValidatorInactive:
		next = s.Subtle.Render("Not in the active set: its stake is below the set's smallest, or under the minimum self-stake")
	default:
		return []string{line}
	}
	return []string{line, next}
}
