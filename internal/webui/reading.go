package webui

// issue 14: reading a redline — moves worded by labels, unchanged runs
// folded to one line, renumbering hidden on request, the items changed
// named in one phrase.

import (
	"strconv"
	"unicode"

	"redline/internal/drafting"
	"redline/internal/outline"
	"redline/internal/textdiff"
)

// moveNote is a move named by labels: the paragraph's label where it was,
// and the paragraph it now follows.
type moveNote struct {
	Lang     string // the labels' language
	Label    string // where it was: "пункт 16"
	After    string // the paragraph it now follows: "пункт 11"
	AfterGen string // the same as the object of "после": "пункта 11"
	Start    bool   // it now opens the text
}

// AfterFor is the paragraph a move now follows, as a page in language
// lang says it: Russian labels take the genitive after «после».
func (m *moveNote) AfterFor(lang string) string {
	if lang == "ru" && m.Lang == "ru" {
		return m.AfterGen
	}
	return m.After
}

// newMoveNote names move m between the outlines from and to.
func newMoveNote(m *textdiff.Move, from, to drafting.Outline) *moveNote {
	if m == nil || m.OldIndex < 0 || m.OldIndex >= len(from.Paragraphs) {
		return nil
	}
	n := &moveNote{Lang: to.Language, Label: from.Label(m.OldIndex)}
	after := afterLabel(to, m.NewIndex)
	if after == nil {
		n.Start = true
		return n
	}
	n.After, n.AfterGen = after.Format(to.Language), after.Genitive(to.Language)
	return n
}

// afterLabel is the label of the paragraph before paragraph i of o, nil
// when i opens the text (blank lines before it do not count).
func afterLabel(o drafting.Outline, i int) *outline.Label {
	j := i - 1
	if j < 0 || j >= len(o.Paragraphs) || o.Paragraphs[j].Kind == outline.KindBlank {
		return nil
	}
	return &o.Paragraphs[j].Label
}

// changedList is the items a redline changes, as one phrase.
type changedList struct {
	Text  string // "пункты 3, 11, 16"
	Form  string // many, one or mixed: which sentence frames it
	Lang  string
	Count int
}

// newChangedList names the paragraphs r changes, inserts, deletes or moves,
// in its order: a moved paragraph by its label where it was (once), a
// deleted one by its old label, the others by their new one; renumbering
// alone is no change.
func newChangedList(r *textdiff.Result, from, to drafting.Outline) changedList {
	var ls []outline.Label
	seen := map[string]bool{}
	add := func(o drafting.Outline, side string, i int) {
		if i < 0 || i >= len(o.Paragraphs) || o.Paragraphs[i].Kind == outline.KindBlank {
			return
		}
		l := o.Paragraphs[i].Label
		if k := side + l.Key(); !seen[k] {
			seen[k] = true
			ls = append(ls, l)
		}
	}
	for _, p := range r.Paragraphs {
		switch p.Kind {
		case textdiff.KindEqual, textdiff.KindRenumbered:
		case textdiff.KindDeleted, textdiff.KindMovedFrom:
			add(from, "old:", p.OldIndex)
		case textdiff.KindMovedTo:
			if p.Move != nil {
				add(from, "old:", p.Move.OldIndex)
			}
		default:
			add(to, "new:", p.NewIndex)
		}
	}
	c := changedList{Text: outline.List(to.Language, ls), Lang: to.Language, Count: len(ls), Form: "mixed"}
	plain := 0
	for _, l := range ls {
		if len(l.Parts) == 1 && l.Parts[0].Kind == outline.PartItem && l.Para == 0 && !l.Preamble && l.Parts[0].Occurrence == 0 {
			plain++
		}
	}
	switch {
	case plain == 1 && len(ls) == 1:
		c.Form = "one"
	case plain == len(ls) && plain > 1:
		c.Form = "many"
	}
	return c
}

// rlBlock is a run of a redline's paragraphs: shown, or folded behind a
// one-line summary that opens it (a <details>: no script needed).
type rlBlock struct {
	Fold        bool
	Paras       []rlPara
	Rows        []rlRow
	First, Last string // the folded run's first and last paragraph, named
	Count       int
}

// foldMin is the shortest run of unchanged paragraphs worth folding: one
// alone takes no more room than its summary line.
const foldMin = 2

// fold groups the paragraphs into blocks: every change is shown with one
// unchanged paragraph of context on each side; longer runs of unchanged
// paragraphs fold. With hideRenum, a paragraph whose only change is its
// number reads as unchanged, in its new wording.
func (r *redline) fold(hideRenum bool) {
	r.HideRenum = hideRenum
	paras := append([]rlPara(nil), r.Paras...)
	rows := append([]rlRow(nil), r.Rows...)
	if hideRenum {
		for i := range paras {
			if paras[i].Kind == string(textdiff.KindRenumbered) {
				paras[i].Kind, paras[i].Chunks = string(textdiff.KindEqual), asEqual(paras[i].Chunks)
				rows[i].Kind, rows[i].Left, rows[i].Right = string(textdiff.KindEqual), allEqual(rows[i].Left), allEqual(rows[i].Right)
			}
		}
	}
	n := len(paras)
	changed := func(i int) bool { return i >= 0 && i < n && paras[i].Kind != string(textdiff.KindEqual) }
	shown := make([]bool, n)
	for i := range paras {
		shown[i] = changed(i-1) || changed(i) || changed(i+1)
	}
	r.Blocks = nil
	for i := 0; i < n; {
		j := i
		for j < n && shown[j] == shown[i] {
			j++
		}
		fold := !shown[i] && j-i >= foldMin
		if len(r.Blocks) > 0 && !fold && !r.Blocks[len(r.Blocks)-1].Fold {
			last := &r.Blocks[len(r.Blocks)-1]
			last.Paras, last.Rows = append(last.Paras, paras[i:j]...), append(last.Rows, rows[i:j]...)
		} else {
			b := rlBlock{Fold: fold, Paras: paras[i:j], Rows: rows[i:j], Count: j - i}
			if fold {
				b.First, b.Last = paraName(paras[i]), paraName(paras[j-1])
			}
			r.Blocks = append(r.Blocks, b)
		}
		i = j
	}
}

// asEqual keeps a paragraph's new wording as unchanged text.
func asEqual(cs []chunk) []chunk {
	out := make([]chunk, 0, len(cs))
	for _, c := range cs {
		if c.Class != "del" {
			out = append(out, chunk{Class: "eq", Text: c.Text})
		}
	}
	return out
}

// allEqual marks one side's chunks (it holds no change of the other side)
// as unchanged text.
func allEqual(cs []chunk) []chunk {
	out := make([]chunk, len(cs))
	for i, c := range cs {
		out[i] = chunk{Class: "eq", Text: c.Text}
	}
	return out
}

// paraName names a paragraph in a fold's summary: its label, else "¶ n".
func paraName(p rlPara) string {
	if p.Label != "" {
		return p.Label
	}
	if p.NewNum > 0 {
		return "¶ " + strconv.Itoa(p.NewNum)
	}
	return "¶ " + strconv.Itoa(p.OldNum)
}

// textLanguage guesses the language a text's labels are read in from its
// first letters: Russian when Cyrillic ones are at least as many as Latin
// ones, else English.
func textLanguage(text string) string {
	cyr, lat, n := 0, 0, 0
	for _, r := range text {
		if n == 20000 {
			break
		}
		n++
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if cyr >= lat {
		return "ru"
	}
	return "en"
}
