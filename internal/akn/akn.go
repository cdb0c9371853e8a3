// Package akn writes a Redline text as Akoma Ntoso 3.0 XML, following the
// AKN4UN conventions for resolutions: a statement named "resolution"
// (or "resolutionDraft" for a revision not adopted) with FRBR metadata of
// the work, the expression (language, version, date) and the manifestation;
// the title in the preface; the unnumbered opening paragraphs as the
// preamble; numbered items as operative paragraphs with their numbers as
// num, sub-items nested as points of a list, headings as sections,
// articles, chapters or parts; each adoption as a lifecycle event and a
// workflow step, its vote as a parliamentary voting with counts; and
// references (TLCOrganization, TLCRole, TLCConcept, TLCEvent) for
// everything those point to. The structure comes from internal/outline, so
// paragraphs are the redline's.
//
// The output depends only on the Document: the same input gives the same
// bytes (no generation time), so it can be cached and compared.
package akn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"redline/internal/outline"
)

// Namespace is the Akoma Ntoso 3.0 namespace.
const Namespace = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

// Votes is a recorded vote.
type Votes struct {
	For, Against, Abstained int64
}

// Adoption is one adoption of the document.
type Adoption struct {
	// Revision is the revision adopted.
	Revision int64
	// Stage is "basis" (adopted as a basis) or "final" (as a whole).
	Stage string
	// At is when it was adopted.
	At time.Time
	// Votes is the vote, nil when none was recorded.
	Votes *Votes
}

// Document is what an Akoma Ntoso file is written from.
type Document struct {
	// Slug, Title and Language ("ru", "en") are the document's.
	Slug, Title, Language string
	// Country is the jurisdiction's ISO 3166-1 alpha-2 code ("ru") or an
	// organisation's code ("un"), the second part of the work's IRI; ""
	// means "ru" for a Russian document and "zz" (unknown) otherwise.
	Country string
	// Body is who adopts the text ("Участники конференции …"); "" means
	// the working group.
	Body string
	// Created is when the document was created: the work's date, the same
	// for every version.
	Created time.Time
	// Revision is the revision whose Text this is; RevisionAt when it was
	// committed (the date of a draft's expression); SHA256 its text's.
	Revision   int64
	RevisionAt time.Time
	SHA256     string
	Text       string
	// Adoptions is the document's adoptions up to and including the one of
	// this text, oldest first. Empty for a revision that is not adopted
	// (a member's export of a draft).
	Adoptions []Adoption
}

// ErrInvalid: the Document cannot be written.
var ErrInvalid = errors.New("invalid document")

// Marshal returns d as Akoma Ntoso XML.
func Marshal(d Document) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes d as Akoma Ntoso XML to w.
func Write(w io.Writer, d Document) error {
	if err := d.validate(); err != nil {
		return err
	}
	x := &xmlWriter{}
	g := &gen{d: d, x: x, used: map[string]bool{}}
	g.document()
	_, err := w.Write(x.b.Bytes())
	return err
}

func (d *Document) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	switch {
	case d.Slug == "" || strings.ContainsAny(d.Slug, "/ \t\n"):
		return bad("slug %q cannot be part of an IRI", d.Slug)
	case d.Title == "":
		return bad("no title")
	case d.Created.IsZero():
		return bad("no creation date")
	case d.Revision < 1:
		return bad("no revision")
	case !utf8.ValidString(d.Text) || !utf8.ValidString(d.Title) || !utf8.ValidString(d.Body):
		return bad("not valid UTF-8")
	}
	for i, a := range d.Adoptions {
		if a.At.IsZero() || a.Revision < 1 || (a.Stage != "basis" && a.Stage != "final") {
			return bad("adoption %d: revision %d, stage %q, date %v", i+1, a.Revision, a.Stage, a.At)
		}
	}
	if n := len(d.Adoptions); n > 0 && d.Adoptions[n-1].Revision != d.Revision {
		return bad("the last adoption is of revision %d, the text is revision %d", d.Adoptions[n-1].Revision, d.Revision)
	}
	return nil
}

// gen writes one document.
type gen struct {
	d    Document
	x    *xmlWriter
	used map[string]bool // eIds given
	text string
	ps   []outline.Paragraph
	kids [][]int // children of each paragraph, by Parent
	top  []int   // paragraphs without a parent
}

var languages = map[string]string{
	"ru": "rus", "en": "eng", "fr": "fra", "es": "spa", "de": "deu", "zh": "zho", "ar": "ara",
	"uk": "ukr", "be": "bel", "kk": "kaz", "uz": "uzb", "ky": "kir", "tg": "tgk", "hy": "hye", "az": "aze",
	"ka": "kat", "ro": "ron", "it": "ita", "pt": "por", "pl": "pol", "cs": "ces", "tr": "tur",
}

// lang3 is the ISO 639-2 code Akoma Ntoso IRIs use.
func (g *gen) lang3() string {
	if l, ok := languages[strings.ToLower(g.d.Language)]; ok {
		return l
	}
	if g.d.Language == "" {
		return "und"
	}
	return strings.ToLower(g.d.Language)
}

func (g *gen) russian() bool { return strings.EqualFold(g.d.Language, "ru") }

func (g *gen) country() string {
	switch {
	case g.d.Country != "":
		return strings.ToLower(g.d.Country)
	case g.russian():
		return "ru"
	}
	return "zz"
}

func date(t time.Time) string     { return t.UTC().Format(time.DateOnly) }
func dateTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func (g *gen) work() string {
	return "/akn/" + g.country() + "/statement/deliberation/" + date(g.d.Created) + "/" + g.d.Slug
}

// version is the expression's version of adoption k (0-based): its date,
// with the revision added when an earlier adoption of another revision was
// on the same day; "r<n>" for a draft.
func (g *gen) version(k int) string {
	if k < 0 {
		return "r" + strconv.FormatInt(g.d.Revision, 10)
	}
	a := g.d.Adoptions[k]
	v := date(a.At)
	for _, e := range g.d.Adoptions[:k] {
		if date(e.At) == v && e.Revision != a.Revision {
			return v + "-r" + strconv.FormatInt(a.Revision, 10)
		}
	}
	return v
}

func (g *gen) expression(k int) string { return g.work() + "/" + g.lang3() + "@" + g.version(k) }

func (g *gen) current() int { return len(g.d.Adoptions) - 1 }

func (g *gen) exprDate() time.Time {
	if k := g.current(); k >= 0 {
		return g.d.Adoptions[k].At
	}
	if !g.d.RevisionAt.IsZero() {
		return g.d.RevisionAt
	}
	return g.d.Created
}

func (g *gen) document() {
	g.text = strings.ReplaceAll(g.d.Text, "\r\n", "\n")
	g.ps = outline.Parse(g.text)
	g.kids = make([][]int, len(g.ps))
	for i, p := range g.ps {
		if p.Kind == outline.KindBlank {
			continue
		}
		if p.Parent >= 0 {
			g.kids[p.Parent] = append(g.kids[p.Parent], i)
		} else {
			g.top = append(g.top, i)
		}
	}
	x := g.x
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.open("akomaNtoso", "xmlns", Namespace)
	name := "resolution"
	if g.current() < 0 {
		name = "resolutionDraft"
	}
	x.open("statement", "name", name, "contains", "originalVersion")
	g.meta()
	g.preface()
	g.preamble()
	g.mainBody()
	x.close("statement")
	x.close("akomaNtoso")
}

func (g *gen) meta() {
	x, d := g.x, g.d
	x.open("meta")
	x.open("identification", "source", "#redline")
	work, expr := g.work(), g.expression(g.current())
	x.open("FRBRWork")
	x.empty("FRBRthis", "value", work+"/!main")
	x.empty("FRBRuri", "value", work)
	x.empty("FRBRdate", "date", date(d.Created), "name", "creation")
	x.empty("FRBRauthor", "href", "#body", "as", "#author")
	x.empty("FRBRcountry", "value", g.country())
	x.empty("FRBRsubtype", "value", "deliberation")
	x.empty("FRBRnumber", "value", d.Slug)
	x.empty("FRBRname", "value", d.Title)
	x.close("FRBRWork")
	dateName := "adoption"
	if g.current() < 0 {
		dateName = "revision"
	}
	x.open("FRBRExpression")
	x.empty("FRBRthis", "value", expr+"/!main")
	x.empty("FRBRuri", "value", expr)
	x.empty("FRBRdate", "date", date(g.exprDate()), "name", dateName)
	x.empty("FRBRauthor", "href", "#body", "as", "#author")
	x.empty("FRBRversionNumber", "value", strconv.FormatInt(d.Revision, 10))
	x.empty("FRBRlanguage", "language", g.lang3())
	x.close("FRBRExpression")
	x.open("FRBRManifestation")
	x.empty("FRBRthis", "value", expr+"/!main.xml")
	x.empty("FRBRuri", "value", expr+".xml")
	x.empty("FRBRdate", "date", date(g.exprDate()), "name", "generation")
	x.empty("FRBRauthor", "href", "#redline", "as", "#editor")
	x.empty("FRBRformat", "value", "application/akn+xml")
	x.close("FRBRManifestation")
	x.close("identification")

	if len(d.Adoptions) > 0 {
		// Lifecycle: the adoptions that made a new version of the text.
		x.open("lifecycle", "source", "#redline")
		for k, a := range d.Adoptions {
			typ := "amendment"
			switch {
			case k == 0:
				typ = "generation"
			case a.Revision == d.Adoptions[k-1].Revision:
				continue // the same text adopted again: a workflow step only
			}
			x.empty("eventRef", "eId", "evt_"+strconv.Itoa(k+1), "date", dateTime(a.At), "source", "#original",
				"type", typ, "refersTo", "#adoption_"+strconv.Itoa(k+1))
		}
		x.close("lifecycle")
		// Workflow: every adoption, with its stage as the outcome.
		x.open("workflow", "source", "#redline")
		for k, a := range d.Adoptions {
			x.empty("step", "eId", "step_"+strconv.Itoa(k+1), "date", dateTime(a.At), "by", "#body", "as", "#author",
				"outcome", "#"+a.Stage, "refersTo", "#adoption_"+strconv.Itoa(k+1), "href", g.expression(k))
		}
		x.close("workflow")
		if g.anyVotes() {
			x.open("analysis", "source", "#redline")
			x.open("parliamentary")
			for k, a := range d.Adoptions {
				if a.Votes == nil {
					continue
				}
				id := "voting_" + strconv.Itoa(k+1)
				x.open("voting", "eId", id, "outcome", "#"+a.Stage, "refersTo", "#adoption_"+strconv.Itoa(k+1), "href", "#step_"+strconv.Itoa(k+1))
				x.empty("count", "eId", id+"__for", "value", strconv.FormatInt(a.Votes.For, 10), "refersTo", "#votesFor")
				x.empty("count", "eId", id+"__against", "value", strconv.FormatInt(a.Votes.Against, 10), "refersTo", "#votesAgainst")
				x.empty("count", "eId", id+"__abstained", "value", strconv.FormatInt(a.Votes.Abstained, 10), "refersTo", "#votesAbstained")
				x.close("voting")
			}
			x.close("parliamentary")
			x.close("analysis")
		}
	}
	g.references()
	x.open("proprietary", "source", "#redline")
	x.empty("rl:text", "xmlns:rl", "urn:x-redline:akn:1", "document", d.Slug, "revision", strconv.FormatInt(d.Revision, 10), "sha256", d.SHA256)
	x.close("proprietary")
	x.close("meta")
}

func (g *gen) anyVotes() bool {
	for _, a := range g.d.Adoptions {
		if a.Votes != nil {
			return true
		}
	}
	return false
}

// words are the people-facing names in the references, by language.
type words struct {
	body, author, editor, basis, final, votesFor, against, abstained, adopted string
	months                                                                    [12]string
}

var ru = words{body: "Рабочая группа", author: "Автор", editor: "Редактор разметки", basis: "принят за основу",
	final: "принят в целом", votesFor: "за", against: "против", abstained: "воздержались", adopted: "Принят",
	months: [12]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}}

var en = words{body: "Working group", author: "Author", editor: "Markup editor", basis: "adopted as a basis",
	final: "adopted as a whole", votesFor: "for", against: "against", abstained: "abstained", adopted: "Adopted",
	months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}}

func (g *gen) words() words {
	if g.russian() {
		return ru
	}
	return en
}

func (g *gen) stageName(stage string) string {
	if stage == "final" {
		return g.words().final
	}
	return g.words().basis
}

func (g *gen) longDate(t time.Time) string {
	t = t.UTC()
	if g.russian() {
		return fmt.Sprintf("%d %s %d года", t.Day(), ru.months[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), en.months[t.Month()-1], t.Year())
}

func (g *gen) references() {
	x, d, w := g.x, g.d, g.words()
	body := d.Body
	if body == "" {
		body = w.body
	}
	x.open("references", "source", "#redline")
	if len(d.Adoptions) > 0 {
		x.empty("original", "eId", "original", "href", g.expression(0), "showAs", d.Title)
	}
	x.empty("TLCOrganization", "eId", "body", "href", "/akn/ontology/organization/"+g.country()+"/"+d.Slug+"-body", "showAs", body)
	x.empty("TLCOrganization", "eId", "redline", "href", "/akn/ontology/organization/redline", "showAs", "Redline")
	x.empty("TLCRole", "eId", "author", "href", "/akn/ontology/role/author", "showAs", w.author)
	x.empty("TLCRole", "eId", "editor", "href", "/akn/ontology/role/editor", "showAs", w.editor)
	stages := map[string]bool{}
	for _, a := range d.Adoptions {
		stages[a.Stage] = true
	}
	for _, s := range []string{"basis", "final"} {
		if stages[s] {
			x.empty("TLCConcept", "eId", s, "href", "/akn/ontology/concept/redline/"+s, "showAs", g.stageName(s))
		}
	}
	if g.anyVotes() {
		x.empty("TLCConcept", "eId", "votesFor", "href", "/akn/ontology/concept/votesFor", "showAs", w.votesFor)
		x.empty("TLCConcept", "eId", "votesAgainst", "href", "/akn/ontology/concept/votesAgainst", "showAs", w.against)
		x.empty("TLCConcept", "eId", "votesAbstained", "href", "/akn/ontology/concept/votesAbstained", "showAs", w.abstained)
	}
	for k, a := range d.Adoptions {
		x.empty("TLCEvent", "eId", "adoption_"+strconv.Itoa(k+1), "href", "/akn/ontology/event/"+g.country()+"/"+d.Slug+"/adoption-"+strconv.Itoa(k+1),
			"showAs", g.stageName(a.Stage)+", "+g.longDate(a.At))
	}
	x.close("references")
}

func (g *gen) preface() {
	x := g.x
	x.open("preface")
	x.open("longTitle", "eId", "longTitle")
	x.inline("p", func() { x.inline("docTitle", func() { x.text(g.d.Title) }) })
	x.close("longTitle")
	if k := g.current(); k >= 0 {
		a := g.d.Adoptions[k]
		x.inline("p", func() {
			x.inline("docStage", func() { x.text(g.stageName(a.Stage)) }, "refersTo", "#"+a.Stage)
			x.text(" ")
			x.inline("docDate", func() { x.text(g.longDate(a.At)) }, "date", date(a.At), "refersTo", "#adoption_"+strconv.Itoa(k+1))
		})
	}
	x.close("preface")
}

func (g *gen) preamble() {
	var pre []int
	for _, i := range g.top {
		if g.ps[i].Kind == outline.KindPreamble {
			pre = append(pre, i)
		}
	}
	if len(pre) == 0 {
		return
	}
	x := g.x
	x.open("preamble")
	for n, i := range pre {
		x.open("container", "eId", g.eID("preamble__container_"+strconv.Itoa(n+1)), "name", "preambularParagraph")
		g.para(i)
		x.close("container")
	}
	x.close("preamble")
}

func (g *gen) mainBody() {
	x := g.x
	x.open("mainBody")
	n := 0
	for _, i := range g.top {
		p := g.ps[i]
		switch p.Kind {
		case outline.KindPreamble:
		case outline.KindHeading, outline.KindItem:
			g.node(i, "")
			n++
		default:
			// An unnumbered operative paragraph of a text without numbering.
			n++
			x.open("paragraph", "eId", g.eID("para_u"+strconv.Itoa(n)))
			x.open("content")
			g.para(i)
			x.close("content")
			x.close("paragraph")
		}
	}
	if n == 0 {
		x.empty("p")
	}
	x.close("mainBody")
}

// element names a heading or item's Akoma Ntoso element and eId prefix.
func (g *gen) element(p outline.Paragraph, nested bool) (string, string) {
	if p.Kind != outline.KindHeading {
		if nested {
			return "point", "point"
		}
		return "paragraph", "para"
	}
	word, _, _ := strings.Cut(p.Num, " ")
	switch strings.ToLower(word) {
	case "статья", "article":
		return "article", "art"
	case "глава", "chapter":
		return "chapter", "chp"
	case "часть", "part":
		return "part", "part"
	}
	if p.Num == "" {
		return "hcontainer", "hcontainer"
	}
	return "section", "sec"
}

// node writes heading or item i and everything under it.
func (g *gen) node(i int, parent string) {
	x, p := g.x, g.ps[i]
	nested := p.Kind == outline.KindSubItem
	el, abbr := g.element(p, nested)
	id := g.localID(parent, abbr, p.Num)
	attrs := []string{"eId", id}
	if el == "hcontainer" {
		attrs = append(attrs, "name", "heading")
	}
	x.open(el, attrs...)
	if p.Marker != "" {
		x.inline("num", func() { x.text(p.Marker) })
	}
	var own, sub []int // unnumbered paragraphs of its own; headings and items under it
	if p.Kind != outline.KindHeading {
		own = append(own, i)
	} else if p.Title != "" {
		x.inline("heading", func() { x.text(p.Title) })
	}
	for _, c := range g.kids[i] {
		switch g.ps[c].Kind {
		case outline.KindPlain, outline.KindPreamble:
			own = append(own, c)
		default:
			sub = append(sub, c)
		}
	}
	switch {
	case len(sub) == 0 && len(own) > 0:
		x.open("content")
		for _, c := range own {
			g.para(c)
		}
		x.close("content")
	case len(sub) > 0:
		if len(own) > 0 {
			x.open("intro")
			for _, c := range own {
				g.para(c)
			}
			x.close("intro")
		}
		// Items under an item are points of a list; headings and items
		// under a heading are its own children.
		if p.Kind == outline.KindHeading {
			for _, c := range sub {
				g.node(c, id)
			}
		} else {
			list := g.eID(id + "__list_1")
			x.open("list", "eId", list)
			for _, c := range sub {
				g.node(c, list)
			}
			x.close("list")
		}
	}
	x.close(el)
}

// para writes paragraph i's text (after its number) as a p, its line
// breaks as eol.
func (g *gen) para(i int) {
	x := g.x
	body := g.ps[i].Text(g.text)
	x.inline("p", func() {
		for k, line := range strings.Split(body, "\n") {
			if k > 0 {
				x.empty("eol")
			}
			x.text(strings.TrimRight(line, " \t\r"))
		}
	})
}

// localID is the eId of a child of parent named by its number, as the
// Akoma Ntoso naming convention builds them ("para_11", "para_8__list_1__
// point_a"); a number that does not fit an id is replaced by the position.
func (g *gen) localID(parent, abbr, num string) string {
	var b strings.Builder
	for _, r := range num {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == '.' || r == '-':
			b.WriteByte('-')
		case translit[r] != "":
			b.WriteString(translit[r])
		}
	}
	local := strings.Trim(b.String(), "-")
	if local == "" {
		local = "n"
	}
	id := abbr + "_" + local
	if parent != "" {
		id = parent + "__" + id
	}
	return g.eID(id)
}

// translit spells Cyrillic list letters in Latin for ids.
var translit = func() map[rune]string {
	m := map[rune]string{}
	lower := []string{"a", "b", "v", "g", "d", "e", "zh", "z", "i", "j", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "h", "c", "ch", "sh", "shch", "", "y", "", "ee", "yu", "ya"}
	for k, s := range lower {
		m['а'+rune(k)] = s
		m['А'+rune(k)] = strings.ToUpper(s)
	}
	m['ё'], m['Ё'] = "yo", "YO"
	return m
}()

// eID returns id, or id with "-2", "-3" … when it is taken.
func (g *gen) eID(id string) string {
	if !g.used[id] {
		g.used[id] = true
		return id
	}
	for n := 2; ; n++ {
		c := id + "-" + strconv.Itoa(n)
		if !g.used[c] {
			g.used[c] = true
			return c
		}
	}
}

// xmlWriter writes indented XML; inline content (text, eol) stays on
// one line.
type xmlWriter struct {
	b     bytes.Buffer
	depth int
}

func (x *xmlWriter) raw(s string) { x.b.WriteString(s) }

func (x *xmlWriter) indent() {
	for range x.depth {
		x.b.WriteString("  ")
	}
}

func (x *xmlWriter) tag(name string, attrs []string, end string) {
	x.b.WriteByte('<')
	x.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.b.WriteByte(' ')
		x.b.WriteString(attrs[i])
		x.b.WriteString(`="`)
		x.escape(attrs[i+1], true)
		x.b.WriteByte('"')
	}
	x.b.WriteString(end)
}

func (x *xmlWriter) open(name string, attrs ...string) {
	x.indent()
	x.tag(name, attrs, ">\n")
	x.depth++
}

func (x *xmlWriter) close(name string) {
	x.depth--
	x.indent()
	x.b.WriteString("</" + name + ">\n")
}

// empty writes an empty element: on its own line outside inline content.
func (x *xmlWriter) empty(name string, attrs ...string) {
	if x.depth < 0 {
		x.tag(name, attrs, "/>")
		return
	}
	x.indent()
	x.tag(name, attrs, "/>\n")
}

// inline writes an element whose content stays on one line.
func (x *xmlWriter) inline(name string, content func(), attrs ...string) {
	outer := x.depth
	if outer >= 0 {
		x.indent()
	}
	x.tag(name, attrs, ">")
	x.depth = -1
	content()
	x.depth = outer
	x.b.WriteString("</" + name + ">")
	if outer >= 0 {
		x.b.WriteByte('\n')
	}
}

func (x *xmlWriter) text(s string) { x.escape(s, false) }

// escape writes s as XML character data or an attribute value; characters
// XML 1.0 cannot hold become U+FFFD.
func (x *xmlWriter) escape(s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '<':
			x.b.WriteString("&lt;")
		case r == '>':
			x.b.WriteString("&gt;")
		case r == '&':
			x.b.WriteString("&amp;")
		case r == '"' && attr:
			x.b.WriteString("&quot;")
		case (r == '\n' || r == '\t' || r == '\r') && attr:
			fmt.Fprintf(&x.b, "&#x%X;", r)
		case r == '\r':
			x.b.WriteString("&#xD;")
		case r == '\t' || r == '\n':
			x.b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) || r == utf8.RuneError:
			x.b.WriteRune('\uFFFD')
		default:
			x.b.WriteRune(r)
		}
	}
}
