package office

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// WordprocessingML namespaces, transitional and strict (ISO/IEC 29500).
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsR       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRStrict = "http://purl.oclc.org/ooxml/officeDocument/relationships"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
	nsMath    = "http://schemas.openxmlformats.org/officeDocument/2006/math"
	nsRels    = "http://schemas.openxmlformats.org/package/2006/relationships"
)

func isW(n xml.Name) bool  { return n.Space == nsW || n.Space == nsWStrict }
func isWA(a xml.Attr) bool { return a.Name.Space == nsW || a.Name.Space == nsWStrict }

// wattr returns the w:-namespaced attribute local of e.
func wattr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && isWA(a) {
			return a.Value, true
		}
	}
	return "", false
}

// wval returns e's w:val.
func wval(e xml.StartElement) string { v, _ := wattr(e, "val"); return v }

// onOff reads a w:ST_OnOff element: present without w:val means on.
func onOff(e xml.StartElement) bool {
	v, ok := wattr(e, "val")
	return !ok || v == "1" || v == "true" || v == "on"
}

type rel struct{ typ, target string }

// readRels reads a relationships part; a missing part is no relationships.
func readRels(a *archive, name string) (map[string]rel, error) {
	out := map[string]rel{}
	if !a.has(name) {
		return out, nil
	}
	rc, err := a.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	x := newXMLReader(rc, name, a.lim)
	for {
		tok, err := x.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if e, ok := tok.(xml.StartElement); ok && e.Name.Local == "Relationship" {
			id, _ := attr(e, "", "Id")
			typ, _ := attr(e, "", "Type")
			target, _ := attr(e, "", "Target")
			if mode, _ := attr(e, "", "TargetMode"); mode == "External" {
				continue
			}
			if len(out) < 10000 {
				out[id] = rel{typ: typ, target: target}
			}
		}
	}
}

func relType(typ, suffix string) bool { return strings.HasSuffix(typ, "/"+suffix) }

// docxReader reads one WordprocessingML document.
type docxReader struct {
	a      *archive
	b      *builder
	styles map[string]*wstyle
	num    *wnumbering
}

func readDOCX(a *archive, b *builder) (*Imported, error) {
	root, err := readRels(a, "_rels/.rels")
	if err != nil {
		return nil, err
	}
	main, core := "", ""
	for _, r := range root {
		switch {
		case relType(r.typ, "officeDocument"):
			main = resolve("", r.target)
		case relType(r.typ, "core-properties") || relType(r.typ, "metadata/core-properties"):
			core = resolve("", r.target)
		}
	}
	if main == "" && a.has("word/document.xml") {
		main = "word/document.xml"
	}
	if main == "" || !a.has(main) {
		if a.has("EncryptionInfo") || a.has("EncryptedPackage") {
			return nil, refuse(ReasonUnsupportedFormat, "this file is password-protected; save it without a password",
				"файл защищён паролем; сохраните его без пароля", nil)
		}
		return nil, notADocument(nil)
	}
	rels, err := readRels(a, relsOf(main))
	if err != nil {
		return nil, err
	}
	d := &docxReader{a: a, b: b, styles: map[string]*wstyle{}, num: newWNumbering()}
	var headers, footers []string
	for _, r := range rels {
		p := resolve(main, r.target)
		if p == "" || !a.has(p) {
			continue
		}
		switch {
		case relType(r.typ, "styles"):
			if err := d.readStyles(p); err != nil {
				return nil, err
			}
		case relType(r.typ, "header"):
			headers = append(headers, p)
		case relType(r.typ, "footer"):
			footers = append(footers, p)
		}
	}
	// Numbering refers to styles (numStyleLink), so it is read after them.
	for _, r := range rels {
		if p := resolve(main, r.target); relType(r.typ, "numbering") && p != "" && a.has(p) {
			if err := d.readNumbering(p); err != nil {
				return nil, err
			}
		}
	}
	if err := d.readBody(main); err != nil {
		return nil, err
	}
	for kind, parts := range map[string][]string{IgnoredHeader: headers, IgnoredFooter: footers} {
		n := 0
		for _, p := range parts {
			has, err := d.partHasText(p)
			if err != nil {
				return nil, err
			}
			if has {
				n++
			}
		}
		b.ignoreAt(kind, n)
	}
	title := ""
	if core != "" && a.has(core) {
		title, _ = readCoreTitle(a, core)
	}
	return b.result(FormatDOCX, title)
}

// relsOf names the relationships part of part.
func relsOf(part string) string {
	i := strings.LastIndex(part, "/")
	return part[:i+1] + "_rels/" + part[i+1:] + ".rels"
}

// readCoreTitle reads dc:title from the core properties.
func readCoreTitle(a *archive, name string) (string, error) {
	rc, err := a.open(name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	x := newXMLReader(rc, name, a.lim)
	for {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		if e, ok := tok.(xml.StartElement); ok && e.Name.Local == "title" {
			return x.text()
		}
	}
}

// partHasText reports whether a header or footer part shows any text.
func (d *docxReader) partHasText(name string) (bool, error) {
	rc, err := d.a.open(name)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	x := newXMLReader(rc, name, d.a.lim)
	inT := false
	for {
		tok, err := x.next()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inT = isW(t.Name) && t.Name.Local == "t"
		case xml.EndElement:
			inT = false
		case xml.CharData:
			if inT && strings.TrimSpace(string(t)) != "" {
				return true, nil
			}
		}
	}
}

// wpara is what a paragraph's properties say about its numbering.
type wpara struct {
	style  string
	numID  string
	ilvl   int
	hasNum bool
	hasLvl bool
}

// readBody walks word/document.xml.
func (d *docxReader) readBody(name string) error {
	rc, err := d.a.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	x := newXMLReader(rc, name, d.a.lim)
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if e, ok := tok.(xml.StartElement); ok && isW(e.Name) && e.Name.Local == "body" {
			return d.blocks(x, func(text string) error { return d.b.emit(text) })
		}
	}
}

// blocks reads block-level content (paragraphs, tables, content controls) up
// to the end of the enclosing element, passing each finished paragraph or
// table row to emit.
func (d *docxReader) blocks(x *xmlReader, emit func(string) error) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := d.block(x, t, emit); err != nil {
				return err
			}
		}
	}
}

func (d *docxReader) block(x *xmlReader, e xml.StartElement, emit func(string) error) error {
	if isW(e.Name) {
		switch e.Name.Local {
		case "p":
			text, err := d.paragraph(x)
			if err != nil {
				return err
			}
			return emit(text)
		case "tbl":
			return d.table(x, emit)
		case "sdt", "sdtContent", "customXml", "smartTag":
			return d.blocks(x, emit)
		case "ins", "del", "moveFrom", "moveTo":
			d.b.tracked++
			return x.skip()
		case "altChunk", "subDoc":
			// Content kept in another part (imported HTML or RTF, a
			// master document's subdocument).
			d.b.ignore(IgnoredObject)
			if err := x.skip(); err != nil {
				return err
			}
			return emit("")
		}
		return x.skip()
	}
	if e.Name.Space == nsMC && e.Name.Local == "AlternateContent" {
		return d.alternate(x, func(c xml.StartElement) error { return d.block(x, c, emit) })
	}
	if e.Name.Space == nsMath {
		d.b.ignore(IgnoredEquation)
		if err := x.skip(); err != nil {
			return err
		}
		return emit("")
	}
	return x.skip()
}

// alternate reads mc:AlternateContent: the first mc:Choice's children, never
// the fallback (it repeats the same content in older markup).
func (d *docxReader) alternate(x *xmlReader, child func(xml.StartElement) error) error {
	done := false
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Local != "Choice" || done {
				if err := x.skip(); err != nil {
					return err
				}
				continue
			}
			done = true
			for {
				tok, err := x.next()
				if err != nil {
					return err
				}
				if _, ok := tok.(xml.EndElement); ok {
					break
				}
				if c, ok := tok.(xml.StartElement); ok {
					if err := child(c); err != nil {
						return err
					}
				}
			}
		}
	}
}

// table reads a w:tbl, emitting one paragraph per row.
func (d *docxReader) table(x *xmlReader, emit func(string) error) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if !isW(t.Name) {
				if err := x.skip(); err != nil {
					return err
				}
				continue
			}
			switch t.Name.Local {
			case "tr":
				if err := d.row(x, emit); err != nil {
					return err
				}
			case "sdt", "sdtContent", "customXml":
				if err := d.table(x, emit); err != nil {
					return err
				}
			default:
				if err := x.skip(); err != nil {
					return err
				}
			}
		}
	}
}

func (d *docxReader) row(x *xmlReader, emit func(string) error) error {
	var cells []string
	any := false
	var cellsOf func() error
	cellsOf = func() error {
		for {
			tok, err := x.next()
			if err != nil {
				return err
			}
			switch t := tok.(type) {
			case xml.EndElement:
				return nil
			case xml.StartElement:
				switch {
				case isW(t.Name) && t.Name.Local == "tc":
					var parts []string
					if err := d.blocks(x, func(s string) error {
						if s = normalizeParagraph(s); s != "" {
							parts = append(parts, s)
						}
						return nil
					}); err != nil {
						return err
					}
					c := strings.Join(parts, "\n")
					any = any || c != ""
					cells = append(cells, c)
				case isW(t.Name) && (t.Name.Local == "sdt" || t.Name.Local == "sdtContent" || t.Name.Local == "customXml"):
					if err := cellsOf(); err != nil {
						return err
					}
				case isW(t.Name) && t.Name.Local == "trPr":
					if err := d.trackedIn(x); err != nil {
						return err
					}
				default:
					if err := x.skip(); err != nil {
						return err
					}
				}
			}
		}
	}
	if err := cellsOf(); err != nil {
		return err
	}
	if !any {
		return emit("")
	}
	return emit(tableRow(cells))
}

// trackedIn reads a properties element, counting tracked insertions and
// deletions marked inside it (of a paragraph mark or a table row).
func (d *docxReader) trackedIn(x *xmlReader) error {
	depth := 1
	for depth > 0 {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if isW(t.Name) {
				switch t.Name.Local {
				case "ins", "del", "moveFrom", "moveTo", "cellIns", "cellDel", "cellMerge":
					d.b.tracked++
				case "rPrChange", "pPrChange", "trPrChange", "tcPrChange", "tblPrChange", "sectPrChange", "numberingChange":
					// Formatting changes leave the text as it is.
					if err := x.skip(); err != nil {
						return err
					}
					depth--
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// paragraph reads a w:p and returns its text with its numbering label.
func (d *docxReader) paragraph(x *xmlReader) (string, error) {
	if err := d.b.sourceParagraph(); err != nil {
		return "", err
	}
	var p wpara
	var text strings.Builder
	r := &runState{d: d, out: &text}
	for {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			label, bullet := d.num.label(d.resolveNum(p))
			s := text.String()
			if label != "" && !(bullet && strings.TrimSpace(s) == "") {
				s = label + s
			}
			return s, nil
		case xml.StartElement:
			if isW(t.Name) && t.Name.Local == "pPr" {
				if err := d.paragraphProps(x, &p); err != nil {
					return "", err
				}
				continue
			}
			if err := r.inline(x, t); err != nil {
				return "", err
			}
		}
	}
}

// paragraphProps reads a w:pPr.
func (d *docxReader) paragraphProps(x *xmlReader, p *wpara) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if !isW(t.Name) {
				if err := x.skip(); err != nil {
					return err
				}
				continue
			}
			switch t.Name.Local {
			case "pStyle":
				p.style = wval(t)
				if err := x.skip(); err != nil {
					return err
				}
			case "numPr":
				if err := readNumPr(x, &p.numID, &p.ilvl, &p.hasNum, &p.hasLvl); err != nil {
					return err
				}
			case "rPr":
				if err := d.trackedIn(x); err != nil {
					return err
				}
			default:
				if err := x.skip(); err != nil {
					return err
				}
			}
		}
	}
}

// readNumPr reads a w:numPr.
func readNumPr(x *xmlReader, numID *string, ilvl *int, hasNum, hasLvl *bool) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if isW(t.Name) {
				switch t.Name.Local {
				case "numId":
					*numID, *hasNum = wval(t), true
				case "ilvl":
					if n, err := strconv.Atoi(wval(t)); err == nil && n >= 0 && n < 9 {
						*ilvl, *hasLvl = n, true
					}
				}
			}
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

// runState reads inline content: runs, hyperlinks, fields.
type runState struct {
	d      *docxReader
	out    *strings.Builder
	fields []bool // per open complex field: true once its result began
}

// showing reports whether text now is displayed: outside any field code.
func (r *runState) showing() bool {
	for _, inResult := range r.fields {
		if !inResult {
			return false
		}
	}
	return true
}

func (r *runState) write(s string) {
	// Past the text limit the paragraph is refused when it ends; keeping
	// more would only cost memory.
	if r.showing() && r.out.Len() <= r.d.b.lim.MaxTextBytes {
		r.out.WriteString(s)
	}
}

// inline reads one inline element whose start was just returned.
func (r *runState) inline(x *xmlReader, e xml.StartElement) error {
	b := r.d.b
	if e.Name.Space == nsMC && e.Name.Local == "AlternateContent" {
		return r.d.alternate(x, func(c xml.StartElement) error { return r.inline(x, c) })
	}
	if e.Name.Space == nsMath {
		b.ignore(IgnoredEquation)
		return x.skip()
	}
	if !isW(e.Name) {
		return x.skip()
	}
	switch e.Name.Local {
	case "r":
		return r.run(x)
	case "hyperlink":
		if _, ok := attrAny(e, "id", nsR, nsRStrict); ok {
			b.ignore(IgnoredLink)
		}
		return r.children(x)
	case "fldSimple":
		b.ignore(IgnoredField)
		return r.children(x)
	case "smartTag", "customXml", "sdt", "sdtContent", "bdo", "dir":
		return r.children(x)
	case "ins", "del", "moveFrom", "moveTo":
		b.tracked++
		return x.skip()
	case "commentRangeStart", "commentRangeEnd", "bookmarkStart", "bookmarkEnd", "proofErr",
		"permStart", "permEnd", "sdtPr", "sdtEndPr", "moveFromRangeStart", "moveFromRangeEnd",
		"moveToRangeStart", "moveToRangeEnd":
		return x.skip()
	}
	return x.skip()
}

func attrAny(e xml.StartElement, local string, spaces ...string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local != local {
			continue
		}
		for _, s := range spaces {
			if a.Name.Space == s {
				return a.Value, true
			}
		}
	}
	return "", false
}

// children reads inline children up to the end of the current element.
func (r *runState) children(x *xmlReader) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := r.inline(x, t); err != nil {
				return err
			}
		}
	}
}

// run reads a w:r.
func (r *runState) run(x *xmlReader) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Space == nsMC && t.Name.Local == "AlternateContent" {
				if err := r.d.alternate(x, func(c xml.StartElement) error { return r.runChild(x, c) }); err != nil {
					return err
				}
				continue
			}
			if err := r.runChild(x, t); err != nil {
				return err
			}
		}
	}
}

// runChild reads one child of a w:r.
func (r *runState) runChild(x *xmlReader, t xml.StartElement) error {
	b := r.d.b
	if !isW(t.Name) {
		if t.Name.Space == nsMath {
			b.ignore(IgnoredEquation)
		}
		return x.skip()
	}
	switch t.Name.Local {
	case "t":
		s, err := x.text()
		if err != nil {
			return err
		}
		// A newline inside w:t is whitespace to Word, not a break.
		r.write(strings.Map(func(c rune) rune {
			if c == '\n' || c == '\r' || c == '\t' {
				return ' '
			}
			return c
		}, s))
		return nil
	case "tab", "ptab":
		r.write("\t")
	case "br":
		if typ, _ := wattr(t, "type"); typ == "" || typ == "textWrapping" {
			r.write("\n")
		}
	case "cr":
		r.write("\n")
	case "noBreakHyphen":
		r.write("\u2011")
	case "sym":
		ch, _ := wattr(t, "char")
		font, _ := wattr(t, "font")
		n, err := strconv.ParseUint(ch, 16, 32)
		switch {
		case err != nil || n < 0x20:
		case n >= 0xF000 && n <= 0xF0FF || strings.Contains(strings.ToLower(font), "symbol") || strings.Contains(strings.ToLower(font), "wingdings"):
			b.ignore(IgnoredSymbol)
		default:
			r.write(string(rune(n)))
		}
	case "fldChar":
		switch typ, _ := wattr(t, "fldCharType"); typ {
		case "begin":
			if len(r.fields) < 64 {
				r.fields = append(r.fields, false)
			}
			b.ignore(IgnoredField)
		case "separate":
			if n := len(r.fields); n > 0 {
				r.fields[n-1] = true
			}
		case "end":
			if n := len(r.fields); n > 0 {
				r.fields = r.fields[:n-1]
			}
		}
	case "drawing", "pict", "object":
		b.ignore(classifyDrawing(t.Name.Local))
		kind, err := drawingKind(x)
		if err != nil {
			return err
		}
		if kind != "" {
			b.pending[len(b.pending)-1] = kind
		}
		return nil
	case "footnoteReference":
		b.ignore(IgnoredFootnote)
	case "endnoteReference":
		b.ignore(IgnoredEndnote)
	case "commentReference":
		b.ignore(IgnoredComment)
	case "delText", "delInstrText":
		b.tracked++
	case "ruby":
		return r.ruby(x)
	}
	return x.skip()
}

func classifyDrawing(local string) string {
	if local == "object" {
		return IgnoredObject
	}
	return IgnoredImage
}

// drawingKind skips a drawing and says what it held when that is more than
// a picture: a text box, a chart, an equation or an embedded object.
func drawingKind(x *xmlReader) (string, error) {
	kind := ""
	depth := 1
	for depth > 0 {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Local == "txbxContent" || t.Name.Local == "textbox":
				kind = IgnoredTextBox
			case kind == "" && t.Name.Local == "graphicData":
				if uri, _ := attr(t, "", "uri"); strings.Contains(uri, "chart") {
					kind = IgnoredImage
				}
			case kind == "" && (t.Name.Local == "OLEObject" || t.Name.Local == "objectEmbed"):
				kind = IgnoredObject
			}
		case xml.EndElement:
			depth--
		}
	}
	return kind, nil
}

// ruby keeps the base text of phonetic guides.
func (r *runState) ruby(x *xmlReader) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if isW(t.Name) && t.Name.Local == "rubyBase" {
				if err := r.children(x); err != nil {
					return err
				}
				continue
			}
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}
