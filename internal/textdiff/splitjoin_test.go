package textdiff

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestSplitJoinExamples(t *testing.T) {
	tests := []struct {
		name          string
		old, new      string
		kind          ParaKind
		count         int
		words         int // words inserted plus deleted
		otherKindsToo bool
	}{
		{
			name:  "a heading gains a blank line after it",
			old:   "# О кластерах\nУчастники конференции отмечают важность инновационных кластеров.\n\nВторой абзац.\n",
			new:   "# О кластерах\n\nУчастники конференции отмечают важность инновационных кластеров.\n\nВторой абзац.\n",
			kind:  KindSplit,
			count: 2,
		},
		{
			name:  "a paragraph cut in two, a word edited",
			old:   "Рекомендовать органам власти создать фонд поддержки кластеров. Следует уделить особое внимание подготовке кадров для промышленности.\n",
			new:   "Рекомендовать органам власти создать венчурный фонд поддержки кластеров.\n\nСледует уделить особое внимание подготовке кадров для промышленности.\n",
			kind:  KindSplit,
			count: 2,
			words: 1,
		},
		{
			name:  "three paragraphs joined into one",
			old:   "Первый абзац о фонде поддержки.\n\nВторой абзац о технопарках.\n\nТретий абзац о кадрах.\n\nКонец.\n",
			new:   "Первый абзац о фонде поддержки. Второй абзац о технопарках. Третий абзац о кадрах.\n\nКонец.\n",
			kind:  KindJoined,
			count: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []Mode{ModeWord, ModeChar, ModeLine} {
				r := Diff(tc.old, tc.new, Options{Mode: mode})
				checkResult(t, tc.old, tc.new, r)
				checkRenderers(t, tc.old, tc.new, r)
				var got []Paragraph
				for _, p := range r.Paragraphs {
					if p.Kind != KindEqual {
						got = append(got, p)
					}
				}
				if len(got) != 1 || got[0].Kind != tc.kind || got[0].Count != tc.count {
					t.Fatalf("%s: changed paragraphs %+v, want one %s of %d", mode, got, tc.kind, tc.count)
				}
				if w := r.Stats.WordsInserted + r.Stats.WordsDeleted; mode != ModeLine && w != tc.words {
					t.Errorf("%s: %d words changed, want %d: %+v", mode, w, tc.words, got[0].Chunks)
				}
			}
		})
	}
}

// sentence draws a Russian sentence of a few words.
func drawSentence(t *rapid.T, label string) string {
	ws := rapid.SliceOfN(rapid.SampledFrom(corpusWords), 4, 12).Draw(t, label)
	ws[0] = strings.ToUpper(ws[0][:2]) + ws[0][2:] // Cyrillic letters are two bytes
	return strings.Join(ws, " ") + "."
}

// TestPropertySplitJoin: a random Russian text, one of whose paragraphs is
// cut into several (or several neighbours joined into one), perhaps with a
// word edited inside, shows that paragraph as a split (or join) of the right
// size, with no more changed words than were edited, and round-trips.
func TestPropertySplitJoin(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Paragraphs of distinct sentences, so that nothing else aligns.
		n := rapid.IntRange(3, 8).Draw(t, "paragraphs")
		paras := make([][]string, n)
		for i := range paras {
			for k := range rapid.IntRange(1, 4).Draw(t, "sentences") {
				paras[i] = append(paras[i], fmt.Sprintf("%s %d-%d", drawSentence(t, "sentence"), i, k))
			}
		}
		text := func(ps [][]string) string {
			var b []string
			for _, p := range ps {
				b = append(b, strings.Join(p, " "))
			}
			return strings.Join(b, "\n\n") + "\n"
		}
		old := text(paras)
		split := rapid.Bool().Draw(t, "split")
		k := rapid.IntRange(0, n-1).Draw(t, "paragraph")
		var nw [][]string
		var kind ParaKind
		var count int
		if split {
			if len(paras[k]) < 2 {
				paras[k] = append(paras[k], drawSentence(t, "extra")+" x")
				old = text(paras)
			}
			count = rapid.IntRange(2, len(paras[k])).Draw(t, "pieces")
			nw = append(nw, paras[:k]...)
			rest := paras[k]
			for c := count; c > 1; c-- {
				nw = append(nw, rest[:1])
				rest = rest[1:]
			}
			nw = append(nw, rest)
			nw = append(nw, paras[k+1:]...)
			kind = KindSplit
		} else {
			if k == n-1 {
				k--
			}
			count = rapid.IntRange(2, n-k).Draw(t, "joined")
			var all []string
			for _, p := range paras[k : k+count] {
				all = append(all, p...)
			}
			nw = append(nw, paras[:k]...)
			nw = append(nw, all)
			nw = append(nw, paras[k+count:]...)
			kind = KindJoined
		}
		edited := 0
		if rapid.Bool().Draw(t, "edit a word") {
			p := nw[k]
			ws := strings.Fields(p[0])
			w := rapid.IntRange(1, len(ws)-2).Draw(t, "word")
			edited = countWords(ws[w]) + 1
			ws[w] = "изменённое"
			p[0] = strings.Join(ws, " ")
		}
		new := text(nw)
		r := Diff(old, new, Options{})
		checkResult(t, old, new, r)
		var found *Paragraph
		for i, p := range r.Paragraphs {
			if p.Kind != KindEqual {
				if found != nil {
					t.Fatalf("old:\n%s\nnew:\n%s\nmore than one changed paragraph: %+v", old, new, r.Paragraphs)
				}
				found = &r.Paragraphs[i]
			}
		}
		if found == nil || found.Kind != kind || found.Count != count {
			t.Fatalf("old:\n%s\nnew:\n%s\nwant one %s of %d, got %+v", old, new, kind, count, found)
		}
		if w := r.Stats.WordsInserted + r.Stats.WordsDeleted; w > edited {
			t.Fatalf("old:\n%s\nnew:\n%s\n%d words changed for %d edited: %+v", old, new, w, edited, found.Chunks)
		}
	})
}
