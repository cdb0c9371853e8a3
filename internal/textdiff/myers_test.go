package textdiff

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
	"pgregory.net/rapid"
)

// The engine's Myers diff must make go-diff's very decisions: the redlines
// it gives (and their cache keys) depend on them.
func TestMyersMatchesGoDiff(t *testing.T) { checkMyersMatchesGoDiff(t, 6, 60, 6) }

// Longer sequences with more edits: many recursion levels, each tidying its
// part of the one list of edits in place (see myersDiff).
func TestMyersMatchesGoDiffLong(t *testing.T) { checkMyersMatchesGoDiff(t, 40, 400, 40) }

func checkMyersMatchesGoDiff(t *testing.T, maxAlpha, maxLen, maxEdits int) {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	var md myersDiff
	rapid.Check(t, func(t *rapid.T) {
		alpha := rapid.IntRange(1, maxAlpha).Draw(t, "alphabet")
		gen := func(label string) []rune {
			ids := rapid.SliceOfN(rapid.IntRange(0, alpha-1), 0, maxLen).Draw(t, label)
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
			for range rapid.IntRange(0, maxEdits).Draw(t, "edits") {
				k := rapid.IntRange(0, len(b)).Draw(t, "at")
				n := rapid.IntRange(0, min(maxLen/20, len(b)-k)).Draw(t, "cut")
				b = append(b[:k:k], append(gen("ins"), b[k+n:]...)...)
			}
		} else {
			b = gen("b")
		}
		want := goDiffEdits(dmp, a, b)
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

// Sequences with nothing in common, alone and between shared parts: compute
// answers them without bisect's walk, and must answer what go-diff does.
func TestMyersDisjoint(t *testing.T) {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	var md myersDiff
	// Long ones first, odd and even total lengths (bisect's two ends).
	for _, nn := range [][2]int{{1000, 999}, {1000, 1000}, {37, 1500}, {1500, 8}} {
		for _, mid := range []int{0, 5} {
			var a, b []rune
			for i := range nn[0] {
				a = append(a, runeFor(100+i%97))
			}
			for i := range mid {
				a, b = append(a, runeFor(i)), append(b, runeFor(i))
			}
			for i := range nn[1] {
				b = append(b, runeFor(300+i%89))
			}
			if got, want := md.diff(a, b), goDiffEdits(dmp, a, b); !slices.Equal(got, want) {
				t.Fatalf("diff of %d and %d items (%d shared) = %v, go-diff %v", len(a), len(b), mid, got, want)
			}
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		gen := func(label string, from, to, n int) []rune {
			ids := rapid.SliceOfN(rapid.IntRange(from, to), 0, n).Draw(t, label)
			rs := make([]rune, len(ids))
			for i, id := range ids {
				rs[i] = runeFor(id)
			}
			return rs
		}
		n := rapid.IntRange(1, 300).Draw(t, "n")
		alpha := rapid.IntRange(1, 50).Draw(t, "alphabet")
		shared := gen("shared", 0, alpha, 20)
		var a, b []rune
		for k := range rapid.IntRange(1, 4).Draw(t, "parts") {
			// Each side's own items: a from one range, b from another.
			a = append(a, gen("a", 100, 100+alpha, n)...)
			b = append(b, gen("b", 200, 200+alpha, n)...)
			if k%2 == 0 || rapid.Bool().Draw(t, "share") {
				a = append(a, shared...)
				b = append(b, shared...)
			}
		}
		if got, want := md.diff(a, b), goDiffEdits(dmp, a, b); !slices.Equal(got, want) {
			t.Fatalf("diff(%v, %v) = %v, go-diff %v", a, b, got, want)
		}
	})
}

// goDiffEdits is go-diff's DiffMainRunes(a, b) as edits.
func goDiffEdits(dmp *diffmatchpatch.DiffMatchPatch, a, b []rune) []medit {
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
	return want
}

// Two long sequences with nothing in common cost no bisect round (the walk
// over every diagonal is what compute spares), and sharing one item brings
// the walk back.
func TestMyersDisjointCostsNoWalk(t *testing.T) {
	var a, b []rune
	for i := range 2000 {
		a = append(a, runeFor(i))
		b = append(b, runeFor(5000+i))
	}
	var md myersDiff
	got := md.diff(a, b)
	if want := []medit{{opDel, 2000}, {opIns, 2000}}; !slices.Equal(got, want) {
		t.Fatalf("diff = %v, want %v", got, want)
	}
	if md.steps != 0 {
		t.Fatalf("disjoint sequences: %d bisect rounds, want 0", md.steps)
	}
	b[1000] = a[1000]
	md.diff(a, b)
	if md.steps < 1000 {
		t.Fatalf("sequences sharing an item: %d bisect rounds, want the walk (≥ 1000)", md.steps)
	}
}
