package peers

import (
	"cmp"
	"math"
	"strings"

	"cairn/node/api"
)

// column is a sort column of the peer table.
type column int

// The sort columns, in the order the sort key cycles through them.
const (
	byLatency column = iota
	byScore
	byHeight
	byDirection
	byUptime
	numColumns
)

// name is the column as the header names it.
func (c column) name() string {
	return [...]string{"latency", "score", "height", "direction", "uptime"}[c]
}

// direction describes the column's natural order, or the reverse.
func (c column) direction(reversed bool) string {
	d := [...][2]string{
		{"lowest first", "highest first"},
		{"highest first", "lowest first"},
		{"highest first", "lowest first"},
		{"outbound first", "inbound first"},
		{"longest first", "shortest first"},
	}[c]
	if reversed {
		return d[1]
	}
	return d[0]
}

// comparator is the table's total order for a column: its natural
// direction (lowest latency, highest score, highest head, outbound, longest
// connected), ties broken by ID, and all of it flipped when reversed. A
// latency or connection time not known yet sorts last.
func comparator(c column, reversed bool) func(a, b api.Peer) int {
	primary := [...]func(a, b api.Peer) int{
		func(a, b api.Peer) int { return cmp.Compare(latencyKey(a), latencyKey(b)) },
		func(a, b api.Peer) int { return -cmp.Compare(a.Score, b.Score) },
		func(a, b api.Peer) int { return -cmp.Compare(a.Height, b.Height) },
		func(a, b api.Peer) int { return cmp.Compare(directionRank(a), directionRank(b)) },
		func(a, b api.Peer) int { return cmp.Compare(sinceKey(a), sinceKey(b)) },
	}[c]
	sign := 1
	if reversed {
		sign = -1
	}
	return func(a, b api.Peer) int {
		if r := primary(a, b); r != 0 {
			return sign * r
		}
		return sign * strings.Compare(a.ID, b.ID)
	}
}

func latencyKey(p api.Peer) float64 {
	if p.LatencyMs <= 0 {
		return math.Inf(1) // not measured yet
	}
	return p.LatencyMs
}

func sinceKey(p api.Peer) uint64 {
	if p.ConnectedSince == 0 {
		return math.MaxUint64 // not known
	}
	return p.ConnectedSince
}

func directionRank(p api.Peer) int {
	switch p.Direction {
	case "outbound":
		return 0
	case "inbound":
		return 1
	}
	return 2
}
