package office

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/signintech/gopdf"

	"redline/internal/textdiff"
)

//go:embed fonts/LiberationSerif-Regular.ttf
var fontRegular []byte

//go:embed fonts/LiberationSerif-Bold.ttf
var fontBold []byte

const (
	fontRegularName = "RLSUBA+LiberationSerif"
	fontBoldName    = "RLSUBB+LiberationSerif-Bold"
)

// Page geometry, in points, A4 with the margins of Russian official
// documents (GOST R 7.0.97: left 30 mm, right 15 mm, top and bottom 20 mm).
const (
	pageW, pageH  = 595.28, 841.89
	marginLeft    = 85.0
	marginRight   = 42.5
	marginTop     = 56.7
	marginBottom  = 56.7
	textSize      = 12.0
	lineGap       = 1.35 // line height as a multiple of the font size
	paraGap       = 6.0  // extra space after a paragraph
	footerSize    = 8.0
	maxPDFPages   = 20000
	markParagraph = "¶"
)

// WritePDF writes text as a PDF: on the first page the title and what
// identifies the text (stage, date, revision, SHA-256, public address), then
// the text, with page numbers. Black on white only, fonts embedded.
func WritePDF(w io.Writer, text string, m Meta) error {
	p, err := newPDF(m)
	if err != nil {
		return err
	}
	paras := layoutText(text)
	facts := p.facts(m)
	return p.render(w, footerText(m), func() error {
		p.titleBlock(m.Title, facts)
		return p.paragraphs(paras)
	})
}

// WriteRedlinePDF writes a redline as a PDF in the house's print style:
// inserted text underlined, deleted text struck through, a changed paragraph
// or line break shown as ¶ (underlined when added, struck when removed).
func WriteRedlinePDF(w io.Writer, r *textdiff.Result, m RedlineMeta) error {
	p, err := newPDF(m.Meta)
	if err != nil {
		return err
	}
	ru := m.lang() == "ru-RU"
	var facts [][2]string
	if ru {
		facts = append(facts, [2]string{"Поправки", fmt.Sprintf("редакция %d → редакция %d", m.From, m.Revision)})
	} else {
		facts = append(facts, [2]string{"Changes", fmt.Sprintf("revision %d → revision %d", m.From, m.Revision)})
	}
	facts = append(facts, p.facts(m.Meta)...)
	if ru {
		facts = append(facts, [2]string{"Обозначения", "подчёркнуто — добавлено, зачёркнуто — удалено, ¶ — граница абзаца"})
	} else {
		facts = append(facts, [2]string{"Legend", "underlined: added, struck through: removed, ¶: paragraph break"})
	}
	paras := layoutRedline(r, !m.NoMoves)
	foot := footerText(m.Meta)
	if m.From > 0 {
		foot = strings.Replace(foot, "r"+strconv.Itoa(m.Revision), "r"+strconv.Itoa(m.From)+"→r"+strconv.Itoa(m.Revision), 1)
	}
	return p.render(w, foot, func() error {
		p.titleBlock(m.Title, facts)
		return p.paragraphs(paras)
	})
}

// pdfDoc lays a document out twice: a dry run that only counts pages, so
// that every footer can say "page N of M", then the real one.
type pdfDoc struct {
	pdf    *gopdf.GoPdf
	y      float64
	widths map[rune]float64 // glyph advance at textSize, regular
	glyphs map[rune]bool    // whether the embedded fonts draw a character
	ru     bool
	dry    bool
	pages  int
	total  int
	foot   string
}

func newPDF(m Meta) (*pdfDoc, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitPT})
	// The family names become the fonts' BaseFont names; the six-letter
	// tag tells readers that the embedded fonts are subsets (PDF 32000,
	// 9.6.4).
	if err := pdf.AddTTFFontData(fontRegularName, fontRegular); err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	if err := pdf.AddTTFFontData(fontBoldName, fontBold); err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	pdf.SetInfo(gopdf.PdfInfo{Title: m.Title, Author: m.Author, Subject: describe(m), Creator: "Redline", Producer: "Redline (gopdf)", CreationDate: m.Date})
	pdf.SetCompressLevel(6)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetStrokeColor(0, 0, 0)
	return &pdfDoc{pdf: pdf, widths: map[rune]float64{}, glyphs: map[rune]bool{}, ru: m.lang() == "ru-RU"}, nil
}

// missingGlyph stands for a character the embedded fonts cannot draw
// (Chinese, Arabic, emoji…): a visible mark, never a silent gap.
const missingGlyph = '□'

// drawable replaces the characters the embedded fonts lack with
// missingGlyph (Liberation Serif covers Latin, Cyrillic, Greek and common
// symbols).
func (p *pdfDoc) drawable(s string) string {
	ok := true
	for _, r := range s {
		if !p.hasGlyph(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if p.hasGlyph(r) {
			return r
		}
		if p.hasGlyph(missingGlyph) {
			return missingGlyph
		}
		return '?'
	}, s)
}

func (p *pdfDoc) hasGlyph(r rune) bool {
	if r == ' ' || r == '\n' || r == '\t' {
		return true
	}
	has, ok := p.glyphs[r]
	if !ok {
		has, _ = p.pdf.IsCurrFontContainGlyph(r)
		p.glyphs[r] = has
	}
	return has
}

// render runs draw dry to count the pages, then for real, and writes the PDF.
func (p *pdfDoc) render(w io.Writer, foot string, draw func() error) error {
	p.dry, p.foot = true, foot
	if err := p.newPage(); err != nil {
		return err
	}
	if err := draw(); err != nil {
		return err
	}
	p.total, p.pages, p.dry = p.pages, 0, false
	if err := p.newPage(); err != nil {
		return err
	}
	if err := draw(); err != nil {
		return err
	}
	ew := &errWriter{w: w}
	if _, err := p.pdf.WriteTo(ew); err != nil {
		return err
	}
	return ew.err
}

// newPage starts a page and writes its footer.
func (p *pdfDoc) newPage() error {
	if p.pages >= maxPDFPages {
		return &Error{Reason: ReasonOutputTooLarge, Message: "the PDF would have too many pages", MessageRU: "в PDF было бы слишком много страниц"}
	}
	p.pages++
	p.y = marginTop
	if p.dry {
		return nil
	}
	p.pdf.AddPage()
	p.setFont(false, footerSize)
	y := pageH - marginBottom/2
	if p.foot != "" {
		p.text(marginLeft, y, p.foot)
	}
	num := strconv.Itoa(p.pages) + " / " + strconv.Itoa(p.total)
	nw, _ := p.pdf.MeasureTextWidth(num)
	p.text(pageW-marginRight-nw, y, num)
	p.setFont(false, textSize)
	return nil
}

// text draws s with its baseline at y, unless this is the dry run.
func (p *pdfDoc) text(x, y float64, s string) {
	if p.dry {
		return
	}
	p.pdf.SetXY(x, y)
	// Text fails only for a font that was never added.
	_ = p.pdf.Text(s)
}

func (p *pdfDoc) line(x1, y1, x2, y2, width float64) {
	if p.dry {
		return
	}
	p.pdf.SetLineWidth(width)
	p.pdf.Line(x1, y1, x2, y2)
}

// facts are the lines identifying a text on the first page.
func (p *pdfDoc) facts(m Meta) [][2]string {
	var f [][2]string
	add := func(ru, en, v string) {
		if v == "" {
			return
		}
		if p.ru {
			f = append(f, [2]string{ru, v})
		} else {
			f = append(f, [2]string{en, v})
		}
	}
	stage := m.Stage
	switch m.Stage {
	case "basis":
		stage = map[bool]string{true: "принят за основу", false: "adopted as a basis"}[p.ru]
	case "final":
		stage = map[bool]string{true: "принят в целом", false: "adopted as a whole"}[p.ru]
	}
	add("Стадия", "Stage", stage)
	if !m.Date.IsZero() {
		add("Дата", "Date", m.Date.UTC().Format("02.01.2006 15:04 UTC"))
	}
	if m.Revision > 0 {
		add("Редакция", "Revision", strconv.Itoa(m.Revision))
	}
	add("Автор", "Author", m.Author)
	add("SHA-256", "SHA-256", m.SHA256)
	add("Адрес", "Address", m.URL)
	return f
}

func footerText(m Meta) string {
	var parts []string
	if m.Slug != "" {
		parts = append(parts, m.Slug)
	}
	if m.Revision > 0 {
		parts = append(parts, "r"+strconv.Itoa(m.Revision))
	}
	if len(m.SHA256) >= 12 {
		parts = append(parts, m.SHA256[:12])
	}
	return strings.Join(parts, " · ")
}

func (p *pdfDoc) setFont(bold bool, size float64) {
	name := fontRegularName
	if bold {
		name = fontBoldName
	}
	// Both fonts were added in newPDF; SetFont cannot fail for them.
	_ = p.pdf.SetFont(name, "", size)
}

// titleBlock writes the title in bold and the facts under it, then a rule.
func (p *pdfDoc) titleBlock(title string, facts [][2]string) {
	width := pageW - marginLeft - marginRight
	p.setFont(false, textSize)
	title = p.drawable(title)
	if title != "" {
		p.setFont(true, 15)
		for _, line := range p.wrapPlain(title, width, 15) {
			p.y += 15
			p.text(marginLeft, p.y, line)
			p.y += 15 * (lineGap - 1)
		}
		p.y += 8
	}
	for _, f := range facts {
		f[1] = p.drawable(f[1])
		p.setFont(true, 9.5)
		label := f[0] + ": "
		lw, _ := p.pdf.MeasureTextWidth(label)
		p.setFont(false, 9.5)
		for i, line := range p.wrapPlain(f[1], width-lw, 9.5) {
			p.y += 9.5
			if i == 0 {
				p.setFont(true, 9.5)
				p.text(marginLeft, p.y, label)
				p.setFont(false, 9.5)
			}
			p.text(marginLeft+lw, p.y, line)
			p.y += 9.5 * (lineGap - 1)
		}
	}
	p.y += 6
	p.line(marginLeft, p.y, pageW-marginRight, p.y, 0.6)
	p.y += 12
	p.setFont(false, textSize)
}

// wrapPlain breaks s into lines of at most width at the current font,
// breaking inside a word only when it is wider than a line (an address).
func (p *pdfDoc) wrapPlain(s string, width, size float64) []string {
	var lines []string
	var cur []rune
	curW := 0.0
	for _, word := range strings.Fields(s) {
		ww, _ := p.pdf.MeasureTextWidth(word)
		sp, _ := p.pdf.MeasureTextWidth(" ")
		if len(cur) > 0 && curW+sp+ww <= width {
			cur = append(cur, ' ')
			cur = append(cur, []rune(word)...)
			curW += sp + ww
			continue
		}
		if len(cur) > 0 {
			lines = append(lines, string(cur))
			cur, curW = nil, 0
		}
		for _, r := range word {
			rw, _ := p.pdf.MeasureTextWidth(string(r))
			if curW+rw > width && len(cur) > 0 {
				lines = append(lines, string(cur))
				cur, curW = nil, 0
			}
			cur = append(cur, r)
			curW += rw
		}
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	_ = size
	return lines
}

// width is the advance of s at textSize in the regular font.
func (p *pdfDoc) width(s string) float64 {
	w := 0.0
	for _, r := range s {
		rw, ok := p.widths[r]
		if !ok {
			rw, _ = p.pdf.MeasureTextWidth(string(r))
			p.widths[r] = rw
		}
		w += rw
	}
	return w
}

// token is a word, a run of spaces, a tab or a marker, with its operation.
type token struct {
	text  string
	op    op
	space bool
	brk   bool // a line break follows (after the token)
	w     float64
}

// paragraphs lays out and draws the paragraphs.
func (p *pdfDoc) paragraphs(paras []lpara) error {
	p.setFont(false, textSize)
	width := pageW - marginLeft - marginRight
	for _, para := range paras {
		var toks []token
		for _, pc := range para.pieces {
			switch pc.kind {
			case kText:
				toks = appendWords(toks, p.drawable(pc.text), pc.op)
			case kTab:
				toks = append(toks, token{text: "    ", op: pc.op, space: true})
			case kBreak:
				if pc.op == opEqual {
					toks = append(toks, token{brk: true})
				} else {
					toks = append(toks, token{text: markParagraph, op: pc.op, brk: !pc.op.isOld()})
				}
			}
		}
		if para.mark != opEqual {
			toks = append(toks, token{text: markParagraph, op: para.mark, brk: false})
		}
		for i := range toks {
			toks[i].w = p.width(toks[i].text)
		}
		if err := p.drawParagraph(toks, width); err != nil {
			return err
		}
		// A removed paragraph mark joins this paragraph with the next: no
		// gap, as in the new text; the ¶ shows where the break was.
		if para.mark.isOld() {
			continue
		}
		p.y += paraGap
	}
	return nil
}

// appendWords splits s into words and runs of spaces.
func appendWords(toks []token, s string, o op) []token {
	start := 0
	inSpace := false
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if i > start && sp != inSpace {
			toks = append(toks, token{text: s[start:i], op: o, space: inSpace})
			start = i
		}
		inSpace = sp
	}
	if start < len(s) {
		toks = append(toks, token{text: s[start:], op: o, space: inSpace})
	}
	return toks
}

// drawParagraph fills lines greedily, breaking at spaces.
func (p *pdfDoc) drawParagraph(toks []token, width float64) error {
	lineH := textSize * lineGap
	var line []token
	lineW := 0.0
	flush := func() error {
		// Spaces at the end of a line are not drawn.
		for len(line) > 0 && line[len(line)-1].space && line[len(line)-1].op == opEqual {
			line = line[:len(line)-1]
		}
		if p.y+lineH > pageH-marginBottom {
			if err := p.newPage(); err != nil {
				return err
			}
		}
		base := p.y + textSize
		x := marginLeft
		for i := 0; i < len(line); {
			j := i
			var b strings.Builder
			w := 0.0
			for j < len(line) && line[j].op == line[i].op {
				b.WriteString(line[j].text)
				w += line[j].w
				j++
			}
			if s := b.String(); s != "" {
				p.text(x, base, s)
				switch o := line[i].op; {
				case o.isNew():
					p.line(x, base+1.8, x+w, base+1.8, 0.7)
				case o.isOld():
					p.line(x, base-textSize*0.3, x+w, base-textSize*0.3, 0.7)
				}
			}
			x += w
			i = j
		}
		p.y += lineH
		line, lineW = line[:0], 0
		return nil
	}
	for _, t := range toks {
		if t.text == "" && t.brk {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		if len(line) == 0 && t.space && t.op == opEqual {
			continue // no space at the start of a wrapped line
		}
		if lineW+t.w > width && len(line) > 0 && !t.space {
			if err := flush(); err != nil {
				return err
			}
		}
		if t.w > width && !t.space {
			// A word wider than the line (an address): cut it by characters.
			for _, r := range t.text {
				rw := p.width(string(r))
				if lineW+rw > width && len(line) > 0 {
					if err := flush(); err != nil {
						return err
					}
				}
				line = append(line, token{text: string(r), op: t.op, w: rw})
				lineW += rw
			}
		} else {
			line = append(line, t)
			lineW += t.w
		}
		if t.brk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(line) > 0 {
		return flush()
	}
	return nil
}

// errWriter keeps the first write error, which gopdf does not return.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}
