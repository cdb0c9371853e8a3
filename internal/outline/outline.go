// Package outline finds the structure of a text: its paragraphs, exactly as
// the redline engine (textdiff) splits and counts them, and for each one the
// label people use to name it — the item number as written ("11", "11.1",
// "а)", "IV", "Статья 5"), or, for an unnumbered paragraph, its position in
// its section ("преамбула, абзац 2") — with its kind and nesting level.
//
// The rules, in order:
//
//   - A paragraph is a run of non-blank lines (textdiff.Paragraphs); indexes
//     agree with textdiff's. A text that starts with blank lines has a first
//     paragraph of kind blank.
//   - A heading is a one-line paragraph of at most 200 characters that is a
//     Markdown heading ("## Рекомендации"), a division word with a number
//     ("Статья 5.", "Раздел II", "Chapter 3 — Scope"; Часть/Part, Раздел/
//     Section, Глава/Chapter, Статья/Article), or a Roman number with a dot
//     and a title that does not end like a sentence ("IV. Заключительные
//     положения").
//   - A numbered item starts with a list number as the redline recognises
//     it ("1.", "1)", "(1)", "1.1.", "а)", "b)", "I.", "iv)"). Nesting follows
//     the numbering styles as they first appear, as word processors do: a
//     style met again closes the deeper items opened since; a new style opens
//     a deeper level. "1.1." goes under the item "1." whatever came between.
//     A single Latin letter that is also a Roman numeral ("c)", "i)") is a
//     letter when it follows its predecessor letter ("b)", "h)").
//   - A section is what a heading or an item opens: unnumbered paragraphs
//     belong to the innermost item open before them, else to the innermost
//     heading, else — when the text has numbered items or headings after
//     them — to the preamble, else to the document itself.
//
// Labels:
//
//   - A numbered item's label is its number as written without a final dot
//     ("11", "11.1", "а)", "(3)", "IV"); a sub-item's carries its parent's
//     ("8", "а)"), except a multi-level number, which names itself ("11.1",
//     not "11", "11.1").
//   - A heading's label is its number ("Статья 5", "IV"), or its title when
//     it has none («Рекомендации», cut at 60 characters).
//   - An unnumbered paragraph's label is its section's label and its
//     position in it: "пункт 11, абзац 2" (the item's own numbered paragraph
//     is абзац 1), "преамбула, абзац 2", "раздел IV, абзац 1", "абзац 3".
//   - Labels are unique within a text. When numbering restarts under each
//     heading, the items that would collide are qualified by their heading
//     ("Статья 5, пункт 1" and "Статья 6, пункт 1"); a label that still
//     repeats (two items "5." in one list) gets the number of its occurrence
//     ("пункт 5 (вхождение 2)").
package outline

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"redline/internal/textdiff"
)

// Kind is what a paragraph is in the structure of its text.
type Kind string

// The paragraph kinds.
const (
	// KindBlank is the blank lines a text starts with (textdiff counts them
	// as a paragraph, so indexes agree).
	KindBlank Kind = "blank"
	// KindHeading is a heading: a Markdown heading, "Статья 5", "IV. …".
	KindHeading Kind = "heading"
	// KindPreamble is an unnumbered paragraph before the first numbered
	// item or heading.
	KindPreamble Kind = "preamble"
	// KindItem is a numbered item at the top level of its section.
	KindItem Kind = "item"
	// KindSubItem is a numbered item inside another ("а)" under "8.").
	KindSubItem Kind = "subitem"
	// KindPlain is any other unnumbered paragraph.
	KindPlain Kind = "plain"
)

// Paragraph is one paragraph of a text and its place in the structure.
type Paragraph struct {
	// Index is the paragraph's index, as textdiff counts paragraphs.
	Index int
	// Start and End delimit the paragraph's text, in bytes; TextStart is
	// where its text begins after its number or heading marks (Start for
	// an unnumbered paragraph).
	Start, End, TextStart int
	// Kind is what the paragraph is.
	Kind Kind
	// Level is the depth of a heading among headings or of an item among
	// items, 1 at the top; 0 for other paragraphs.
	Level int
	// Num is the number as written, without a final dot: "11", "11.1",
	// "а)", "(3)", "IV", "Статья 5"; "" when there is none.
	Num string
	// Marker is the number exactly as written, with its dot ("11.", "а)",
	// "Статья 5."), for renderers that show it; "" when there is none.
	Marker string
	// Title is a heading's title, without its number and marks.
	Title string
	// Parent is the index of the heading or item the paragraph belongs to,
	// or -1.
	Parent int
	// Label is the paragraph's label, unique within the text.
	Label Label
}

// Text returns the paragraph's text after its number, as in text.
func (p Paragraph) Text(text string) string { return text[p.TextStart:p.End] }

// Parse splits text into paragraphs and labels them.
func Parse(text string) []Paragraph {
	spans := textdiff.Paragraphs(text)
	ps := make([]Paragraph, len(spans))
	structured := false
	for i, s := range spans {
		ps[i] = classify(text, i, s)
		if ps[i].Kind == KindHeading || ps[i].Kind == KindItem {
			structured = true
		}
	}
	nest(ps, structured)
	label(ps)
	return ps
}

const maxHeadingRunes = 200

// classify decides what paragraph i is by itself; nest places it.
func classify(text string, i int, s textdiff.Span) Paragraph {
	p := Paragraph{Index: i, Start: s.Start, End: s.End, TextStart: s.Start, Parent: -1, Kind: KindPlain}
	if s.Start == s.End {
		p.Kind = KindBlank
		return p
	}
	content := text[s.Start:s.End]
	oneLine := !strings.Contains(content, "\n") && utf8.RuneCountInString(content) <= maxHeadingRunes
	if oneLine {
		if h, ok := heading(content); ok {
			h.Index, h.Start, h.End, h.Parent = i, s.Start, s.End, -1
			h.TextStart += s.Start
			return h
		}
	}
	if s.MarkerEnd > s.MarkerStart && !isAmount(text[s.MarkerStart:s.MarkerEnd], text[s.MarkerEnd:s.End]) {
		marker := text[s.MarkerStart:s.MarkerEnd]
		p.Marker = marker
		p.Num = strings.TrimSuffix(marker, ".")
		p.TextStart = skipSpace(text, s.MarkerEnd, s.End)
		p.Kind = KindItem
		if oneLine && isRomanHeading(marker, text[p.TextStart:s.End]) {
			p.Kind = KindHeading
			p.Title = text[p.TextStart:s.End]
		}
	}
	return p
}

// isAmount reports whether a multi-level number without a final dot starts
// a sentence rather than an item: "1.5 млн рублей" (a lower-case word
// follows), unlike "11.2 Без точки".
func isAmount(marker, rest string) bool {
	if strings.HasSuffix(marker, ".") || !strings.Contains(marker, ".") || strings.ContainsAny(marker, "()") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(rest, " \t"))
	return unicode.IsLower(r)
}

func skipSpace(text string, i, end int) int {
	for i < end && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

// isRomanHeading reports whether a one-line paragraph numbered marker with
// the title rest is a section heading ("IV. Заключительные положения")
// rather than an item ("IV. Участники отмечают ….").
func isRomanHeading(marker, rest string) bool {
	num := strings.TrimSuffix(marker, ".")
	if num == marker || rest == "" || !isRoman(num) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(rest)
	return !strings.ContainsRune(".;:,!?…", last)
}

// divisions maps division words to a style shared by both languages, so
// that "Статья" and "Article" nest alike.
var divisions = map[string]string{
	"часть": "part", "part": "part",
	"раздел": "section", "section": "section",
	"глава": "chapter", "chapter": "chapter",
	"статья": "article", "article": "article",
}

// heading recognises a one-line heading; the returned Paragraph has Kind,
// Num, Marker, Title, Level (Markdown depth, used as the style) and
// TextStart relative to content.
func heading(content string) (Paragraph, bool) {
	lead := len(content) - len(strings.TrimLeft(content, " \t"))
	s := content[lead:]
	if n := len(s) - len(strings.TrimLeft(s, "#")); n >= 1 && n <= 6 && n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		title := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s[n:]), "#"))
		if title == "" {
			return Paragraph{}, false
		}
		p := Paragraph{Kind: KindHeading, Level: n, Title: title, TextStart: lead + strings.Index(s, title)}
		// "## 3. Рекомендации" or "## Статья 5": the number names it.
		if d, ok := division(title); ok {
			p.Num, p.Marker, p.Title = d.Num, d.Marker, d.Title
			p.TextStart += d.TextStart
		} else if spans := textdiff.Paragraphs(title); len(spans) == 1 && spans[0].MarkerEnd > spans[0].MarkerStart {
			p.Marker = title[spans[0].MarkerStart:spans[0].MarkerEnd]
			p.Num = strings.TrimSuffix(p.Marker, ".")
			p.Title = strings.TrimSpace(title[spans[0].MarkerEnd:])
			p.TextStart += skipSpace(title, spans[0].MarkerEnd, len(title))
		}
		return p, true
	}
	if d, ok := division(s); ok {
		d.TextStart += lead
		return d, true
	}
	return Paragraph{}, false
}

// division recognises "Статья 5", "Статья 5. Title", "Chapter IV — Title".
// The number must end the line or be followed by a dot, a dash or a colon,
// so that "Часть 2 статьи 5 изложить …" stays a sentence.
func division(s string) (Paragraph, bool) {
	word, rest, ok := strings.Cut(s, " ")
	if !ok {
		return Paragraph{}, false
	}
	if _, ok := divisions[strings.ToLower(word)]; !ok {
		return Paragraph{}, false
	}
	rest = strings.TrimLeft(rest, " ")
	n := 0
	for n < len(rest) && (isDigit(rest[n]) || rest[n] == '.' && n+1 < len(rest) && isDigit(rest[n+1])) {
		n++
	}
	if n == 0 {
		for n < len(rest) && strings.IndexByte("IVXLCDM", rest[n]) >= 0 {
			n++
		}
		if n == 0 || !isRoman(rest[:n]) {
			return Paragraph{}, false
		}
	}
	number, after := rest[:n], rest[n:]
	marker := word + " " + number
	switch {
	case after == "":
	case after[0] == '.' && (len(after) == 1 || after[1] == ' '):
		marker += "."
		after = after[1:]
	case after[0] == ':':
		after = after[1:]
	case strings.HasPrefix(after, " —"), strings.HasPrefix(after, " –"), strings.HasPrefix(after, " -"):
		after = strings.TrimLeft(after[1:], "—–-")
	default:
		return Paragraph{}, false
	}
	title := strings.TrimSpace(after)
	start := len(s) - len(strings.TrimLeft(after, " "))
	return Paragraph{Kind: KindHeading, Num: word + " " + number, Marker: marker, Title: title, TextStart: start}, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isRoman reports whether s is a well-formed Roman numeral, all upper or
// all lower case.
func isRoman(s string) bool {
	if s == "" {
		return false
	}
	up := strings.ToUpper(s)
	if up != s && strings.ToLower(s) != s {
		return false
	}
	v := 0
	for i := 0; i < len(up); i++ {
		d := romanDigit(up[i])
		if d == 0 {
			return false
		}
		if i+1 < len(up) && romanDigit(up[i+1]) > d {
			v -= d
		} else {
			v += d
		}
	}
	return v > 0 && v < 4000 && toRoman(v) == up
}

func romanDigit(c byte) int {
	switch c {
	case 'I':
		return 1
	case 'V':
		return 5
	case 'X':
		return 10
	case 'L':
		return 50
	case 'C':
		return 100
	case 'D':
		return 500
	case 'M':
		return 1000
	}
	return 0
}

func toRoman(v int) string {
	vals := [...]int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := [...]string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, n := range vals {
		for v >= n {
			b.WriteString(syms[i])
			v -= n
		}
	}
	return b.String()
}

// numStyle is a numbering style: what the number is made of and how it is
// closed ("1." and "1)" are different styles, as are "а)" and "a)").
type numStyle struct {
	class  byte   // 'a' arabic, 'm' multi-level, 'R'/'r' Roman, 'L'/'l' Latin letter, 'C'/'c' Cyrillic letter
	delim  string // ".", ")", "()" or ""
	levels int    // components of a multi-level number
}

func styleOf(num string) numStyle {
	var st numStyle
	body := num
	switch {
	case strings.HasPrefix(body, "(") && strings.HasSuffix(body, ")"):
		st.delim, body = "()", body[1:len(body)-1]
	case strings.HasSuffix(body, ")"):
		st.delim, body = ")", body[:len(body)-1]
	}
	// The caller trimmed a final dot; Marker keeps it. Multi-level numbers
	// are told apart by their inner dots.
	switch {
	case body != "" && isDigit(body[0]) && strings.Contains(body, "."):
		st.class, st.levels = 'm', strings.Count(body, ".")+1
		st.delim = ""
	case body != "" && isDigit(body[0]):
		st.class = 'a'
	case isRoman(body):
		st.class = 'R'
		if strings.ToLower(body) == body {
			st.class = 'r'
		}
	default:
		r, _ := utf8.DecodeRuneInString(body)
		switch {
		case unicode.Is(unicode.Cyrillic, r) && unicode.IsUpper(r):
			st.class = 'C'
		case unicode.Is(unicode.Cyrillic, r):
			st.class = 'c'
		case unicode.IsUpper(r):
			st.class = 'L'
		default:
			st.class = 'l'
		}
	}
	return st
}

// letterOf returns the single letter of a letter-like number ("c)" → 'c').
func letterOf(num string) rune {
	body := strings.TrimSuffix(strings.TrimPrefix(num, "("), ")")
	r, size := utf8.DecodeRuneInString(body)
	if size != len(body) {
		return 0
	}
	return r
}

type entry struct {
	idx   int
	style numStyle
	num   string
}

// nest places every paragraph: Parent, Level and the kinds that depend on
// the neighbours (item or sub-item, preamble or plain).
func nest(ps []Paragraph, structured bool) {
	var headings []entry // open headings, outermost first; style.class 'h'
	var items []entry    // open items, outermost first
	top := func() int {
		if len(items) > 0 {
			return items[len(items)-1].idx
		}
		if len(headings) > 0 {
			return headings[len(headings)-1].idx
		}
		return -1
	}
	for i := range ps {
		p := &ps[i]
		switch p.Kind {
		case KindBlank:
		case KindHeading:
			st := headingStyle(p)
			k := len(headings)
			for j := len(headings) - 1; j >= 0; j-- {
				if headings[j].style == st {
					k = j
					break
				}
			}
			headings = append(headings[:k], entry{idx: i, style: st, num: p.Num})
			items = nil
			p.Level = len(headings)
			if k > 0 {
				p.Parent = headings[k-1].idx
			}
		case KindItem:
			st := styleOf(p.Num)
			st = disambiguateLetter(st, p.Num, items)
			k := placeItem(items, st, p.Num)
			items = append(items[:k], entry{idx: i, style: st, num: p.Num})
			p.Level = len(items)
			switch {
			case k > 0:
				p.Parent = items[k-1].idx
				p.Kind = KindSubItem
			case len(headings) > 0:
				p.Parent = headings[len(headings)-1].idx
			}
		default:
			p.Parent = top()
			if p.Parent < 0 && structured {
				p.Kind = KindPreamble
			}
		}
	}
}

// headingStyle tells heading styles apart: Markdown depth, division word,
// or a Roman-numbered section.
func headingStyle(p *Paragraph) numStyle {
	if word, _, ok := strings.Cut(p.Num, " "); ok {
		if d, ok := divisions[strings.ToLower(word)]; ok {
			return numStyle{class: 'h', delim: d}
		}
	}
	if p.Level > 0 {
		return numStyle{class: 'h', levels: p.Level}
	}
	return numStyle{class: 'h', delim: "roman"}
}

// disambiguateLetter turns a one-letter Roman numeral ("c)", "i)") into a
// letter when it continues an open letter list ("b)", "h)").
func disambiguateLetter(st numStyle, num string, items []entry) numStyle {
	if st.class != 'R' && st.class != 'r' {
		return st
	}
	r := letterOf(num)
	if r == 0 {
		return st
	}
	want := numStyle{class: 'l', delim: st.delim}
	if st.class == 'R' {
		want.class = 'L'
	}
	for j := len(items) - 1; j >= 0; j-- {
		if items[j].style == want && letterOf(items[j].num) == r-1 {
			return want
		}
	}
	return st
}

// placeItem returns how many open items stay open below a new item of style
// st numbered num.
func placeItem(items []entry, st numStyle, num string) int {
	if st.class == 'm' {
		parent := num[:strings.LastIndexByte(num, '.')]
		for j := len(items) - 1; j >= 0; j-- {
			if strings.TrimSuffix(items[j].num, ".") == parent {
				return j + 1
			}
		}
		for j := len(items) - 1; j >= 0; j-- {
			if items[j].style == st {
				return j
			}
		}
		// No parent: beside the outermost arabic list, if there is one.
		for j := range items {
			if items[j].style.class == 'a' || items[j].style.class == 'm' {
				return j
			}
		}
		return len(items)
	}
	for j := len(items) - 1; j >= 0; j-- {
		if items[j].style == st {
			return j
		}
	}
	return len(items)
}
