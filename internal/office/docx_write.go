package office

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"redline/internal/textdiff"
)

// Meta describes the text being exported; every field is optional.
type Meta struct {
	// Title is the document's title (document properties; the PDF's first
	// page).
	Title string
	// Slug is the document's slug.
	Slug string
	// Revision is the revision number, 0 when unknown.
	Revision int
	// SHA256 is the hex SHA-256 of the text.
	SHA256 string
	// Author is who wrote the revision (document properties).
	Author string
	// Date is when the revision was made; the zero time is written as
	// none. It is also the files' time stamp inside the archive, so that
	// the same revision always gives the same bytes.
	Date time.Time
	// Language is the text's language tag ("ru", "en"); default "ru".
	Language string
	// Stage is the adoption stage ("basis" or "final") of an adopted text,
	// for the PDF's first page.
	Stage string
	// URL is the public address of the text, for the PDF's first page.
	URL string
}

// RedlineMeta describes a redline being exported. Meta describes the
// document and the later revision; its Author and Date mark every tracked
// change.
type RedlineMeta struct {
	Meta
	// From is the earlier revision's number.
	From int
	// NoMoves writes moved paragraphs as deletions and insertions instead
	// of Word moves.
	NoMoves bool
}

func (m Meta) lang() string {
	switch {
	case m.Language == "":
		return "ru-RU"
	case strings.EqualFold(m.Language, "ru"):
		return "ru-RU"
	case strings.EqualFold(m.Language, "en"):
		return "en-US"
	}
	return m.Language
}

// zipTime is the time stamp of archive entries: the revision's date, or the
// ZIP epoch when there is none, never the time of export.
func (m Meta) zipTime() time.Time {
	if m.Date.IsZero() || m.Date.Year() < 1980 {
		return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return m.Date.UTC()
}

// WriteDOCX writes text as a Word document.
func WriteDOCX(w io.Writer, text string, m Meta) error {
	return writeDOCX(w, layoutText(text), m, describe(m), nil)
}

// WriteRedlineDOCX writes a redline as a Word document with tracked changes
// by the later revision's author at its date: Word's "accept all" gives the
// later text, "reject all" the earlier one.
func WriteRedlineDOCX(w io.Writer, r *textdiff.Result, m RedlineMeta) error {
	author := m.Author
	if author == "" {
		author = "Redline"
	}
	desc := describe(m.Meta)
	if m.From > 0 {
		desc = "r" + strconv.Itoa(m.From) + " → " + desc
	}
	return writeDOCX(w, layoutRedline(r, !m.NoMoves), m.Meta, desc, &trackInfo{author: author, date: m.Date})
}

type trackInfo struct {
	author string
	date   time.Time
}

// zipPart writes one deterministic archive entry.
func zipPart(z *zip.Writer, name string, t time.Time, method uint16, body func(w *bufio.Writer) error) error {
	fw, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: t})
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	bw := bufio.NewWriterSize(fw, 32<<10)
	if err := body(bw); err != nil {
		return err
	}
	return bw.Flush()
}

func str(s string) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error { _, err := w.WriteString(s); return err }
}

// esc writes s escaped for XML text or attribute values; characters XML
// cannot hold become U+FFFD.
func esc(w *bufio.Writer, s string) {
	_ = xml.EscapeText(w, []byte(s))
}

func escString(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

func writeDOCX(w io.Writer, paras []lpara, m Meta, desc string, track *trackInfo) error {
	return writeDOCXBody(w, m, desc, func(b *bufio.Writer) error { return writeDocumentXML(b, paras, track) })
}

// writeDOCXBody writes a Word document whose word/document.xml body writes.
func writeDOCXBody(w io.Writer, m Meta, desc string, body func(*bufio.Writer) error) error {
	z := zip.NewWriter(w)
	t := m.zipTime()
	parts := []struct {
		name string
		body func(*bufio.Writer) error
	}{
		{"[Content_Types].xml", str(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
			`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
			`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
			`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
			`</Types>`)},
		{"_rels/.rels", str(xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
			`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
			`</Relationships>`)},
		{"docProps/core.xml", func(b *bufio.Writer) error { return writeCore(b, m, desc) }},
		{"docProps/app.xml", str(xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Redline</Application></Properties>`)},
		{"word/_rels/document.xml.rels", str(xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
			`</Relationships>`)},
		{"word/settings.xml", str(xmlHeader + `<w:settings xmlns:w="` + nsW + `"><w:defaultTabStop w:val="708"/>` +
			`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`)},
		{"word/styles.xml", str(docxStyles(m.lang()))},
		{"word/document.xml", body},
	}
	for _, p := range parts {
		if err := zipPart(z, p.name, t, zip.Deflate, p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

func writeCore(b *bufio.Writer, m Meta, desc string) error {
	b.WriteString(xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	if m.Title != "" {
		b.WriteString("<dc:title>")
		esc(b, m.Title)
		b.WriteString("</dc:title>")
	}
	if m.Author != "" {
		b.WriteString("<dc:creator>")
		esc(b, m.Author)
		b.WriteString("</dc:creator>")
	}
	if desc != "" {
		b.WriteString("<dc:description>")
		esc(b, desc)
		b.WriteString("</dc:description>")
	}
	if m.SHA256 != "" {
		b.WriteString("<dc:identifier>sha256:")
		esc(b, m.SHA256)
		b.WriteString("</dc:identifier>")
	}
	b.WriteString("<dc:language>" + escString(m.lang()) + "</dc:language>")
	if m.Revision > 0 {
		b.WriteString("<cp:revision>" + strconv.Itoa(m.Revision) + "</cp:revision>")
	}
	if !m.Date.IsZero() {
		d := m.Date.UTC().Format(time.RFC3339)
		b.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + d + `</dcterms:created>`)
		b.WriteString(`<dcterms:modified xsi:type="dcterms:W3CDTF">` + d + `</dcterms:modified>`)
	}
	_, err := b.WriteString("</cp:coreProperties>")
	return err
}

// describe is the one-line description written into document properties.
func describe(m Meta) string {
	var parts []string
	if m.Slug != "" {
		parts = append(parts, m.Slug)
	}
	if m.Revision > 0 {
		parts = append(parts, "r"+strconv.Itoa(m.Revision))
	}
	if m.SHA256 != "" {
		parts = append(parts, "sha256 "+m.SHA256)
	}
	if m.URL != "" {
		parts = append(parts, m.URL)
	}
	return strings.Join(parts, ", ")
}

func docxStyles(lang string) string {
	return xmlHeader + `<w:styles xmlns:w="` + nsW + `">` +
		`<w:docDefaults><w:rPrDefault><w:rPr>` +
		`<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>` +
		`<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="` + escString(lang) + `" w:eastAsia="` + escString(lang) + `" w:bidi="ar-SA"/>` +
		`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
		`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>` +
		`</w:styles>`
}

// docxDoc writes document.xml.
type docxDoc struct {
	b     *bufio.Writer
	track *trackInfo
	id    int
	date  string
	// open move ranges by move id, to close them after their last piece.
	lastFrom, lastTo map[int]int // move id → index of the paragraph holding its last piece or mark
	rangeIDs         []moveRange
}

func writeDocumentXML(b *bufio.Writer, paras []lpara, track *trackInfo) error {
	d := &docxDoc{b: b, track: track}
	if track != nil && !track.date.IsZero() {
		d.date = track.date.UTC().Format(time.RFC3339)
	}
	d.lastFrom, d.lastTo = map[int]int{}, map[int]int{}
	for i, p := range paras {
		for _, pc := range p.pieces {
			d.noteMove(pc.op, pc.move, i)
		}
		d.noteMove(p.mark, p.move, i)
	}
	b.WriteString(xmlHeader + `<w:document xmlns:w="` + nsW + `"><w:body>`)
	opened := map[int]bool{}
	for i, p := range paras {
		b.WriteString("<w:p>")
		if p.mark != opEqual {
			b.WriteString("<w:pPr><w:rPr>")
			d.changeTag(p.mark, true)
			b.WriteString("</w:rPr></w:pPr>")
		}
		cur := opEqual
		curMove := 0
		for _, pc := range p.pieces {
			if pc.op != cur || pc.move != curMove {
				d.closeWrap(cur)
				d.openMoveRange(pc.op, pc.move, opened)
				d.openWrap(pc.op)
				cur, curMove = pc.op, pc.move
			}
			d.run(pc)
		}
		d.closeWrap(cur)
		if p.mark == opMoveFrom || p.mark == opMoveTo {
			d.openMoveRange(p.mark, p.move, opened)
		}
		d.closeMoveRanges(i)
		b.WriteString("</w:p>")
	}
	b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>`)
	_, err := b.WriteString("</w:body></w:document>")
	return err
}

func (d *docxDoc) noteMove(o op, move, i int) {
	switch o {
	case opMoveFrom:
		d.lastFrom[move] = i
	case opMoveTo:
		d.lastTo[move] = i
	}
}

func (d *docxDoc) attrs() string {
	d.id++
	s := ` w:id="` + strconv.Itoa(d.id) + `" w:author="` + escString(d.track.author) + `"`
	if d.date != "" {
		s += ` w:date="` + d.date + `"`
	}
	return s
}

var changeNames = map[op]string{opInsert: "ins", opDelete: "del", opMoveFrom: "moveFrom", opMoveTo: "moveTo"}

// changeTag writes the empty element marking a paragraph mark as changed.
func (d *docxDoc) changeTag(o op, empty bool) {
	d.b.WriteString("<w:" + changeNames[o] + d.attrs())
	if empty {
		d.b.WriteString("/>")
	} else {
		d.b.WriteString(">")
	}
}

func (d *docxDoc) openWrap(o op) {
	if o != opEqual {
		d.changeTag(o, false)
	}
}

func (d *docxDoc) closeWrap(o op) {
	if o != opEqual {
		d.b.WriteString("</w:" + changeNames[o] + ">")
	}
}

// openMoveRange starts a move's range at its first piece: Word pairs the
// two halves of a move by the range's name.
func (d *docxDoc) openMoveRange(o op, move int, opened map[int]bool) {
	if o != opMoveFrom && o != opMoveTo {
		return
	}
	key := move
	if o == opMoveTo {
		key = -move
	}
	if opened[key] {
		return
	}
	opened[key] = true
	tag := "moveFromRangeStart"
	if o == opMoveTo {
		tag = "moveToRangeStart"
	}
	d.id++
	s := `<w:` + tag + ` w:id="` + strconv.Itoa(d.id) + `" w:name="move` + strconv.Itoa(move) + `" w:author="` + escString(d.track.author) + `"`
	if d.date != "" {
		s += ` w:date="` + d.date + `"`
	}
	d.b.WriteString(s + "/>")
	d.rangeIDs = append(d.rangeIDs, moveRange{key: key, id: d.id})
}

type moveRange struct{ key, id int }

func (d *docxDoc) closeMoveRanges(i int) {
	kept := d.rangeIDs[:0]
	for _, r := range d.rangeIDs {
		last := d.lastFrom[r.key]
		tag := "moveFromRangeEnd"
		if r.key < 0 {
			last = d.lastTo[-r.key]
			tag = "moveToRangeEnd"
		}
		if last == i {
			d.b.WriteString(`<w:` + tag + ` w:id="` + strconv.Itoa(r.id) + `"/>`)
			continue
		}
		kept = append(kept, r)
	}
	d.rangeIDs = kept
}

func (d *docxDoc) run(pc piece) {
	b := d.b
	b.WriteString("<w:r>")
	switch pc.kind {
	case kText:
		// Moved-away text stays w:t: w:delText belongs to w:del only.
		if pc.op == opDelete {
			b.WriteString(`<w:delText xml:space="preserve">`)
			esc(b, pc.text)
			b.WriteString("</w:delText>")
		} else {
			b.WriteString(`<w:t xml:space="preserve">`)
			esc(b, pc.text)
			b.WriteString("</w:t>")
		}
	case kTab:
		b.WriteString("<w:tab/>")
	case kBreak:
		b.WriteString("<w:br/>")
	}
	b.WriteString("</w:r>")
}
