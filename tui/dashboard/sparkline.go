package dashboard

import "strings"

var bars = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last width values scaled to the largest of them.
func sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	var top float64
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		i := 0
		if top > 0 {
			i = int(v / top * float64(len(bars)-1))
		}
		b.WriteRune(bars[min(max(i, 0), len(bars)-1)])
	}
	return b.String()
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
