package peers

import (
	"fmt"
	"strings"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// The validator grid: cells of at least minCellW side by side, gridGap
// apart. A cell is a mark (★ proposer, • this node), the prevote and the
// precommit (✓ in, · not yet), the validator and its power.
const (
	minCellW   = 34
	gridGap    = 3
	voteW      = 2
	powerW     = 7
	cellFixed  = 1 + 1 + voteW + 1 + voteW + 1 + 1 + powerW // all but the name
	shortAddrW = 11                                         // 0x1234…cdef
)

// consensusHead is the round in progress: height, round, step and
// proposer, then how many prevotes and precommits are in and whether they
// pass two thirds of the power.
func (m *Model) consensusHead(st *api.Status, w int) []string {
	s := m.c.Styles
	title := s.Title.Render("Consensus")
	cs := st.Consensus
	if cs == nil {
		return []string{title + s.Subtle.Render("  not reported by this node")}
	}
	round := fmt.Sprintf("  height %s · round %d · %s", txview.Num(cs.Height), cs.Round, pick(cs.Step == "", "—", cs.Step))
	if cs.Proposer != nil {
		round += " · proposer " + proposerName(cs)
	}
	out := []string{title + s.Value.Render(round)}
	if len(cs.Validators) == 0 {
		return out
	}
	tally := m.tally("prevotes", cs.Validators, func(v api.ValidatorVotes) bool { return v.Prevote }) +
		s.Subtle.Render("   ") +
		m.tally("precommits", cs.Validators, func(v api.ValidatorVotes) bool { return v.Precommit })
	if legend := s.Faint.Render("   ★ proposer · • this node"); lipgloss.Width(tally+legend) <= w {
		tally += legend
	}
	return append(out, tally)
}

// tally counts the votes in and their share of the power; past two thirds
// it says so.
func (m *Model) tally(what string, vals []api.ValidatorVotes, in func(api.ValidatorVotes) bool) string {
	s := m.c.Styles
	var n int
	var power, total uint64
	for _, v := range vals {
		total += v.Power
		if in(v) {
			n++
			power += v.Power
		}
	}
	share := 0.0
	if total > 0 {
		share = float64(power) / float64(total)
	}
	text := s.Value.Render(fmt.Sprintf("%s %d/%d", what, n, len(vals))) + s.Subtle.Render(fmt.Sprintf(" · %.0f%% power", share*100))
	if 3*power > 2*total {
		text += s.Success.Render(" +2/3")
	}
	return text
}

func proposerName(cs *api.ConsensusStatus) string {
	for _, v := range cs.Validators {
		if v.Address == *cs.Proposer {
			return validatorName(v)
		}
	}
	return common.ShortAddr(*cs.Proposer)
}

func validatorName(v api.ValidatorVotes) string {
	if v.Name != "" {
		return v.Name
	}
	return common.ShortAddr(v.Address)
}

// gridShape is how many cells go side by side at width w, and how wide.
func gridShape(w int) (cols, cellW int) {
	cols = max((w+gridGap)/(minCellW+gridGap), 1)
	return cols, max((w-(cols-1)*gridGap)/cols, cellFixed+1)
}

// gridLines is how many lines the validator grid takes in full: a title
// line and the rows of cells (none without validators).
func gridLines(st *api.Status, w int) int {
	if st.Consensus == nil || len(st.Consensus.Validators) == 0 {
		return 0
	}
	cols, _ := gridShape(w)
	return 1 + (len(st.Consensus.Validators)+cols-1)/cols
}

// grid draws the validators in at most lines lines; when they do not all
// fit, the last says how many are left out.
func (m *Model) grid(st *api.Status, w, lines int) []string {
	if lines < 2 || gridLines(st, w) == 0 {
		return nil
	}
	s := m.c.Styles
	cs := st.Consensus
	vals := cs.Validators
	cols, cellW := gridShape(w)
	nameW := cellW - cellFixed
	rows := (len(vals) + cols - 1) / cols
	hidden := 0
	if rows > lines-1 {
		rows = lines - 2
		hidden = len(vals) - rows*cols
	}
	gap := strings.Repeat(" ", gridGap)
	head := s.Header.Render("  " + txview.Pad("pv", voteW, false) + " " + txview.Pad("pc", voteW, false) + " " +
		txview.Pad("validator", nameW, false) + " " + txview.Pad("power", powerW, true))
	heads := make([]string, min(cols, len(vals)))
	for i := range heads {
		heads[i] = head
	}
	out := []string{strings.Join(heads, gap)}
	for r := range rows {
		var line []string
		for c := range cols {
			if i := r*cols + c; i < len(vals) {
				line = append(line, m.cell(vals[i], cs, st.Validator, nameW))
			}
		}
		out = append(out, strings.Join(line, gap))
	}
	if hidden > 0 {
		out = append(out, s.Subtle.Render(fmt.Sprintf("  … %d more validators", hidden)))
	}
	return out
}

func (m *Model) cell(v api.ValidatorVotes, cs *api.ConsensusStatus, own *ethcommon.Address, nameW int) string {
	s := m.c.Styles
	ours := own != nil && *own == v.Address
	mark := " "
	switch {
	case cs.Proposer != nil && *cs.Proposer == v.Address:
		mark = s.Accent.Render("★")
	case ours:
		mark = s.Highlight.Render("•")
	}
	vote := func(in bool) string {
		if in {
			return s.Success.Render(txview.Pad("✓", voteW, false))
		}
		return s.Faint.Render(txview.Pad("·", voteW, false))
	}
	name := validatorName(v)
	if v.Name != "" && len(name)+1+shortAddrW <= nameW {
		name += " " + common.ShortAddr(v.Address)
	}
	nameStyle := s.Value
	if ours {
		nameStyle = s.Highlight
	}
	return mark + " " + vote(v.Prevote) + " " + vote(v.Precommit) + " " +
		nameStyle.Render(txview.Pad(name, nameW, false)) + " " + s.Subtle.Render(txview.Pad(txview.Num(v.Power), powerW, true))
}
