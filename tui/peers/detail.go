package peers

import (
	"fmt"
	"strings"
	"time"

	"cairn/node/api"
	"cairn/tui/blocks/txview"
	"cairn/tui/common"
)

// detailView is the selected peer in full: its ID, every address, and the
// table's figures spelled out. A peer that disconnected while shown stays,
// as last seen, under a note that it is gone.
func (m *Model) detailView(st *api.Status) string {
	s, w := m.c.Styles, m.c.Width
	p := m.last
	out := []string{s.Title.Render("Peer") + s.Subtle.Render(fmt.Sprintf("  %d of %d", m.cursor+1, len(m.peers)))}
	if m.index(m.sel) < 0 {
		out[0] = s.Title.Render("Peer") + s.Warning.Render("  disconnected: as last seen")
	}
	out = append(out, "")
	add := func(label, value string) { out = append(out, txview.Field(s, label, value, s.Value, w)...) }
	add("ID", p.ID)
	add("Direction", p.Direction)
	if p.ConnectedSince > 0 {
		since := time.UnixMilli(int64(p.ConnectedSince)).UTC().Format("2006-01-02 15:04:05 UTC")
		add("Connected", fmt.Sprintf("%s ago, since %s", uptime(p.ConnectedSince, m.c.Now()), since))
	} else {
		add("Connected", "—")
	}
	lat := latency(p.LatencyMs)
	if p.LatencyMs <= 0 {
		lat = "not measured yet"
	}
	add("Latency", lat)
	add("Score", fmt.Sprintf("%.2f", p.Score))
	add("Head", height(p.Height)+relative(p.Height, st.Height))
	add("Finalized", height(p.Finalized))
	add("Agent", pick(p.Agent == "", "—", p.Agent))
	if len(p.Addrs) == 0 {
		add("Addresses", "—")
	}
	for i, a := range p.Addrs {
		add(pick(i == 0, "Addresses", ""), a)
	}
	out = append(out, "", s.Subtle.Render("esc back · ↑/↓ the previous or next peer"))
	return common.Fit(strings.Join(out, "\n"), w, m.c.Height)
}

// relative compares a peer's head with this node's.
func relative(peer, ours uint64) string {
	switch {
	case peer == 0:
		return ""
	case peer > ours:
		return fmt.Sprintf(" (%s ahead of this node)", plural(peer-ours, "block"))
	case peer < ours:
		return fmt.Sprintf(" (%s behind this node)", plural(ours-peer, "block"))
	}
	return " (level with this node)"
}
