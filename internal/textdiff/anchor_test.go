package textdiff

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// anchorOf makes the anchor of the first occurrence of quote in text.
func anchorOf(t testing.TB, text, quote string) Anchor {
	t.Helper()
	b := strings.Index(text, quote)
	if b < 0 {
		t.Fatalf("%q not in text", quote)
	}
	start := runeCount(text[:b])
	a, ok := NewAnchor(text, start, start+runeCount(quote))
	if !ok || a.Quote != quote {
		t.Fatalf("NewAnchor(%d) = %+v, %v", start, a, ok)
	}
	return a
}

// checkMapped checks that an anchored or moved quote is at its place in new.
func checkMapped(t tb, new string, a Anchor, m MappedAnchor) {
	t.Helper()
	if m.Status == AnchorOutdated {
		return
	}
	rs := []rune(new)
	if m.Start < 0 || m.End > len(rs) || m.Start > m.End {
		t.Fatalf("%s at [%d, %d) out of range", m.Status, m.Start, m.End)
	}
	if got := string(rs[m.Start:m.End]); got != a.Quote {
		t.Fatalf("%s at [%d, %d): new there is %q, want the quote %q", m.Status, m.Start, m.End, got, a.Quote)
	}
	n := m.Next(a, new)
	if n.Quote != a.Quote || n.Start != m.Start || n.End != m.End {
		t.Fatalf("Next = %+v, want the quote at [%d, %d)", n, m.Start, m.End)
	}
	if want, _ := NewAnchor(new, m.Start, m.End); n != want {
		t.Fatalf("Next = %+v, want %+v", n, want)
	}
}

func TestMapAnchorExamples(t *testing.T) {
	const old = "1. Создать фонд поддержки инновационных кластеров.\n\n" +
		"2. Провести конкурс проектов малого бизнеса.\n\n" +
		"3. Подготовить доклад о мерах поддержки.\n\n" +
		"4. Рассмотреть вопрос о налоговых льготах.\n"
	tests := []struct {
		name, new, quote string
		want             AnchorStatus
		wantAt           string // the text the quote is expected just before, when not outdated
	}{
		{"unchanged text", old, "конкурс проектов", AnchorAnchored, "конкурс проектов малого"},
		{"edit elsewhere in the paragraph",
			strings.Replace(old, "малого бизнеса", "малого и среднего бизнеса", 1), "Провести конкурс", AnchorAnchored, "Провести конкурс"},
		{"edit inside the quote",
			strings.Replace(old, "конкурс проектов", "открытый конкурс инновационных проектов", 1), "конкурс проектов", AnchorOutdated, ""},
		{"quote deleted with its paragraph",
			strings.Replace(old, "2. Провести конкурс проектов малого бизнеса.\n\n", "", 1), "конкурс проектов", AnchorOutdated, ""},
		{"paragraph inserted before, list renumbered",
			"1. Создать фонд поддержки инновационных кластеров.\n\n" +
				"2. Открыть технопарк.\n\n" +
				"3. Провести конкурс проектов малого бизнеса.\n\n" +
				"4. Подготовить доклад о мерах поддержки.\n\n" +
				"5. Рассмотреть вопрос о налоговых льготах.\n",
			"Подготовить доклад", AnchorAnchored, "Подготовить доклад о"},
		{"paragraph moved",
			"1. Создать фонд поддержки инновационных кластеров.\n\n" +
				"3. Подготовить доклад о мерах поддержки.\n\n" +
				"4. Рассмотреть вопрос о налоговых льготах.\n\n" +
				"2. Провести конкурс проектов малого бизнеса.\n",
			"конкурс проектов", AnchorMoved, "конкурс проектов малого"},
		{"the same words inserted elsewhere: the quote stays anchored",
			strings.Replace(old, "о налоговых льготах", "о налоговых льготах; подготовить доклад о мерах поддержки", 1),
			"доклад о мерах", AnchorAnchored, "доклад о мерах поддержки.\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := anchorOf(t, old, tc.quote)
			m := MapAnchor(old, tc.new, Diff(old, tc.new, Options{}), a)
			if m.Status != tc.want {
				t.Fatalf("status %s, want %s (%+v)", m.Status, tc.want, m)
			}
			checkMapped(t, tc.new, a, m)
			if tc.wantAt != "" {
				if at := runeCount(tc.new[:strings.Index(tc.new, tc.wantAt)]); m.Start != at {
					t.Fatalf("mapped to %d, want %d", m.Start, at)
				}
			}
		})
	}
}

// TestMapAnchorRepeatedQuote: a quote that occurs several times is found
// again by its context, and is outdated when the context cannot tell.
func TestMapAnchorRepeatedQuote(t *testing.T) {
	old := "Поддержка кластеров в Москве.\n\nРазвитие кластеров в регионах.\n\nПоддержка кластеров в Санкт-Петербурге.\n"
	// The second paragraph's quote, changed and then found again: the text
	// it was in changed around it, so the diff no longer keeps it equal.
	a := anchorOf(t, old, "Поддержка кластеров в Москве")
	a2 := a
	a2.Quote, a2.End = "кластеров в", a.Start+len([]rune("Поддержка кластеров в"))
	a2.Start = a.Start + len([]rune("Поддержка "))
	a2.Prefix, a2.Suffix = "Поддержка ", " Москве."
	new := "Развитие кластеров в регионах.\n\nПоддержка кластеров в Санкт-Петербурге.\n\nПоддержка кластеров в Москве и области.\n"
	m := MapAnchor(old, new, Diff(old, new, Options{}), a2)
	checkMapped(t, new, a2, m)
	if m.Status == AnchorOutdated {
		t.Fatalf("a repeated quote with its context intact is outdated")
	}
	if want := runeCount(new[:strings.LastIndex(new, "кластеров в Москве")]); m.Start != want {
		t.Fatalf("mapped to %d, want %d", m.Start, want)
	}
	// Without context to tell the places apart, a rewritten quote that
	// occurs twice elsewhere is outdated.
	b := a2
	b.Prefix, b.Suffix = "", ""
	new2 := "Развитие кластеров в регионах.\n\nПоддержка кластеров в Санкт-Петербурге.\n"
	if m := MapAnchor(old, new2, Diff(old, new2, Options{}), b); m.Status != AnchorOutdated {
		t.Fatalf("ambiguous quote: %+v, want outdated", m)
	}
}

// adoc is a generated document of numbered paragraphs whose words are all
// distinct, for the anchor property: each word is a vocabulary word with a
// serial number, so a quote is unique and its fate can be traced.
type adoc struct{ ps [][]string }

func (d *adoc) clone() *adoc {
	c := &adoc{ps: slices.Clone(d.ps)}
	for i := range c.ps {
		c.ps[i] = slices.Clone(c.ps[i])
	}
	return c
}

// render returns the text and, for each word, its code-point offset.
func (d *adoc) render(numbered bool) (string, map[string]int) {
	var b strings.Builder
	at := map[string]int{}
	pos := 0
	write := func(s string) {
		b.WriteString(s)
		pos += runeCount(s)
	}
	for i, p := range d.ps {
		if i > 0 {
			write("\n\n")
		}
		if numbered {
			write(strconv.Itoa(i+1) + ". ")
		}
		for k, w := range p {
			if k > 0 {
				write(" ")
			}
			at[w] = pos
			write(w)
		}
	}
	write("\n")
	return b.String(), at
}

// TestPropertyAnchors: random documents, random anchors, and a random edit
// per revision over many revisions, each anchor carried step by step with
// Next: a quote that stays intact (its words still together, in order) is
// anchored at its true place in every later revision, or moved there when
// its paragraph moved; a quote any of whose words was replaced, deleted or
// split by an insertion is outdated, and stays so (the caller then keeps
// the original anchor and stops carrying it).
func TestPropertyAnchors(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		serial := 0
		word := func() string {
			serial++
			return fmt.Sprintf("%s%d", rapid.SampledFrom(ruWords).Draw(t, "word"), serial)
		}
		para := func() []string {
			ws := make([]string, rapid.IntRange(3, 10).Draw(t, "words"))
			for k := range ws {
				ws[k] = word()
			}
			return ws
		}
		d := &adoc{}
		for range rapid.IntRange(1, 8).Draw(t, "paragraphs") {
			d.ps = append(d.ps, para())
		}
		numbered := rapid.Bool().Draw(t, "numbered")
		text, at := d.render(numbered)

		type tracked struct {
			words []string // the quote's words
			a     Anchor
			done  bool // outdated
		}
		var as []*tracked
		for range rapid.IntRange(1, 6).Draw(t, "anchors") {
			p := d.ps[rapid.IntRange(0, len(d.ps)-1).Draw(t, "anchor paragraph")]
			i := rapid.IntRange(0, len(p)-1).Draw(t, "anchor word")
			j := rapid.IntRange(i, min(len(p)-1, i+3)).Draw(t, "anchor end")
			ws := slices.Clone(p[i : j+1])
			start := at[ws[0]]
			a, ok := NewAnchor(text, start, start+runeCount(strings.Join(ws, " ")))
			if !ok {
				t.Fatalf("NewAnchor failed")
			}
			as = append(as, &tracked{words: ws, a: a})
		}

		for rev := range rapid.IntRange(1, 8).Draw(t, "revisions") {
			nd := d.clone()
			op := rapid.SampledFrom([]string{"word", "word", "insert", "delete", "move"}).Draw(t, "edit")
			if len(nd.ps) < 2 && (op == "delete" || op == "move") {
				op = "insert"
			}
			movedPara, jumped := -1, false // the moved paragraph (new index) and whether the move has one reading
			switch op {
			case "word":
				p := &nd.ps[rapid.IntRange(0, len(nd.ps)-1).Draw(t, "para")]
				k := rapid.IntRange(0, len(*p)-1).Draw(t, "word at")
				switch rapid.IntRange(0, 2).Draw(t, "word edit") {
				case 0:
					(*p)[k] = word()
				case 1:
					*p = slices.Insert(*p, k, word())
				case 2:
					if len(*p) > 1 {
						*p = slices.Delete(*p, k, k+1)
					}
				}
			case "insert":
				nd.ps = slices.Insert(nd.ps, rapid.IntRange(0, len(nd.ps)).Draw(t, "at"), para())
			case "delete":
				k := rapid.IntRange(0, len(nd.ps)-1).Draw(t, "at")
				nd.ps = slices.Delete(nd.ps, k, k+1)
			case "move":
				from := rapid.IntRange(0, len(nd.ps)-1).Draw(t, "from")
				p := nd.ps[from]
				nd.ps = slices.Delete(nd.ps, from, from+1)
				to := rapid.IntRange(0, len(nd.ps)).Draw(t, "to")
				nd.ps = slices.Insert(nd.ps, to, p)
				movedPara = to
				jumped = to-from >= 2 || from-to >= 2
			}
			newText, newAt := nd.render(numbered)
			r := Diff(text, newText, Options{})
			var live []Anchor
			var idx []int
			for k, tr := range as {
				if !tr.done {
					live = append(live, tr.a)
					idx = append(idx, k)
				}
			}
			ms := MapAnchors(text, newText, r, live)
			for n, m := range ms {
				tr := as[idx[n]]
				// Intact: the words are still together, in order, in one
				// paragraph.
				intact, pi := false, -1
				for i, p := range nd.ps {
					if k := slices.Index(p, tr.words[0]); k >= 0 {
						pi = i
						intact = k+len(tr.words) <= len(p) && slices.Equal(p[k:k+len(tr.words)], tr.words)
					}
				}
				if !intact {
					if m.Status != AnchorOutdated {
						t.Fatalf("revision %d (%s): quote %q was edited, but it is %s at [%d, %d)\nold:\n%s\nnew:\n%s",
							rev, op, tr.a.Quote, m.Status, m.Start, m.End, text, newText)
					}
					tr.done = true
					continue
				}
				want := AnchorAnchored
				if pi == movedPara && jumped {
					want = AnchorMoved
				}
				// A move by one place reads either way: this paragraph
				// moved down, or its neighbour up.
				ok := m.Status == want || op == "move" && !jumped && m.Status == AnchorMoved
				if !ok || m.Start != newAt[tr.words[0]] {
					t.Fatalf("revision %d (%s): intact quote %q is %s at %d, want %s at %d\nold:\n%s\nnew:\n%s",
						rev, op, tr.a.Quote, m.Status, m.Start, want, newAt[tr.words[0]], text, newText)
				}
				checkMapped(t, newText, tr.a, m)
				tr.a = m.Next(tr.a, newText)
			}
			d, text = nd, newText
		}
	})
}

// BenchmarkMapAnchors maps 1,000 anchors through the diff of a 200 KB
// resolution with about 10% of its paragraphs edited (the diff itself is not
// timed: Redline computes it once per revision pair and caches it).
func BenchmarkMapAnchors(b *testing.B) {
	g := newCorpusGen(200)
	old := g.resolution(200 << 10)
	ps := paragraphs(old)
	for k := 4; k < len(ps); k++ {
		if g.r.IntN(10) == 0 {
			ps[k] = g.editWords(ps[k], 1+g.r.IntN(3))
		}
	}
	new := strings.Join(ps, "\n\n")
	r := Diff(old, new, Options{})
	n := runeCount(old)
	rng := rand.New(rand.NewPCG(1, 2))
	as := make([]Anchor, 1000)
	for k := range as {
		start := rng.IntN(n - 100)
		a, ok := NewAnchor(old, start, start+5+rng.IntN(60))
		if !ok {
			b.Fatal("NewAnchor failed")
		}
		as[k] = a
	}
	b.ReportAllocs()
	var counts map[AnchorStatus]int
	for b.Loop() {
		ms := MapAnchors(old, new, r, as)
		counts = map[AnchorStatus]int{}
		for _, m := range ms {
			counts[m.Status]++
		}
	}
	b.ReportMetric(float64(counts[AnchorAnchored]), "anchored")
	b.ReportMetric(float64(counts[AnchorOutdated]), "outdated")
}
