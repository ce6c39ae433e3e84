package onboarding

import (
	"fmt"
	"strings"
	"testing"
)

// TestWordsAllOrNone: at every size the words step shows every word with
// its number, whole, or none of them and a line asking for a larger
// window. A phrase copied down from a cut screen restores nothing.
func TestWordsAllOrNone(t *testing.T) {
	for _, n := range []int{12, 24} {
		for _, sz := range []struct {
			w, h  int
			shown bool
		}{{80, 24, true}, {120, 40, true}, {60, 20, true}, {44, 30, true}, {30, 40, true}, {60, 16, false}, {40, 12, false}} {
			name := fmt.Sprintf("%d words %dx%d", n, sz.w, sz.h)
			startKeys := []string{"enter"}
			if n == 24 {
				startKeys = []string{"w", "enter"}
			}
			m := newFirstRun(t, goldenPath, sz.w, sz.h)
			s, _ := drive(t, m, keys(startKeys...)...)
			v := s.View()
			checkArea(t, v, sz.w, sz.h-2)
			p := plain(s)
			missing := 0
			for i, w := range m.words {
				if !strings.Contains(p, fmt.Sprintf("%2d %s", i+1, w)) {
					missing++
				}
			}
			asks := strings.Contains(strings.Join(strings.Fields(p), " "), "Make the window larger to see your recovery words")
			switch {
			case len(m.words) != n:
				t.Fatalf("%s: %d words made", name, len(m.words))
			case sz.shown && (missing > 0 || asks):
				t.Errorf("%s: %d words missing (asks for a larger window: %v):\n%s", name, missing, asks, p)
			case !sz.shown && (missing != n || !asks):
				t.Errorf("%s: %d of the words shown where they cannot all fit, asks %v:\n%s", name, n-missing, asks, p)
			case !sz.shown:
				if drive(t, s, keys("enter")...); m.step != stepWords {
					t.Errorf("%s: enter went on from words never shown", name)
				}
			}
		}
	}
}
