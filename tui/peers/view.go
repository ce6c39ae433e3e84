package peers

import (
	"fmt"
	"math"
	"strings"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"

	"charm.land/lipgloss/v2"
)

const (
	labelW    = 8   // the label column of the top lines
	shortIDW  = 13  // a peer ID abbreviated: 12D3Ko…XwN3sE
	wideWidth = 100 // from this width the top shows the node's ID in full
	maxBarW   = 40  // the sync bar's width at most
)

// mainView draws the node and its sync on top, then the peer table, then
// the consensus round; the table and the validators share the rows left.
func (m *Model) mainView(st *api.Status) string {
	w, h := m.c.Width, m.c.Height
	top := append(m.nodeLines(st, w), m.syncLine(st, w), "")
	head := m.consensusHead(st, w)
	free := h - len(top) - tableChrome - 1 - len(head) - m.filter.Lines() // 1: the blank line above the consensus
	want := max(len(m.peers), 1)
	gridRows := gridLines(st, w)
	if want+gridRows > free {
		gridRows = min(gridRows, max(free-want, free/2))
	}
	out := append(top, m.table(st, w, max(free-gridRows, 1))...)
	out = append(out, "")
	out = append(out, head...)
	out = append(out, m.grid(st, w, gridRows)...)
	return common.Fit(strings.Join(out, "\n"), w, h)
}

func (m *Model) label(s string) string {
	return m.c.Styles.Label.Render(txview.Pad(s, labelW, false))
}

// nodeLines are this node's ID (abbreviated below wideWidth) and its
// listen addresses, or that it runs alone.
func (m *Model) nodeLines(st *api.Status, w int) []string {
	s := m.c.Styles
	if st.NodeID == "" {
		return []string{m.label("Node") + s.Subtle.Render("running alone: no network, no peers")}
	}
	id := st.NodeID
	if w < wideWidth {
		id = shortID(id, shortIDW)
	}
	line := m.label("Node") + s.Value.Render(id)
	if st.Validator != nil {
		line += s.Subtle.Render(" · validator " + common.ShortAddr(*st.Validator))
	} else {
		line += s.Subtle.Render(" · following")
	}
	out := []string{line}
	if len(st.Listen) > 0 {
		out = append(out, m.label("Listen")+s.Value.Render(addrList(st.Listen, w-labelW)))
	}
	return out
}

// addrList joins as many addresses as fit in w cells, saying how many more
// there are.
func addrList(addrs []string, w int) string {
	line := ""
	for i, a := range addrs {
		next := a
		if i > 0 {
			next = line + " · " + a
		}
		rest := ""
		if left := len(addrs) - i - 1; left > 0 {
			rest = fmt.Sprintf(" · +%d more", left)
		}
		if lipgloss.Width(next+rest) > w && i > 0 {
			return line + fmt.Sprintf(" · +%d more", len(addrs)-i)
		}
		line = next
	}
	return line
}

// syncLine is the block sync's progress bar, or that the node is in step.
func (m *Model) syncLine(st *api.Status, w int) string {
	s := m.c.Styles
	sy := st.Syncing
	switch sn := st.Snapshot; {
	case sn.Running():
		return m.label("Sync") + s.Warning.Render(snapshotLine(sn))
	case sy != nil:
		done := 1.0
		if sy.Target > sy.From {
			done = float64(min(max(sy.Current, sy.From), sy.Target)-sy.From) / float64(sy.Target-sy.From)
		}
		left := uint64(0)
		if sy.Target > sy.Current {
			left = sy.Target - sy.Current
		}
		text := fmt.Sprintf(" %3.0f%%  %s → %s / %s · %s left", done*100,
			txview.Num(sy.From), txview.Num(sy.Current), txview.Num(sy.Target), plural(left, "block"))
		barW := min(max(w-labelW-lipgloss.Width(text), 10), maxBarW)
		return m.label("Sync") + m.bar(done, barW) + s.Warning.Render(text)
	case st.NodeID == "" || st.Peers == 0:
		return m.label("Sync") + s.Subtle.Render("at height "+txview.Num(st.Height)+" · no peers to compare with")
	}
	line := m.label("Sync") + s.Success.Render("in step with peers") + s.Value.Render(" at height "+txview.Num(st.Height))
	if st.State.Base > 0 {
		line += s.Subtle.Render(" · from a snapshot at " + txview.Num(st.State.Base))
	}
	return line
}

func mebibytes(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// snapshotLine is a snapshot sync in progress: its phase, then the block
// whose state it downloads and what it has verified.
func snapshotLine(sn *api.SnapshotStatus) string {
	if sn.Phase != api.SnapshotDownloading && sn.Phase != api.SnapshotAdopting {
		return "snapshot: " + sn.Phase
	}
	verb := "downloading"
	if sn.Phase == api.SnapshotAdopting {
		verb = "adopting"
	}
	text := fmt.Sprintf("snapshot: %s block %s · %s accounts, %s slots, %s codes · %s · %s",
		verb, txview.Num(sn.Height), txview.Num(sn.Accounts), txview.Num(sn.Slots), txview.Num(sn.Codes),
		mebibytes(sn.Bytes), plural(uint64(sn.Peers), "peer"))
	if sn.Refused > 0 {
		text += fmt.Sprintf(" · %d refused", sn.Refused)
	}
	return text
}

// bar draws a progress bar of w cells, done (0…1) of it filled.
func (m *Model) bar(done float64, w int) string {
	s := m.c.Styles
	full := min(max(int(math.Round(done*float64(w))), 0), w)
	return s.Accent.Render(strings.Repeat("█", full)) + lipgloss.NewStyle().Foreground(s.Colors.Border).Render(strings.Repeat("░", w-full))
}

// shortID abbreviates a peer ID to w cells, keeping its head and tail.
func shortID(id string, w int) string {
	if len(id) <= w || w < 5 {
		return id
	}
	head := (w - 1) / 2
	return id[:head] + "…" + id[len(id)-(w-1-head):]
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return txview.Num(n) + " " + what + "s"
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
