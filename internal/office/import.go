package office

import (
	"bytes"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is an office file format.
type Format string

// The formats Redline reads and writes.
const (
	FormatDOCX Format = "docx"
	FormatODT  Format = "odt"
	FormatPDF  Format = "pdf"
)

// The kinds of content Import cannot represent, as listed in Ignored.
const (
	IgnoredImage     = "image"      // pictures, drawings, charts, shapes
	IgnoredTextBox   = "text_box"   // text boxes and frames with text
	IgnoredFootnote  = "footnote"   // footnotes (the reference mark and its text)
	IgnoredEndnote   = "endnote"    // endnotes
	IgnoredComment   = "comment"    // reviewers' comments
	IgnoredEquation  = "equation"   // formulas (Office Math, ODF formula objects)
	IgnoredObject    = "object"     // embedded OLE or ODF objects
	IgnoredField     = "field"      // fields: their displayed text is kept, the field itself is not
	IgnoredLink      = "link"       // hyperlinks: their text is kept, the address is not
	IgnoredHeader    = "header"     // page headers with text
	IgnoredFooter    = "footer"     // page footers with text
	IgnoredSymbol    = "symbol"     // characters from symbol fonts (Wingdings, Symbol)
	IgnoredFormField = "form_field" // form controls
)

// Imported is the result of Import: Redline's text of the document and what
// could not be carried into it.
type Imported struct {
	// Format is the format that was read.
	Format Format `json:"format"`
	// Text is the document as Redline text: paragraphs separated by a blank
	// line, ending without a newline.
	Text string `json:"text"`
	// Title is the title in the document's properties, if any.
	Title string `json:"title,omitempty"`
	// Paragraphs counts the paragraphs of Text.
	Paragraphs int `json:"paragraphs"`
	// Ignored lists, by kind, what the text does not carry; empty when the
	// text is the whole document.
	Ignored []Ignored `json:"ignored"`
}

// Ignored is one kind of content that Import could not represent.
type Ignored struct {
	// Kind is one of the Ignored* constants.
	Kind string `json:"kind"`
	// Count is how many there were.
	Count int `json:"count"`
	// Paragraphs are the numbers (from 1) of the paragraphs of Text they
	// stood in, at most 20, in order; a thing standing alone (a picture in a
	// paragraph of its own) gives the number of the paragraph before it, 0
	// at the very start. Empty for headers and footers, which belong to
	// pages rather than paragraphs.
	Paragraphs []int `json:"paragraphs,omitempty"`
}

const maxWhere = 20

// Import reads a .docx or .odt document from r (at most lim.MaxInputBytes,
// read into memory) and returns its text. The format is recognised from the
// content, not a file name. A refusal is an *Error with a Reason.
func Import(r io.Reader, lim Limits) (*Imported, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxInputBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > lim.MaxInputBytes {
		return nil, &Error{Reason: ReasonTooLarge,
			Message:   "the file is larger than the limit",
			MessageRU: "файл больше допустимого размера",
			Details:   map[string]any{"max_bytes": lim.MaxInputBytes}}
	}
	return ImportBytes(data, lim)
}

// ImportBytes is Import of a file already in memory.
func ImportBytes(data []byte, lim Limits) (*Imported, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxInputBytes {
		return nil, &Error{Reason: ReasonTooLarge,
			Message:   "the file is larger than the limit",
			MessageRU: "файл больше допустимого размера",
			Details:   map[string]any{"max_bytes": lim.MaxInputBytes}}
	}
	if bytes.HasPrefix(bytes.TrimLeft(data, "\xef\xbb\xbf \t\r\n"), []byte("<")) {
		return nil, refuse(ReasonUnsupportedFormat,
			"this is an XML or HTML file, not a .docx or .odt document; save it as .docx or .odt",
			"это файл XML или HTML, а не документ .docx или .odt; сохраните его как .docx или .odt", nil)
	}
	a, err := openArchive(data, lim)
	if err != nil {
		return nil, err
	}
	b := newBuilder(lim)
	var im *Imported
	switch {
	case a.has("mimetype") || a.has("content.xml"):
		im, err = readODT(a, b)
	default:
		im, err = readDOCX(a, b)
	}
	if err != nil {
		return nil, err
	}
	if im.Text == "" {
		return nil, &Error{Reason: ReasonEmpty,
			Message:   "the document has no text",
			MessageRU: "в документе нет текста"}
	}
	return im, nil
}

// builder collects the paragraphs of an imported document within the limits,
// and what was ignored where.
type builder struct {
	lim     Limits
	out     strings.Builder
	source  int // paragraphs seen in the source, empty ones included
	emitted int // paragraphs written to out
	pending []string
	ignored map[string]*Ignored
	tracked int
}

func newBuilder(lim Limits) *builder {
	return &builder{lim: lim, ignored: map[string]*Ignored{}}
}

// sourceParagraph counts one paragraph of the source document.
func (b *builder) sourceParagraph() error {
	b.source++
	if b.source > b.lim.MaxParagraphs {
		return &Error{Reason: ReasonTooManyParagraphs,
			Message:   "the document has more paragraphs than the limit",
			MessageRU: "в документе больше абзацев, чем допустимо",
			Details:   map[string]any{"max_paragraphs": b.lim.MaxParagraphs}}
	}
	return nil
}

// reserve counts n more source paragraphs at once (repeated table rows).
func (b *builder) reserve(n int) error {
	if n > b.lim.MaxParagraphs-b.source {
		b.source = b.lim.MaxParagraphs
		return b.sourceParagraph()
	}
	b.source += n - 1
	return b.sourceParagraph()
}

// ignore notes one thing of kind in the paragraph being built.
func (b *builder) ignore(kind string) { b.pending = append(b.pending, kind) }

// ignoreAt notes n things of kind not tied to a paragraph.
func (b *builder) ignoreAt(kind string, n int) {
	if n <= 0 {
		return
	}
	ig := b.ignored[kind]
	if ig == nil {
		ig = &Ignored{Kind: kind}
		b.ignored[kind] = ig
	}
	ig.Count += n
}

// emit ends a paragraph: text is normalised, written when not blank, and the
// things ignored in it are attributed to it.
func (b *builder) emit(text string) error {
	text = normalizeParagraph(text)
	where := b.emitted
	if text != "" {
		if b.out.Len()+len(text)+2 > b.lim.MaxTextBytes {
			return &Error{Reason: ReasonTextTooLarge,
				Message:   "the document's text is larger than the limit",
				MessageRU: "текст документа больше допустимого размера",
				Details:   map[string]any{"max_text_bytes": b.lim.MaxTextBytes}}
		}
		if b.emitted > 0 {
			b.out.WriteString("\n\n")
		}
		b.out.WriteString(text)
		b.emitted++
		where = b.emitted
	}
	for _, k := range b.pending {
		ig := b.ignored[k]
		if ig == nil {
			ig = &Ignored{Kind: k}
			b.ignored[k] = ig
		}
		ig.Count++
		if n := len(ig.Paragraphs); len(ig.Paragraphs) < maxWhere && (n == 0 || ig.Paragraphs[n-1] != where) {
			ig.Paragraphs = append(ig.Paragraphs, where)
		}
	}
	b.pending = b.pending[:0]
	return nil
}

// result finishes the import, refusing pending tracked changes.
func (b *builder) result(f Format, title string) (*Imported, error) {
	if b.tracked > 0 {
		app := "Word"
		if f == FormatODT {
			app = "LibreOffice"
		}
		return nil, &Error{Reason: ReasonPendingTrackedChanges,
			Message:   "the document has pending tracked changes; accept or reject them in " + app + " first",
			MessageRU: "в документе есть непринятые исправления; примите или отклоните их в " + app,
			Details:   map[string]any{"changes": b.tracked}}
	}
	if len(b.pending) > 0 {
		if err := b.emit(""); err != nil {
			return nil, err
		}
	}
	im := &Imported{Format: f, Text: b.out.String(), Title: cleanTitle(title), Paragraphs: b.emitted, Ignored: []Ignored{}}
	for _, ig := range b.ignored {
		im.Ignored = append(im.Ignored, *ig)
	}
	sort.Slice(im.Ignored, func(i, j int) bool { return im.Ignored[i].Kind < im.Ignored[j].Kind })
	return im, nil
}

// normalizeParagraph makes s one paragraph of Redline text: no control
// characters but tab and newline, no blank lines (they would split it), no
// spaces at line ends.
func normalizeParagraph(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\v' || r == '\f':
			return '\n'
		case unicode.IsControl(r), r == '\uFEFF', r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if strings.TrimSpace(strings.TrimFunc(l, unicode.IsSpace)) == "" {
			continue
		}
		if len(out) == 0 {
			l = strings.TrimLeftFunc(l, unicode.IsSpace)
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func cleanTitle(s string) string {
	s = strings.Join(strings.FieldsFunc(normalizeParagraph(s), unicode.IsSpace), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return s
}

// tableRow writes a table row as one paragraph: "| a | b |".
func tableRow(cells []string) string {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		c = normalizeParagraph(c)
		c = strings.ReplaceAll(c, "|", `\|`)
		b.WriteString(" ")
		b.WriteString(c)
		b.WriteString(" |")
	}
	return b.String()
}
