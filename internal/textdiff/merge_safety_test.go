package textdiff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestMerge3Safe: the cases where a clever merge used to write words nobody
// wrote together, or wrote a line twice, are conflicts; the cases where the
// two sides agree are not.
func TestMerge3Safe(t *testing.T) {
	tests := []struct {
		name               string
		base, ours, theirs string
		want               string // for a clean merge
		conflicts          int
	}{
		{
			name:      "an insertion beside a word the other side replaced",
			base:      "Развивать информационные технологии в регионах.\n",
			ours:      "Развивать информационные и коммуникационные технологии в регионах.\n",
			theirs:    "Развивать цифровые технологии в регионах.\n",
			conflicts: 1,
		},
		{
			name:      "adjacent words replaced by each side",
			base:      "Создать фонд поддержки кластеров.\n",
			ours:      "Создать агентство поддержки кластеров.\n",
			theirs:    "Создать фонд развития кластеров.\n",
			conflicts: 1,
		},
		{
			name:      "two different deletions that overlap",
			base:      "См. https://example.org/a/b/c/d/index.html для деталей.\n",
			ours:      "См. https://example.org/a/d/index.html для деталей.\n",
			theirs:    "См. https://example.org/a/b/index.html для деталей.\n",
			conflicts: 1,
		},
		{
			name:   "a table: rows edited by each side merge by row",
			base:   "| Мера | Срок |\n|---|---|\n| Фонд | 2025 |\n| Технопарк | 2026 |\n| Доклад | 2027 |\n",
			ours:   "| Мера | Срок |\n|---|---|\n| Венчурный фонд | 2025 |\n| Технопарк | 2026 |\n| Доклад | 2027 |\n",
			theirs: "| Мера | Срок |\n|---|---|\n| Фонд | 2025 |\n| Технопарк | 2026 |\n| Доклад | 2028 |\n",
			want:   "| Мера | Срок |\n|---|---|\n| Венчурный фонд | 2025 |\n| Технопарк | 2026 |\n| Доклад | 2028 |\n",
		},
		{
			name:      "a table: one row edited by both differently",
			base:      "| Мера | Срок |\n|---|---|\n| Фонд | 2025 |\n",
			ours:      "| Мера | Срок |\n|---|---|\n| Венчурный фонд | 2025 |\n",
			theirs:    "| Мера | Срок |\n|---|---|\n| Фонд | 2026 |\n",
			conflicts: 1,
		},
		{
			name:      "a table: both add a row at the end",
			base:      "| Мера | Срок |\n|---|---|\n| Фонд | 2025 |\n",
			ours:      "| Мера | Срок |\n|---|---|\n| Фонд | 2025 |\n| Доклад | 2026 |\n",
			theirs:    "| Мера | Срок |\n|---|---|\n| Фонд | 2025 |\n| Доклад | 2026 |\n| Технопарк | 2027 |\n",
			conflicts: 1,
		},
		{
			name:   "a key: value header, both set the same field",
			base:   "title: Резолюция\nversion: 1\nstatus: проект\n\nТекст.\n",
			ours:   "title: Резолюция\nversion: 2\nstatus: проект\n\nТекст.\n",
			theirs: "title: Резолюция\nversion: 2\nstatus: проект\n\nТекст, дополненный.\n",
			want:   "title: Резолюция\nversion: 2\nstatus: проект\n\nТекст, дополненный.\n",
		},
		{
			name:   "identical changes on both sides are no conflict",
			base:   "Первый абзац.\n\nВторой абзац.\n",
			ours:   "Первый абзац.\n\nНовый абзац.\n\nВторой абзац изменён.\n",
			theirs: "Первый абзац.\n\nНовый абзац.\n\nВторой абзац изменён.\n",
			want:   "Первый абзац.\n\nНовый абзац.\n\nВторой абзац изменён.\n",
		},
		{
			name:   "theirs already has ours' change and more",
			base:   "Пункт один.\n\nПункт два.\n",
			ours:   "Пункт один.\n\nПункт два, исправленный.\n",
			theirs: "Пункт один, исправленный.\n\nПункт два, исправленный.\n",
			want:   "Пункт один, исправленный.\n\nПункт два, исправленный.\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Merge3(tc.base, tc.ours, tc.theirs)
			checkMerge(t, r)
			if len(r.Conflicts) != tc.conflicts {
				t.Fatalf("%d conflicts %+v, want %d; text:\n%s", len(r.Conflicts), r.Conflicts, tc.conflicts, r.Text)
			}
			if tc.conflicts == 0 && r.Text != tc.want {
				t.Fatalf("text:\n%s\nwant:\n%s", r.Text, tc.want)
			}
			for _, c := range r.Conflicts {
				if c.Ours == c.Theirs {
					t.Errorf("conflict with identical sides: %+v", c)
				}
			}
		})
	}
}

// genStructured draws a random Russian text of prose paragraphs, tables
// and lists; every line is unique, so that a line written twice is a
// duplication.
func genStructured(t *rapid.T, vocab []string, uniq *int) []string {
	n := rapid.IntRange(2, 7).Draw(t, "blocks")
	var blocks []string
	line := func(words int) string {
		*uniq++
		return strings.Join(genWords(t, vocab, 1, words, "words"), " ") + fmt.Sprintf(" №%d", *uniq)
	}
	for range n {
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			blocks = append(blocks, line(12)+".")
		case 1:
			rows := []string{"| Мера | Срок |", "|---|---|"}
			for range rapid.IntRange(1, 5).Draw(t, "rows") {
				rows = append(rows, "| "+line(3)+" | 202"+fmt.Sprint(*uniq%10)+" |")
			}
			blocks = append(blocks, strings.Join(rows, "\n"))
		default:
			var items []string
			for k := range rapid.IntRange(1, 5).Draw(t, "items") {
				items = append(items, fmt.Sprintf("%d. %s;", k+1, line(5)))
			}
			blocks = append(blocks, strings.Join(items, "\n"))
		}
	}
	return blocks
}

// editStructured makes random edits to blocks: words of a line, whole lines
// added, deleted or replaced, blocks added, deleted or moved.
func editStructured(t *rapid.T, blocks []string, vocab []string, uniq *int, label string) []string {
	blocks = slices.Clone(blocks)
	for range rapid.IntRange(1, 4).Draw(t, label+" edits") {
		if len(blocks) == 0 {
			break
		}
		k := rapid.IntRange(0, len(blocks)-1).Draw(t, label+" block")
		lines := strings.Split(blocks[k], "\n")
		l := rapid.IntRange(0, len(lines)-1).Draw(t, label+" line")
		switch rapid.IntRange(0, 5).Draw(t, label+" edit") {
		case 0: // words of a line
			ws := strings.Fields(lines[l])
			w := rapid.IntRange(0, len(ws)-1).Draw(t, label+" word")
			ws[w] = rapid.SampledFrom(vocab).Draw(t, label+" new word")
			lines[l] = strings.Join(ws, " ")
		case 1: // a line added
			*uniq++
			lines = slices.Insert(lines, l+1, fmt.Sprintf("%s №%d", rapid.SampledFrom(vocab).Draw(t, label+" new"), *uniq))
		case 2: // a line deleted
			if len(lines) > 1 {
				lines = slices.Delete(lines, l, l+1)
			}
		case 3: // a block added
			*uniq++
			blocks = slices.Insert(blocks, k+1, fmt.Sprintf("Новый пункт %s №%d.", rapid.SampledFrom(vocab).Draw(t, label+" new"), *uniq))
			continue
		case 4: // a block deleted
			blocks = slices.Delete(blocks, k, k+1)
			continue
		case 5: // a block moved
			to := rapid.IntRange(0, len(blocks)-1).Draw(t, label+" to")
			b := blocks[k]
			blocks = slices.Insert(slices.Delete(blocks, k, k+1), to, b)
			continue
		}
		blocks[k] = strings.Join(lines, "\n")
	}
	return blocks
}

func countLines(s string) map[string]int {
	n := map[string]int{}
	eachLine(s, func(l string) { n[l]++ })
	return n
}

// TestPropertyMerge3Safe: on random Russian texts with tables and lists and
// random edits by both sides, a merge never repeats a line, and a clean
// merge writes no line of a table or list that is in neither side, and no
// run of words that is in neither side (no span from nowhere).
func TestPropertyMerge3Safe(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		vocab := corpusWords[:60]
		uniq := 0
		blocks := genStructured(t, vocab, &uniq)
		join := func(bs []string) string {
			if len(bs) == 0 {
				return ""
			}
			return strings.Join(bs, "\n\n") + "\n"
		}
		base := join(blocks)
		ours := join(editStructured(t, blocks, vocab, &uniq, "ours"))
		theirs := join(editStructured(t, blocks, vocab, &uniq, "theirs"))
		r := Merge3(base, ours, theirs)
		checkMerge(t, r)
		fail := func(format string, args ...any) {
			t.Fatalf("base:\n%s\nours:\n%s\ntheirs:\n%s\nmerged (%d conflicts):\n%s\n"+format,
				append([]any{base, ours, theirs, len(r.Conflicts), r.Text}, args...)...)
		}
		nb, no, nt, nm := countLines(base), countLines(ours), countLines(theirs), countLines(r.Text)
		for l, n := range nm {
			if n > max(1, no[l], nt[l], no[l]+nt[l]-nb[l]) {
				fail("line %q written %d times (base %d, ours %d, theirs %d)", l, n, nb[l], no[l], nt[l])
			}
		}
		if len(r.Conflicts) > 0 {
			return
		}
		known := map[[2]string]bool{}
		for _, text := range []string{base, ours, theirs} {
			for _, l := range strings.Split(text, "\n") {
				for _, bg := range bigrams(l) {
					known[bg] = true
				}
			}
		}
		for _, p := range strings.Split(r.Text, "\n\n") {
			multi := strings.Contains(strings.TrimSpace(p), "\n")
			for _, l := range strings.Split(p, "\n") {
				if l = strings.TrimSpace(l); l == "" || no[l] > 0 || nt[l] > 0 {
					continue
				}
				// Tables and lists merge line by line: each of their lines
				// is one side's. A prose line may merge words of both, but
				// every two neighbouring tokens of it are neighbours in
				// base, ours or theirs: edits that touch are conflicts.
				if multi {
					fail("line %q of a table or list is in neither side", l)
				}
				for _, bg := range bigrams(l) {
					if !known[bg] {
						fail("line %q: %q and %q are neighbours in no input", l, bg[0], bg[1])
					}
				}
			}
		}
	})
}

// bigrams returns the pairs of neighbouring tokens of line, whitespace left
// out.
func bigrams(line string) [][2]string {
	var toks []string
	for _, sp := range tokenize(line, nil) {
		if tok := line[sp.start:sp.end]; strings.TrimSpace(tok) != "" {
			toks = append(toks, tok)
		}
	}
	var out [][2]string
	for k := 1; k < len(toks); k++ {
		out = append(out, [2]string{toks[k-1], toks[k]})
	}
	return out
}
