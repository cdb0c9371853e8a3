package textdiff

import (
	"testing"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
	"pgregory.net/rapid"
)

// The engine's Myers diff must make go-diff's very decisions: the redlines
// it gives (and their cache keys) depend on them.
func TestMyersMatchesGoDiff(t *testing.T) {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	var md myersDiff
	rapid.Check(t, func(t *rapid.T) {
		alpha := rapid.IntRange(1, 6).Draw(t, "alphabet")
		gen := func(label string) []rune {
			ids := rapid.SliceOfN(rapid.IntRange(0, alpha-1), 0, 60).Draw(t, label)
			rs := make([]rune, len(ids))
			for i, id := range ids {
				rs[i] = runeFor(id)
			}
			return rs
		}
		a := gen("a")
		var b []rune
		if rapid.Bool().Draw(t, "related") {
			// Edits of a: most of it shared.
			b = append(b, a...)
			for range rapid.IntRange(0, 6).Draw(t, "edits") {
				k := rapid.IntRange(0, len(b)).Draw(t, "at")
				n := rapid.IntRange(0, min(3, len(b)-k)).Draw(t, "cut")
				b = append(b[:k:k], append(gen("ins"), b[k+n:]...)...)
			}
		} else {
			b = gen("b")
		}
		var want []medit
		for _, df := range dmp.DiffMainRunes(a, b, false) {
			n := utf8.RuneCountInString(df.Text)
			switch df.Type {
			case diffmatchpatch.DiffEqual:
				want = append(want, medit{opEq, n})
			case diffmatchpatch.DiffDelete:
				want = append(want, medit{opDel, n})
			case diffmatchpatch.DiffInsert:
				want = append(want, medit{opIns, n})
			}
		}
		got := md.diff(a, b)
		if len(got) != len(want) {
			t.Fatalf("diff(%v, %v) = %v, go-diff %v", a, b, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("diff(%v, %v) = %v, go-diff %v", a, b, got, want)
			}
		}
	})
}
