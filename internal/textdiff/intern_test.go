package textdiff

import (
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// internSpans numbers lines exactly as interning them in a map does.
func TestInternSpansMatchesMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		line := rapid.SampledFrom([]string{"a\n", "b\n", "a", "\n", "жж\n", "a b\n", ""})
		a := strings.Join(rapid.SliceOfN(line, 0, 50).Draw(t, "a"), "")
		b := strings.Join(rapid.SliceOfN(line, 0, 50).Draw(t, "b"), "")
		la, lb := tokenizeLines(a, nil), tokenizeLines(b, nil)
		idOf := map[string]int32{}
		var wa, wb []int32
		for _, s := range la {
			wa = append(wa, internID(idOf, a[s.start:s.end]))
		}
		for _, s := range lb {
			wb = append(wb, internID(idOf, b[s.start:s.end]))
		}
		ga, gb := internSpans(a, la, b, lb)
		if !slices.Equal(ga, wa) || !slices.Equal(gb, wb) {
			t.Fatalf("internSpans = %v %v, map %v %v", ga, gb, wa, wb)
		}
	})
}

// internKeys numbers paragraph keys exactly as interning them in a map does.
func TestInternKeysMatchesMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := rapid.SampledFrom([]string{"a", "b", "a b", "\n", "жж", ""})
		gen := func(label string) []para {
			var ps []para
			for _, k := range rapid.SliceOfN(key, 0, 50).Draw(t, label) {
				ps = append(ps, para{key: k})
			}
			return ps
		}
		pa, pb := gen("a"), gen("b")
		idOf := map[string]int32{}
		var wa, wb []int32
		for _, p := range pa {
			wa = append(wa, internID(idOf, p.key))
		}
		for _, p := range pb {
			wb = append(wb, internID(idOf, p.key))
		}
		var sc internScratch
		ga, gb := sc.internKeys(pa, pb)
		if len(ga) != len(wa) || len(gb) != len(wb) || (len(ga) > 0 && !slices.Equal(ga, wa)) || (len(gb) > 0 && !slices.Equal(gb, wb)) {
			t.Fatalf("internKeys = %v %v, map %v %v", ga, gb, wa, wb)
		}
	})
}
