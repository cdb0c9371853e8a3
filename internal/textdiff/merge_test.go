package textdiff

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/sergi/go-diff/diffmatchpatch"
	"pgregory.net/rapid"
)

// checkMerge checks the structural invariants of a MergeResult: conflicts in
// order, not overlapping, each one's region in Text being exactly its Ours
// (for valid UTF-8, which is all Redline stores).
func checkMerge(t tb, r *MergeResult) {
	t.Helper()
	if !utf8.ValidString(r.Text) {
		return // offsets then count bytes that start a code point, as Diff's do
	}
	text := []rune(r.Text)
	last := 0
	for k, c := range r.Conflicts {
		if c.Start < last || c.End < c.Start || c.End > len(text) {
			t.Fatalf("conflict %d at [%d, %d) out of order or range (previous ends at %d, text has %d code points)", k, c.Start, c.End, last, len(text))
		}
		if got := string(text[c.Start:c.End]); got != c.Ours {
			t.Fatalf("conflict %d: Text[%d:%d] = %q, want its Ours %q", k, c.Start, c.End, got, c.Ours)
		}
		last = c.End
	}
}

func TestMerge3Examples(t *testing.T) {
	type conflict struct{ Base, Ours, Theirs string }
	tests := []struct {
		name               string
		base, ours, theirs string
		want               string
		conflicts          []conflict
	}{
		{
			name:   "edits in different paragraphs",
			base:   "Участники конференции отмечают важность кластеров.\n\nРекомендовать органам власти создать фонд.\n\nСледует уделить внимание кадрам.\n",
			ours:   "Участники конференции особо отмечают важность кластеров.\n\nРекомендовать органам власти создать фонд.\n\nСледует уделить внимание кадрам.\n",
			theirs: "Участники конференции отмечают важность кластеров.\n\nРекомендовать органам власти создать фонд.\n\nСледует уделить особое внимание подготовке кадров.\n",
			want:   "Участники конференции особо отмечают важность кластеров.\n\nРекомендовать органам власти создать фонд.\n\nСледует уделить особое внимание подготовке кадров.\n",
		},
		{
			name:   "edits to different words of one paragraph",
			base:   "Рекомендовать органам исполнительной власти города Москвы создать фонд поддержки кластеров.\n",
			ours:   "Рекомендовать федеральным органам исполнительной власти города Москвы создать фонд поддержки кластеров.\n",
			theirs: "Рекомендовать органам исполнительной власти города Москвы создать венчурный фонд поддержки инновационных кластеров.\n",
			want:   "Рекомендовать федеральным органам исполнительной власти города Москвы создать венчурный фонд поддержки инновационных кластеров.\n",
		},
		{
			name:      "edits to the same words conflict",
			base:      "Первый абзац.\n\nСоздать фонд поддержки кластеров.\n\nТретий абзац.\n",
			ours:      "Первый абзац.\n\nСоздать агентство поддержки кластеров.\n\nТретий абзац.\n",
			theirs:    "Первый абзац.\n\nСоздать центр поддержки кластеров.\n\nТретий абзац изменён.\n",
			want:      "Первый абзац.\n\nСоздать агентство поддержки кластеров.\n\nТретий абзац изменён.\n",
			conflicts: []conflict{{"Создать фонд поддержки кластеров.", "Создать агентство поддержки кластеров.", "Создать центр поддержки кластеров."}},
		},
		{
			name:      "delete against edit conflicts",
			base:      "Первый абзац.\n\nВторой абзац о финансировании.\n\nТретий абзац.\n",
			ours:      "Первый абзац.\n\nТретий абзац.\n",
			theirs:    "Первый абзац.\n\nВторой абзац о бюджетном финансировании.\n\nТретий абзац.\n",
			want:      "Первый абзац.\n\nТретий абзац.\n",
			conflicts: []conflict{{"Второй абзац о финансировании.", "", "Второй абзац о бюджетном финансировании."}},
		},
		{
			name:      "edit against delete conflicts, ours kept",
			base:      "Первый абзац.\n\nВторой абзац о финансировании.\n\nТретий абзац.\n",
			ours:      "Первый абзац.\n\nВторой абзац о бюджетном финансировании.\n\nТретий абзац.\n",
			theirs:    "Первый абзац.\n\nТретий абзац.\n",
			want:      "Первый абзац.\n\nВторой абзац о бюджетном финансировании.\n\nТретий абзац.\n",
			conflicts: []conflict{{"Второй абзац о финансировании.", "Второй абзац о бюджетном финансировании.", ""}},
		},
		{
			name:      "different paragraphs inserted at the same place conflict",
			base:      "Первый абзац.\n\nТретий абзац.\n",
			ours:      "Первый абзац.\n\nО технопарках.\n\nТретий абзац.\n",
			theirs:    "Первый абзац.\n\nО бизнес-инкубаторах.\n\nТретий абзац.\n",
			want:      "Первый абзац.\n\nО технопарках.\n\nТретий абзац.\n",
			conflicts: []conflict{{"", "О технопарках.", "О бизнес-инкубаторах."}},
		},
		{
			name:   "the same paragraph inserted by both appears once",
			base:   "Первый абзац.\n\nТретий абзац.\n",
			ours:   "Первый абзац.\n\nО технопарках.\n\nТретий абзац.\n",
			theirs: "Первый абзац.\n\nО технопарках.\n\nТретий абзац.\n",
			want:   "Первый абзац.\n\nО технопарках.\n\nТретий абзац.\n",
		},
		{
			name:   "identical edits apply once",
			base:   "Создать фонд поддержки кластеров.\n\nВторой абзац.\n",
			ours:   "Создать венчурный фонд поддержки кластеров.\n\nВторой абзац.\n",
			theirs: "Создать венчурный фонд поддержки кластеров.\n\nВторой абзац, дополненный.\n",
			want:   "Создать венчурный фонд поддержки кластеров.\n\nВторой абзац, дополненный.\n",
		},
		{
			name:   "a deletion by both, with other edits around",
			base:   "Первый абзац.\n\nВторой абзац.\n\nТретий абзац.\n",
			ours:   "Первый абзац, исправленный.\n\nТретий абзац.\n",
			theirs: "Первый абзац.\n\nТретий абзац, исправленный.\n",
			want:   "Первый абзац, исправленный.\n\nТретий абзац, исправленный.\n",
		},
		{
			name:   "theirs moves a paragraph ours edited: the edit moves along",
			base:   "Преамбула конференции о кластерах.\n\nО подготовке кадров для промышленности.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n",
			ours:   "Преамбула конференции о кластерах.\n\nО подготовке инженерных кадров для промышленности.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n",
			theirs: "Преамбула конференции о кластерах.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n\nО подготовке кадров для промышленности и науки.\n",
			want:   "Преамбула конференции о кластерах.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n\nО подготовке инженерных кадров для промышленности и науки.\n",
		},
		{
			name:   "ours moves a paragraph theirs edited: the edit moves along",
			base:   "Преамбула конференции о кластерах.\n\nО подготовке кадров для промышленности.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n",
			ours:   "Преамбула конференции о кластерах.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n\nО подготовке кадров для промышленности.\n",
			theirs: "Преамбула конференции о кластерах.\n\nО подготовке инженерных кадров для промышленности.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n",
			want:   "Преамбула конференции о кластерах.\n\nО финансировании научных исследований.\n\nО налоговых льготах для технопарков.\n\nО подготовке инженерных кадров для промышленности.\n",
		},
		{
			name:   "ours inserts an item and renumbers, theirs edits a later item",
			base:   "1. Создать фонд.\n\n2. Провести конкурс проектов.\n\n3. Подготовить доклад.\n",
			ours:   "1. Создать фонд.\n\n2. Открыть технопарк.\n\n3. Провести конкурс проектов.\n\n4. Подготовить доклад.\n",
			theirs: "1. Создать фонд.\n\n2. Провести открытый конкурс проектов.\n\n3. Подготовить доклад.\n",
			want:   "1. Создать фонд.\n\n2. Открыть технопарк.\n\n3. Провести открытый конкурс проектов.\n\n4. Подготовить доклад.\n",
		},
		{
			name:   "theirs appends to a text without a final line break",
			base:   "Первый абзац.\n\nВторой абзац.",
			ours:   "Первый абзац, исправленный.\n\nВторой абзац.",
			theirs: "Первый абзац.\n\nВторой абзац.\n\nТретий абзац.",
			want:   "Первый абзац, исправленный.\n\nВторой абзац.\n\nТретий абзац.",
		},
		{
			name:      "both append different last paragraphs",
			base:      "Первый абзац.",
			ours:      "Первый абзац.\n\nОт нас.",
			theirs:    "Первый абзац.\n\nОт них.",
			want:      "Первый абзац.\n\nОт нас.",
			conflicts: []conflict{{"", "От нас.", "От них."}},
		},
		{
			name:   "empty base",
			base:   "",
			ours:   "",
			theirs: "Новый текст.\n",
			want:   "Новый текст.\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Merge3(tc.base, tc.ours, tc.theirs)
			checkMerge(t, r)
			if r.Text != tc.want {
				t.Errorf("Text:\n%s", cmp.Diff(tc.want, r.Text))
			}
			var got []conflict
			for _, c := range r.Conflicts {
				got = append(got, conflict{c.Base, c.Ours, c.Theirs})
			}
			if diff := cmp.Diff(tc.conflicts, got); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMerge3Identities: merging a side that changed nothing gives the other
// side exactly, without conflicts, and merging identical sides gives them.
func TestMerge3Identities(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDoc(t, 0)
		vocab := rapid.SampledFrom([][]string{ruWords, enWords}).Draw(t, "edit vocab")
		nd := d.clone()
		for range rapid.IntRange(0, 6).Draw(t, "edits") {
			edit(t, nd, vocab)
		}
		a, b := d.String(), nd.String()
		for _, tc := range []struct{ name, base, ours, theirs string }{
			{"theirs onto unchanged ours", a, a, b},
			{"unchanged theirs onto ours", a, b, a},
			{"identical changes", a, b, b},
		} {
			r := Merge3(tc.base, tc.ours, tc.theirs)
			checkMerge(t, r)
			if r.Text != b || len(r.Conflicts) != 0 {
				t.Fatalf("%s: got %d conflicts and text\n%q\nwant\n%q", tc.name, len(r.Conflicts), r.Text, b)
			}
		}
	})
}

// mdoc is a generated document for the merge properties: paragraphs with
// identities, so that what each edit script means is known exactly.
type mdoc struct {
	ps []mpara
}

type mpara struct {
	id    int // base index, or -1 for a paragraph an edit script inserted
	words []string
}

func (d *mdoc) String() string {
	if len(d.ps) == 0 {
		return ""
	}
	var b strings.Builder
	for i, p := range d.ps {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(strings.Join(p.words, " "))
	}
	b.WriteString("\n")
	return b.String()
}

func (d *mdoc) clone() *mdoc {
	c := &mdoc{ps: slices.Clone(d.ps)}
	for i := range c.ps {
		c.ps[i].words = slices.Clone(c.ps[i].words)
	}
	return c
}

// wordEdit is one word edit: replace, insert or delete the word at k.
type wordEdit struct {
	kind int
	k    int
	w    string
}

func drawWordEdit(t *rapid.T, k int, w string) wordEdit {
	return wordEdit{rapid.IntRange(0, 2).Draw(t, "word edit"), k, w}
}

func applyWordEdits(ws []string, es []wordEdit) []string {
	ws = slices.Clone(ws)
	for _, e := range es {
		switch {
		case e.kind == 0:
			ws[e.k] = e.w
		case e.kind == 1:
			ws = slices.Insert(ws, e.k, e.w)
		case len(ws) > 1:
			ws = slices.Delete(ws, e.k, e.k+1)
		}
	}
	return ws
}

// editWordsAt makes one word edit at word index k of p.
func editWordsAt(t *rapid.T, p *mpara, k int, newWord string) {
	p.words = applyWordEdits(p.words, []wordEdit{drawWordEdit(t, k, newWord)})
}

// TestPropertyMerge3Disjoint: for a random base and edit scripts of ours and
// theirs that touch disjoint paragraphs (or disjoint word ranges of a shared
// paragraph), Merge3 reports no conflict and equals applying both scripts.
//
// Each base paragraph goes to ours, to theirs, to both (word edits only, in
// separate halves) or to neither; a side edits words of its paragraphs,
// deletes them, inserts a new paragraph after them, or moves one of them
// after another of its own paragraphs (then editing no words and deleting
// nothing). Paragraphs
// share no word, and a move jumps over at least two paragraphs, so that
// every script has one reading.
func TestPropertyMerge3Disjoint(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 6).Draw(t, "paragraphs")
		base := &mdoc{}
		// Words drawn without replacement: paragraphs that share no word
		// have one reading as edited, moved or new.
		pool := rapid.Permutation(ruWords).Draw(t, "vocabulary")
		for i := range n {
			k := rapid.IntRange(8, 10).Draw(t, fmt.Sprint("p", i))
			base.ps = append(base.ps, mpara{id: i, words: pool[:k]})
			pool = pool[k:]
		}
		const (
			none = iota
			ours
			theirs
			both
		)
		owner := make([]int, n)
		ops := make([]string, n)
		for i := range owner {
			owner[i] = rapid.IntRange(none, both).Draw(t, "owner")
			switch owner[i] {
			case ours, theirs:
				ops[i] = rapid.SampledFrom([]string{"edit", "edit", "delete", "insert", "move"}).Draw(t, "op")
			case both:
				ops[i] = "edit"
			}
		}
		// Structural changes (insertions, deletions, moves) of different
		// sides must not touch: diff3 calls those a conflict.
		structural := func(i int) bool { return owner[i] == ours || owner[i] == theirs }
		for i := 1; i < n; i++ {
			if structural(i-1) && structural(i) && owner[i-1] != owner[i] && ops[i-1] != "edit" {
				ops[i] = "edit"
			}
		}
		// Moves: paragraph k after paragraph m of the same side, which that
		// side only edits, at least two places away, and not right before
		// a structural change of the other side.
		moveTo := make([]int, n)
		var moving [4]bool
		for k := range n {
			moveTo[k] = -1
			if ops[k] != "move" {
				continue
			}
			var cands []int
			for m := range n {
				if moving[owner[k]] {
					break // one move per side: two can read as another two
				}
				if owner[m] == owner[k] && ops[m] == "edit" && (m > k+1 || m < k-2) &&
					(m+1 == n || !structural(m+1) || owner[m+1] == owner[k] || ops[m+1] == "edit") {
					cands = append(cands, m)
				}
			}
			if len(cands) == 0 {
				ops[k] = "edit"
				continue
			}
			moveTo[k] = rapid.SampledFrom(cands).Draw(t, "move to")
			moving[owner[k]] = true
		}
		// A side that moves paragraphs edits no words: an edited paragraph
		// no longer matches its base self, and with it gone, which
		// paragraphs moved can have two readings of the same length.
		// Nor does it delete: with a paragraph gone, "C moved up past A
		// and B" and "A and B moved down past C" can tie as well.
		for i := range n {
			if moving[owner[i]] && ops[i] == "delete" {
				ops[i] = "edit"
			}
		}
		inserted := make([][]string, n)
		edits := [3][][]wordEdit{} // each side's word edits of each paragraph
		for side := ours; side <= theirs; side++ {
			edits[side] = make([][]wordEdit, n)
		}
		for i := range n {
			nw := len(base.ps[i].words)
			switch {
			case owner[i] == both:
				// Ours in the first half, theirs in the second, with at
				// least three untouched words between.
				half := nw / 2
				if !moving[theirs] {
					edits[theirs][i] = []wordEdit{drawWordEdit(t, rapid.IntRange(half+2, nw-1).Draw(t, "theirs word"), rapid.SampledFrom(ruWords).Draw(t, "theirs new"))}
				}
				if !moving[ours] {
					edits[ours][i] = []wordEdit{drawWordEdit(t, rapid.IntRange(0, half-2).Draw(t, "ours word"), rapid.SampledFrom(ruWords).Draw(t, "ours new"))}
				}
			case ops[i] == "edit" && !moving[owner[i]]:
				// Two edits far apart, the later one first so that the
				// indices stay those of the base.
				k := rapid.IntRange(nw/2+1, nw-1).Draw(t, "word")
				edits[owner[i]][i] = []wordEdit{drawWordEdit(t, k, rapid.SampledFrom(ruWords).Draw(t, "new"))}
				if rapid.Bool().Draw(t, "second edit") {
					edits[owner[i]][i] = append(edits[owner[i]][i], drawWordEdit(t, rapid.IntRange(0, nw/2-2).Draw(t, "word"), rapid.SampledFrom(ruWords).Draw(t, "new")))
				}
			case ops[i] == "insert":
				inserted[i] = append([]string{"Дополнительно"}, pool[:4]...)
				pool = pool[4:]
			}
		}
		// A side's text, or the expected merge, from the scripts.
		build := func(sides ...int) string {
			mine := func(i int) bool { return slices.Contains(sides, owner[i]) }
			words := func(i int) []string {
				ws := base.ps[i].words
				// Theirs first: its edits are at the higher indices.
				for _, side := range []int{theirs, ours} {
					if slices.Contains(sides, side) {
						ws = applyWordEdits(ws, edits[side][i])
					}
				}
				return ws
			}
			var d mdoc
			for i := range n {
				if mine(i) && (ops[i] == "delete" || ops[i] == "move") {
					continue
				}
				d.ps = append(d.ps, mpara{id: i, words: words(i)})
				if mine(i) && inserted[i] != nil {
					d.ps = append(d.ps, mpara{id: -1, words: inserted[i]})
				}
				for k := range n {
					if moveTo[k] == i && mine(k) {
						d.ps = append(d.ps, mpara{id: k, words: words(k)})
					}
				}
			}
			return d.String()
		}
		b, o, th, want := base.String(), build(ours), build(theirs), build(ours, theirs)
		r := Merge3(b, o, th)
		checkMerge(t, r)
		if len(r.Conflicts) != 0 || r.Text != want {
			t.Fatalf("base:\n%s\nours:\n%s\ntheirs:\n%s\ngot %d conflicts %+v, text diff (-want +got):\n%s",
				b, o, th, len(r.Conflicts), r.Conflicts, cmp.Diff(want, r.Text))
		}
	})
}

// TestPropertyMerge3Overlapping: with edit scripts that may touch the same
// paragraphs and words, nothing is lost or duplicated. Every word of the
// texts is unique (a vocabulary word with a number), so each can be traced:
//
//   - a word ours inserted is in Text exactly once (Text holds ours' version
//     of every conflict);
//   - a word ours deleted is not in Text, unless theirs has it in a
//     paragraph Diff finds new (see below);
//   - a word theirs inserted is in Text at most once, and if not there, in
//     the Theirs of a conflict;
//   - a word theirs deleted is not in Text outside conflicts, unless the
//     Base of a conflict holds it (the deletion is then part of that
//     conflict), or ours has it in a paragraph Diff finds new (ours moved
//     and reworded the paragraph so much that it is no longer recognised
//     as the same one);
//   - a word no side touched is in Text at most once outside conflicts
//     (unless both sides rewrote its paragraph beyond recognition, so that
//     Diff finds it new on both: then both new versions are kept),
//     and if not in Text at all, in the Theirs of a conflict (theirs
//     replaced its paragraph by a similar one elsewhere, which Diff reads as
//     a deletion and an insertion);
//   - Text has no other word;
//   - and when the sides made different changes that cannot both apply
//     (theirs changed something ours changed differently), there is a
//     conflict: specifically, if Text equals ours while theirs changed
//     something ours did not, some conflict carries it.
func TestPropertyMerge3Overlapping(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		serial := 0
		word := func(label string) string {
			serial++
			return fmt.Sprintf("%s%d", rapid.SampledFrom(ruWords).Draw(t, label), serial)
		}
		base := &mdoc{}
		for i := range rapid.IntRange(1, 8).Draw(t, "paragraphs") {
			p := mpara{id: i}
			for range rapid.IntRange(3, 10).Draw(t, "words") {
				p.words = append(p.words, word("w"))
			}
			base.ps = append(base.ps, p)
		}
		script := func(label string) *mdoc {
			d := base.clone()
			for range rapid.IntRange(0, 5).Draw(t, label+" edits") {
				if len(d.ps) == 0 {
					break
				}
				k := rapid.IntRange(0, len(d.ps)-1).Draw(t, "para")
				switch rapid.SampledFrom([]string{"word", "word", "word", "delete", "insert", "move"}).Draw(t, label+" edit") {
				case "word":
					p := &d.ps[k]
					if len(p.words) < 2 {
						continue
					}
					editWordsAt(t, p, rapid.IntRange(0, len(p.words)-1).Draw(t, "word"), word("new"))
				case "delete":
					d.ps = slices.Delete(d.ps, k, k+1)
				case "insert":
					p := mpara{id: -1}
					for range rapid.IntRange(2, 6).Draw(t, "words") {
						p.words = append(p.words, word("new"))
					}
					d.ps = slices.Insert(d.ps, rapid.IntRange(0, len(d.ps)).Draw(t, "at"), p)
				case "move":
					p := d.ps[k]
					d.ps = slices.Delete(d.ps, k, k+1)
					d.ps = slices.Insert(d.ps, rapid.IntRange(0, len(d.ps)).Draw(t, "to"), p)
				}
			}
			return d
		}
		b, o, th := base.String(), script("ours").String(), script("theirs").String()
		r := Merge3(b, o, th)
		checkMerge(t, r)

		count := func(s string) map[string]int {
			c := map[string]int{}
			for _, w := range strings.Fields(s) {
				c[w]++
			}
			return c
		}
		cb, co, ct, cm := count(b), count(o), count(th), count(r.Text)
		// The words of Text outside the conflicts' regions.
		rt := []rune(r.Text)
		var outside strings.Builder
		at := 0
		for _, c := range r.Conflicts {
			outside.WriteString(string(rt[at:c.Start]) + " ")
			at = c.End
		}
		outside.WriteString(string(rt[at:]))
		cmOut := count(outside.String())
		// The words of the paragraphs Diff finds new on a side: a paragraph
		// moved and reworded beyond recognition is one of them.
		newWords := func(old, new string) map[string]bool {
			out := map[string]bool{}
			for _, p := range Diff(old, new, Options{}).Paragraphs {
				if p.Kind == KindInserted {
					for _, c := range p.Chunks {
						for _, w := range strings.Fields(c.Text) {
							out[w] = true
						}
					}
				}
			}
			return out
		}
		oursNew, theirsNew := newWords(b, o), newWords(b, th)
		inConflict := func(w string, part func(Conflict) string) bool {
			for _, c := range r.Conflicts {
				if count(part(c))[w] > 0 {
					return true
				}
			}
			return false
		}
		fail := func(format string, args ...any) {
			t.Fatalf("base:\n%s\nours:\n%s\ntheirs:\n%s\nmerged:\n%s\nconflicts: %+v\n"+format,
				append([]any{b, o, th, r.Text, r.Conflicts}, args...)...)
		}
		all := map[string]bool{}
		for _, c := range []map[string]int{cb, co, ct} {
			for w := range c {
				all[w] = true
			}
		}
		for w := range cm {
			if !all[w] {
				fail("word %q is in no input", w)
			}
		}
		for w := range all {
			inB, inO, inT := cb[w] > 0, co[w] > 0, ct[w] > 0
			switch {
			case !inB && inO:
				if cm[w] != 1 {
					fail("ours inserted %q: in Text %d times, want 1", w, cm[w])
				}
			case inB && !inO:
				if cm[w] != 0 && !theirsNew[w] {
					fail("ours deleted %q: still in Text", w)
				}
			case !inB && inT:
				if cm[w] > 1 {
					fail("theirs inserted %q: in Text %d times", w, cm[w])
				}
				if cm[w] == 0 && !inConflict(w, func(c Conflict) string { return c.Theirs }) {
					fail("theirs inserted %q: neither in Text nor in a conflict", w)
				}
			case inB && inO && !inT:
				if cmOut[w] > 0 && !inConflict(w, func(c Conflict) string { return c.Base }) && !oursNew[w] {
					fail("theirs deleted %q: still in Text outside any conflict", w)
				}
			case inB && inO && inT:
				// Theirs may have deleted its paragraph and inserted a
				// similar one elsewhere, in a conflict.
				if cmOut[w] > 1 && !(oursNew[w] && theirsNew[w]) || cm[w] == 0 && !inConflict(w, func(c Conflict) string { return c.Theirs }) {
					fail("untouched %q: in Text %d times (%d outside conflicts)", w, cm[w], cmOut[w])
				}
			}
		}
		// Theirs' changes are applied or in conflicts: with no conflict,
		// Text differs from ours whenever theirs changed any word that
		// ours did not change the same way.
		if len(r.Conflicts) == 0 {
			for w := range all {
				if (cb[w] > 0) != (ct[w] > 0) && (cb[w] > 0) == (co[w] > 0) && (cm[w] > 0) != (ct[w] > 0) && !oursNew[w] {
					fail("no conflict, yet theirs' change of %q is not applied", w)
				}
			}
		}
	})
}

// FuzzMerge3: Merge3 never panics, keeps its structural invariants, and
// merging an unchanged side yields the other side exactly.
func FuzzMerge3(f *testing.F) {
	f.Add("1. a\n\n2. b\n", "1. a\n\n2. c\n\n3. b\n", "1. a x\n\n2. b\n")
	f.Add("", "x", "y")
	f.Add("A\r\n\r\nB", "B\r\n\r\nA\r\n", "A\r\n\r\nB и C")
	f.Add("\n\n  x  \n", "x", "\n\nx")
	f.Add("а) один;\nб) два.", "б) один;\nв) два.", "а) один, три;\nб) два.")
	f.Add("Первый.\n\nВторой.\n\nТретий.", "Третий.\n\nПервый.\n\nВторой.", "Первый!\n\nВторой.\n\nТретий?")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		checkMerge(t, Merge3(a, b, c))
		if r := Merge3(a, a, b); r.Text != b || len(r.Conflicts) != 0 {
			t.Fatalf("Merge3(a, a, b) = %q with %d conflicts, want b = %q", r.Text, len(r.Conflicts), b)
		}
		if r := Merge3(a, b, a); r.Text != b || len(r.Conflicts) != 0 {
			t.Fatalf("Merge3(a, b, a) = %q with %d conflicts, want b = %q", r.Text, len(r.Conflicts), b)
		}
	})
}

// mergeCorpus is the merge benchmark's texts: the 1 MB base resolution, a
// head (ours) and a proposal (theirs) each with about 10% of the paragraphs
// edited, in disjoint sets.
func mergeCorpus() (base, ours, theirs string) {
	base, _ = corpus1MB()
	g := newCorpusGen(7)
	ps := paragraphs(base)
	o, t := slices.Clone(ps), slices.Clone(ps)
	for k := 4; k < len(ps); k++ {
		switch g.r.IntN(10) {
		case 0:
			o[k] = g.editWords(o[k], 1+g.r.IntN(3))
		case 1:
			t[k] = g.editWords(t[k], 1+g.r.IntN(3))
		}
	}
	return base, strings.Join(o, "\n\n"), strings.Join(t, "\n\n")
}

func TestMerge3Corpus(t *testing.T) {
	base, ours, theirs := mergeCorpus()
	r := Merge3(base, ours, theirs)
	if len(r.Conflicts) != 0 {
		t.Fatalf("%d conflicts on disjoint edits; first: %+v", len(r.Conflicts), r.Conflicts[0])
	}
	// Each side's paragraphs, as the merge must have them.
	po, pt, pm := paragraphs(ours), paragraphs(theirs), paragraphs(r.Text)
	want := slices.Clone(po)
	for k, p := range paragraphs(base) {
		if pt[k] != p {
			want[k] = pt[k]
		}
	}
	if !slices.Equal(pm, want) {
		t.Fatal("merged text is not ours with theirs' edited paragraphs")
	}
}

// BenchmarkMerge3_1MB merges a proposal into a 1 MB head that moved, 10% of
// the paragraphs edited on each side.
func BenchmarkMerge3_1MB(b *testing.B) {
	base, ours, theirs := mergeCorpus()
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	for b.Loop() {
		if r := Merge3(base, ours, theirs); len(r.Conflicts) != 0 {
			b.Fatal("conflicts")
		}
	}
}

// BenchmarkPatchApply_1MB is the same merge done the way DESIGN.md warns
// against: go-diff's PatchMake on base and theirs, PatchApply onto ours.
// It is here for scale; run it with -benchtime=1x.
func BenchmarkPatchApply_1MB(b *testing.B) {
	base, ours, theirs := mergeCorpus()
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	for b.Loop() {
		dmp := diffmatchpatch.New()
		patches := dmp.PatchMake(base, theirs)
		dmp.PatchApply(patches, ours)
	}
}
