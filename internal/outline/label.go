package outline

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// PartKind says how a part of a label reads.
type PartKind string

// The label part kinds.
const (
	// PartItem is a numbered item: "пункт 11", "item 11"; also any
	// multi-level number ("пункт 11.1").
	PartItem PartKind = "item"
	// PartSubItem is an item inside another: "подпункт а)", "subitem a)".
	PartSubItem PartKind = "subitem"
	// PartDivision is a heading whose number carries its word: "Статья 5".
	PartDivision PartKind = "division"
	// PartSection is a heading numbered without a word: "раздел IV".
	PartSection PartKind = "section"
	// PartTitle is a heading without a number, named by its title:
	// «Рекомендации».
	PartTitle PartKind = "title"
)

// Part is one step of a label's path, outermost first.
type Part struct {
	Kind PartKind
	// Text is the number as written ("11", "а)", "Статья 5", "IV") or a
	// heading's title.
	Text string
	// Occurrence is 0, or n ≥ 2 when this is the n-th paragraph with the
	// same label in the text.
	Occurrence int
}

// Label names a paragraph the way people do. Render it with Format, or
// build another rendering from its parts.
type Label struct {
	// Parts is the path of numbered items and headings, outermost first:
	// the paragraph's own number last for a numbered paragraph or heading,
	// its section's for an unnumbered one.
	Parts []Part
	// Preamble is set for an unnumbered paragraph of the preamble.
	Preamble bool
	// Para is an unnumbered paragraph's 1-based position in its section
	// (in an item's section the item's own paragraph is 1); 0 for numbered
	// paragraphs and headings.
	Para int
	// Blank is set for the blank lines a text starts with.
	Blank bool
}

// Key is the label as a short string unique within the text, the same in
// every language: "11", "8/а)", "Статья 5/1", "11/¶2", "preamble/¶2", "¶3",
// "«Рекомендации»/¶1", "5#2" (the second item 5), "blank".
func (l Label) Key() string {
	if l.Blank {
		return "blank"
	}
	var b strings.Builder
	if l.Preamble {
		b.WriteString("preamble")
	}
	for _, p := range l.Parts {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		if p.Kind == PartTitle {
			b.WriteString("«" + p.Text + "»")
		} else {
			b.WriteString(p.Text)
		}
		if p.Occurrence > 0 {
			b.WriteString("#" + strconv.Itoa(p.Occurrence))
		}
	}
	if l.Para > 0 {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString("¶" + strconv.Itoa(l.Para))
	}
	return b.String()
}

// String returns Key.
func (l Label) String() string { return l.Key() }

type words struct {
	item, subitem, section, paragraph, preamble, blank, occurrence string
	quote                                                          [2]string
}

var vocab = map[string]words{
	"ru": {item: "пункт", subitem: "подпункт", section: "раздел", paragraph: "абзац", preamble: "преамбула",
		blank: "пустые строки в начале текста", occurrence: "вхождение", quote: [2]string{"«", "»"}},
	"en": {item: "item", subitem: "subitem", section: "section", paragraph: "paragraph", preamble: "preamble",
		blank: "blank lines at the start", occurrence: "occurrence", quote: [2]string{"“", "”"}},
}

// Format renders the label for people in lang ("ru"; anything else is
// English): "пункт 11", "пункт 8, подпункт а)", "Статья 5, пункт 1",
// "раздел IV", "пункт 11, абзац 2", "преамбула, абзац 2", "абзац 3",
// "пункт 5 (вхождение 2)"; in English "item 11", "item 8, subitem а)",
// "preamble, paragraph 2".
func (l Label) Format(lang string) string {
	w, ok := vocab[lang]
	if !ok {
		w = vocab["en"]
	}
	if l.Blank {
		return w.blank
	}
	var parts []string
	if l.Preamble {
		parts = append(parts, w.preamble)
	}
	for _, p := range l.Parts {
		var s string
		switch p.Kind {
		case PartItem:
			s = w.item + " " + p.Text
		case PartSubItem:
			s = w.subitem + " " + p.Text
		case PartSection:
			s = w.section + " " + p.Text
		case PartTitle:
			s = w.quote[0] + p.Text + w.quote[1]
		default:
			s = p.Text
		}
		if p.Occurrence > 0 {
			s += " (" + w.occurrence + " " + strconv.Itoa(p.Occurrence) + ")"
		}
		parts = append(parts, s)
	}
	if l.Para > 0 {
		parts = append(parts, w.paragraph+" "+strconv.Itoa(l.Para))
	}
	return strings.Join(parts, ", ")
}

const maxTitleRunes = 60

// ownPart is the part a numbered paragraph or heading adds to its path.
func ownPart(ps []Paragraph, p *Paragraph) Part {
	switch {
	case p.Kind == KindHeading && p.Num == "":
		t := p.Title
		if utf8.RuneCountInString(t) > maxTitleRunes {
			t = string([]rune(t)[:maxTitleRunes]) + "…"
		}
		return Part{Kind: PartTitle, Text: t}
	case p.Kind == KindHeading && strings.Contains(p.Num, " "):
		return Part{Kind: PartDivision, Text: p.Num}
	case p.Kind == KindHeading:
		return Part{Kind: PartSection, Text: p.Num}
	case p.Kind == KindSubItem && styleOf(p.Num).class != 'm':
		return Part{Kind: PartSubItem, Text: p.Num}
	}
	return Part{Kind: PartItem, Text: p.Num}
}

// label fills every paragraph's Label. A first pass finds the labels that
// collide only because numbering restarts under each heading; the second
// qualifies those with their heading and numbers what still repeats.
func label(ps []Paragraph) {
	qualify := make([]bool, len(ps))
	keys := assign(ps, qualify)
	// A label repeated under one heading stays as it is (and gets
	// occurrence numbers); one repeated under different headings is
	// qualified by its heading.
	parents := map[string]map[int]bool{}
	for i := range ps {
		if numbered(&ps[i]) {
			if parents[keys[i]] == nil {
				parents[keys[i]] = map[int]bool{}
			}
			parents[keys[i]][ps[i].Parent] = true
		}
	}
	again := false
	for i := range ps {
		p := &ps[i]
		if numbered(p) && len(parents[keys[i]]) > 1 && p.Parent >= 0 && ps[p.Parent].Kind == KindHeading {
			qualify[i], again = true, true
		}
	}
	if again {
		assign(ps, qualify)
	}
}

func numbered(p *Paragraph) bool {
	return p.Kind == KindHeading || p.Kind == KindItem || p.Kind == KindSubItem
}

// assign computes every label, qualifying the paragraphs marked in qualify
// with their heading, numbering repeats by occurrence; it returns each
// paragraph's key before occurrence numbers were added.
func assign(ps []Paragraph, qualify []bool) []string {
	plain := make([]string, len(ps))
	seen := map[string]int{}
	paras := map[int]int{} // owner index (-1 for preamble or document) → unnumbered paragraphs so far
	for i := range ps {
		p := &ps[i]
		switch {
		case p.Kind == KindBlank:
			p.Label = Label{Blank: true}
		case numbered(p):
			var base []Part
			switch {
			case p.Kind == KindSubItem:
				base = ps[p.Parent].Label.Parts
				if styleOf(p.Num).class == 'm' {
					// "11.1" under "11" names itself: drop the parent's number.
					base = base[:len(base)-1]
				}
			case qualify[i]:
				base = ps[p.Parent].Label.Parts
			}
			parts := append(append([]Part(nil), base...), ownPart(ps, p))
			l := Label{Parts: parts}
			key := l.Key()
			plain[i] = key
			if n := seen[key]; n > 0 {
				l.Parts[len(l.Parts)-1].Occurrence = n + 1
			}
			seen[key]++
			p.Label = l
		default:
			n := paras[p.Parent]
			if n == 0 && p.Parent >= 0 && ps[p.Parent].Kind != KindHeading {
				n = 1 // the item's own numbered paragraph is its first
			}
			n++
			paras[p.Parent] = n
			l := Label{Para: n, Preamble: p.Kind == KindPreamble}
			if p.Parent >= 0 {
				l.Parts = ps[p.Parent].Label.Parts
			}
			p.Label = l
			plain[i] = l.Key()
		}
	}
	return plain
}
