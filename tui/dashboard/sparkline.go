package dashboard

import (
	"slices"
	"strings"
)

var bars = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last width values scaled to the largest of them, in
// rows lines of bars (the top line first); the smallest value is the
// bottom line's lowest bar.
func sparkline(values []float64, width, rows int) string {
	if width <= 0 || rows <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	var top float64
	for _, v := range values {
		top = max(top, v)
	}
	levels := rows * len(bars)
	lines := make([]strings.Builder, rows)
	for _, v := range values {
		level := 1
		if top > 0 {
			level = 1 + int(v/top*float64(levels-1))
		}
		level = min(max(level, 1), levels)
		for r := range rows { // r counts from the bottom line
			cell := min(max(level-r*len(bars), 0), len(bars))
			ch := ' '
			if cell > 0 {
				ch = bars[cell-1]
			}
			lines[rows-1-r].WriteRune(ch)
		}
	}
	out := make([]string, rows)
	for i := range lines {
		out[i] = lines[i].String()
	}
	return strings.Join(out, "\n")
}

// series is a bounded history of per-block figures.
type series struct {
	values []float64
	limit  int
}

func (s *series) add(v float64) {
	s.values = append(s.values, v)
	if len(s.values) > s.limit {
		s.values = s.values[len(s.values)-s.limit:]
	}
}

func (s *series) last() float64 {
	if len(s.values) == 0 {
		return 0
	}
	return s.values[len(s.values)-1]
}

func (s *series) mean() float64 {
	if len(s.values) == 0 {
		return 0
	}
	var sum float64
	for _, v := range s.values {
		sum += v
	}
	return sum / float64(len(s.values))
}

func (s *series) min() float64 {
	if len(s.values) == 0 {
		return 0
	}
	return slices.Min(s.values)
}

func (s *series) max() float64 {
	if len(s.values) == 0 {
		return 0
	}
	return slices.Max(s.values)
}
