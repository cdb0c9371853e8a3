package textdiff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

var ruWords = strings.Fields(`кластер кластеров инновационный инновационных поддержка поддержки
государственный государственной развитие развития город города Москва Москвы предприятие
предприятий технология технологий программа программы научный научных организация организаций
участники конференции рекомендовать обеспечить создать разработать концепция концепцию
инфраструктура инфраструктуры малого бизнеса кадров подготовка экономики промышленных
федеральных органов власти исполнительной мировой уровень материалов проекты проектов
совместных образовательных высших учебных заведений институтов итоговый документ проект
рабочей группе обсуждения основу принимают считают важным необходимо следует уделить
внимание особое в и на с по для до от о об при за из к не также`)

var enWords = strings.Fields(`cluster clusters innovation innovative support state development city
Moscow enterprise enterprises technology technologies programme research organisation
participants conference recommend ensure create develop concept infrastructure small business
training economy industrial federal authorities executive world level materials projects joint
educational higher institutions final document draft working group discussion basis adopt
consider important necessary should attention special the and of to in for with on by at from`)

// docPara is one generated paragraph: an optional list number and its words.
type docPara struct {
	numbered bool
	number   int
	words    []string
	lines    int // how many lines the words are wrapped onto
}

// doc is a generated text: paragraphs plus the details of its layout.
type doc struct {
	paras   []docPara
	style   string // list number style: "1.", "1)", "а)", "I."
	seps    []string
	leading string
	final   string
}

func (d *doc) clone() *doc {
	c := *d
	c.paras = slices.Clone(d.paras)
	for i := range c.paras {
		c.paras[i].words = slices.Clone(c.paras[i].words)
	}
	c.seps = slices.Clone(d.seps)
	return &c
}

func (d *doc) String() string {
	var b strings.Builder
	b.WriteString(d.leading)
	for i, p := range d.paras {
		if p.numbered {
			b.WriteString(formatNumber(d.style, p.number))
			b.WriteByte(' ')
		}
		per := (len(p.words) + p.lines - 1) / max(p.lines, 1)
		for k, w := range p.words {
			if k > 0 {
				if per > 0 && k%per == 0 {
					b.WriteByte('\n')
				} else {
					b.WriteByte(' ')
				}
			}
			b.WriteString(w)
		}
		if i < len(d.paras)-1 {
			b.WriteString(d.seps[i%len(d.seps)])
		} else {
			b.WriteString(d.final)
		}
	}
	return b.String()
}

func formatNumber(style string, n int) string {
	switch style {
	case "1)":
		return strconv.Itoa(n) + ")"
	case "а)":
		return string([]rune("абвгдежзиклмнопрстуфхцчшщэюя")[(n-1)%28]) + ")"
	case "I.":
		return toRoman(n) + "."
	case "1.1.":
		return "3." + strconv.Itoa(n) + "."
	}
	return strconv.Itoa(n) + "."
}

// renumber numbers the numbered paragraphs 1, 2, 3… in order.
func (d *doc) renumber() {
	n := 0
	for i := range d.paras {
		if d.paras[i].numbered {
			n++
			d.paras[i].number = n
		}
	}
}

func genWords(t *rapid.T, vocab []string, minN, maxN int, label string) []string {
	ws := rapid.SliceOfN(rapid.SampledFrom(vocab), minN, maxN).Draw(t, label)
	// Some punctuation, as in real text.
	for i := range ws {
		if i > 0 && rapid.IntRange(0, 9).Draw(t, label+"-punct") == 0 {
			ws[i-1] += rapid.SampledFrom([]string{",", ";", ":", " —"}).Draw(t, label+"-mark")
		}
	}
	if len(ws) > 0 {
		ws[len(ws)-1] += "."
	}
	return ws
}

func genParagraph(t *rapid.T, vocab []string, numbered bool, label string) docPara {
	return docPara{
		numbered: numbered,
		words:    genWords(t, vocab, 1, 20, label),
		lines:    rapid.IntRange(1, 3).Draw(t, label+"-lines"),
	}
}

func genDoc(t *rapid.T, minParas int) *doc {
	vocab := rapid.SampledFrom([][]string{ruWords, enWords}).Draw(t, "vocab")
	n := rapid.IntRange(minParas, 12).Draw(t, "paragraphs")
	numberedAll := rapid.Bool().Draw(t, "numbered")
	d := &doc{
		style:   rapid.SampledFrom([]string{"1.", "1)", "а)", "I.", "1.1."}).Draw(t, "style"),
		seps:    rapid.SliceOfN(rapid.SampledFrom([]string{"\n\n", "\n\n", "\n\n\n", "\n \n", "\r\n\r\n"}), 1, 3).Draw(t, "seps"),
		leading: rapid.SampledFrom([]string{"", "", "\n", "\n\n"}).Draw(t, "leading"),
		final:   rapid.SampledFrom([]string{"\n", "", "\n\n"}).Draw(t, "final"),
	}
	for i := range n {
		numbered := numberedAll && rapid.IntRange(0, 5).Draw(t, "unnumbered") > 0
		d.paras = append(d.paras, genParagraph(t, vocab, numbered, fmt.Sprint("p", i)))
	}
	d.renumber()
	return d
}

// edit applies one random edit to d: a word edit, a paragraph inserted,
// deleted or moved, or the list renumbered.
func edit(t *rapid.T, d *doc, vocab []string) {
	kind := rapid.SampledFrom([]string{"word", "word", "insert", "delete", "move", "renumber"}).Draw(t, "edit")
	if len(d.paras) == 0 {
		kind = "insert"
	}
	switch kind {
	case "word":
		p := &d.paras[rapid.IntRange(0, len(d.paras)-1).Draw(t, "para")]
		k := rapid.IntRange(0, len(p.words)-1).Draw(t, "word")
		w := rapid.SampledFrom(vocab).Draw(t, "new word")
		switch rapid.IntRange(0, 2).Draw(t, "word edit") {
		case 0:
			p.words[k] = w
		case 1:
			p.words = slices.Insert(p.words, k, w)
		case 2:
			if len(p.words) > 1 {
				p.words = slices.Delete(p.words, k, k+1)
			}
		}
	case "insert":
		at := rapid.IntRange(0, len(d.paras)).Draw(t, "at")
		p := genParagraph(t, vocab, rapid.Bool().Draw(t, "numbered"), "inserted")
		p.number = at + 1 // until the list is renumbered, if ever
		d.paras = slices.Insert(d.paras, at, p)
	case "delete":
		at := rapid.IntRange(0, len(d.paras)-1).Draw(t, "at")
		d.paras = slices.Delete(d.paras, at, at+1)
	case "move":
		from := rapid.IntRange(0, len(d.paras)-1).Draw(t, "from")
		p := d.paras[from]
		d.paras = slices.Delete(d.paras, from, from+1)
		to := rapid.IntRange(0, len(d.paras)).Draw(t, "to")
		d.paras = slices.Insert(d.paras, to, p)
	case "renumber":
		d.renumber()
	}
}

var allModes = []Mode{ModeWord, ModeChar, ModeLine}

// TestPropertyRoundTrip: for random texts and random edit scripts, in every
// mode, the chunks reproduce both texts and every other invariant holds, and
// every renderer's output is consistent with the texts.
func TestPropertyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDoc(t, 0)
		vocab := rapid.SampledFrom([][]string{ruWords, enWords}).Draw(t, "edit vocab")
		nd := d.clone()
		for range rapid.IntRange(0, 6).Draw(t, "edits") {
			edit(t, nd, vocab)
		}
		old, new := d.String(), nd.String()
		for _, m := range allModes {
			r := Diff(old, new, Options{Mode: m})
			if r.Degraded {
				t.Fatalf("%s: small texts degraded: %s", m, r.DegradedReason)
			}
			checkResult(t, old, new, r)
			checkRenderers(t, old, new, r)
			if diff := cmp.Diff(r, Diff(old, new, Options{Mode: m})); diff != "" {
				t.Fatalf("%s: a second Diff differs:\n%s", m, diff)
			}
		}
	})
}

// TestPropertyArbitraryText: the same invariants on unstructured text made
// of words, spaces, punctuation and line breaks in any arrangement.
func TestPropertyArbitraryText(t *testing.T) {
	piece := rapid.SampledFrom([]string{"а", "б", "слово", "word", " ", "  ", "\n", "\n\n", "\n \n", ".", ",", "1.", "2)", "\t", "«", "»", "é", "😀", "\r\n"})
	text := rapid.Custom(func(t *rapid.T) string {
		return strings.Join(rapid.SliceOfN(piece, 0, 40).Draw(t, "pieces"), "")
	})
	rapid.Check(t, func(t *rapid.T) {
		old, new := text.Draw(t, "old"), text.Draw(t, "new")
		for _, m := range allModes {
			r := Diff(old, new, Options{Mode: m})
			checkResult(t, old, new, r)
			checkRenderers(t, old, new, r)
		}
	})
}

// distinctDoc generates a text whose paragraphs all differ (also without
// their numbers), so that a move has only one possible reading.
func distinctDoc(t *rapid.T, minParas int) *doc {
	d := genDoc(t, minParas)
	seen := map[string]bool{}
	var keep []docPara
	for _, p := range d.paras {
		k := strings.Join(p.words, " ")
		if !seen[k] {
			seen[k] = true
			keep = append(keep, p)
		}
	}
	if len(keep) < minParas {
		t.Skip("not enough distinct paragraphs")
	}
	d.paras = keep
	d.renumber()
	return d
}

// TestPropertyPureMove: moving paragraphs without editing them is reported
// as moves only: no paragraph inserted, deleted or changed, and each move's
// own chunks are a single equal chunk.
func TestPropertyPureMove(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := distinctDoc(t, 2)
		// Numbers stay with their paragraphs: this is a pure move, the list
		// is not renumbered.
		nd := d.clone()
		for range rapid.IntRange(1, 3).Draw(t, "moves") {
			from := rapid.IntRange(0, len(nd.paras)-1).Draw(t, "from")
			p := nd.paras[from]
			nd.paras = slices.Delete(nd.paras, from, from+1)
			to := rapid.IntRange(0, len(nd.paras)).Draw(t, "to")
			nd.paras = slices.Insert(nd.paras, to, p)
		}
		old, new := d.String(), nd.String()
		for _, m := range allModes {
			r := Diff(old, new, Options{Mode: m})
			checkResult(t, old, new, r)
			moved := 0
			for _, p := range r.Paragraphs {
				switch p.Kind {
				case KindEqual:
				case KindMovedFrom:
				case KindMovedTo:
					moved++
					if len(p.Move.Chunks) != 1 || p.Move.Chunks[0].Op != OpEqual {
						t.Fatalf("%s: pure move has edits: %q", m, p.Move.Chunks)
					}
				default:
					t.Fatalf("%s: pure move reported a %s paragraph (old %d, new %d)", m, p.Kind, p.OldIndex, p.NewIndex)
				}
			}
			if (old == new) != (moved == 0) {
				t.Fatalf("%s: %d moves reported for texts that are equal: %v", m, moved, old == new)
			}
			if r.Stats.WordsInserted != 0 || r.Stats.WordsDeleted != 0 {
				t.Fatalf("%s: pure move counts words: %+v", m, r.Stats)
			}
		}
	})
}

// TestPropertyPureRenumbering: changing only the list numbers (a different
// start, or a different style) is reported as renumbering only.
func TestPropertyPureRenumbering(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDoc(t, 1)
		nd := d.clone()
		if rapid.Bool().Draw(t, "restyle") {
			nd.style = rapid.SampledFrom([]string{"1.", "1)", "а)", "I.", "1.1."}).Draw(t, "new style")
		} else {
			shift := rapid.IntRange(1, 5).Draw(t, "shift")
			for i := range nd.paras {
				nd.paras[i].number += shift
			}
		}
		old, new := d.String(), nd.String()
		wantRenumbered := 0
		for i := range d.paras {
			if d.paras[i].numbered && formatNumber(d.style, d.paras[i].number) != formatNumber(nd.style, nd.paras[i].number) {
				wantRenumbered++
			}
		}
		for _, m := range allModes {
			r := Diff(old, new, Options{Mode: m})
			checkResult(t, old, new, r)
			for _, p := range r.Paragraphs {
				if p.Kind != KindEqual && p.Kind != KindRenumbered {
					t.Fatalf("%s: renumbering reported a %s paragraph: %q", m, p.Kind, p.Chunks)
				}
			}
			if r.Stats.ParagraphsRenumbered != wantRenumbered {
				t.Fatalf("%s: %d renumbered, want %d", m, r.Stats.ParagraphsRenumbered, wantRenumbered)
			}
			if r.Stats.WordsInserted != 0 || r.Stats.WordsDeleted != 0 {
				t.Fatalf("%s: renumbering counts words: %+v", m, r.Stats)
			}
		}
	})
}

// TestPropertyInsertRenumbers: inserting a paragraph into a numbered list and
// renumbering the rest is one inserted paragraph, the rest equal or renumbered.
func TestPropertyInsertRenumbers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := distinctDoc(t, 1)
		for i := range d.paras {
			d.paras[i].numbered = true
		}
		d.renumber()
		nd := d.clone()
		at := rapid.IntRange(0, len(nd.paras)).Draw(t, "at")
		// A paragraph with a word no other has, so it cannot pass for an edit.
		p := docPara{numbered: true, words: []string{"совершенно", "новый", "пункт."}, lines: 1}
		nd.paras = slices.Insert(nd.paras, at, p)
		nd.renumber()
		old, new := d.String(), nd.String()
		for _, m := range allModes {
			r := Diff(old, new, Options{Mode: m})
			checkResult(t, old, new, r)
			if r.Stats.ParagraphsAdded != 1 {
				t.Fatalf("%s: %d paragraphs added, want 1", m, r.Stats.ParagraphsAdded)
			}
			for _, q := range r.Paragraphs {
				if q.Kind != KindEqual && q.Kind != KindRenumbered && q.Kind != KindInserted {
					t.Fatalf("%s: a %s paragraph: %q", m, q.Kind, q.Chunks)
				}
			}
			if want := len(d.paras) - at; r.Stats.ParagraphsRenumbered != want {
				t.Fatalf("%s: %d renumbered, want %d", m, r.Stats.ParagraphsRenumbered, want)
			}
		}
	})
}
