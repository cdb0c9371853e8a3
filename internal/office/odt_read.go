package office

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// ODF namespaces.
const (
	nsOffice   = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	nsText     = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	nsStyle    = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	nsTable    = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	nsDraw     = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
	nsXLink    = "http://www.w3.org/1999/xlink"
	nsLOExt    = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
	nsManifest = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
	nsForm     = "urn:oasis:names:tc:opendocument:xmlns:form:1.0"
)

// olevel is one level of an ODF list style.
type olevel struct {
	bullet  string // the bullet character; "" for a numbered level
	style   numStyle
	prefix  string
	suffix  string
	display int    // text:display-levels
	start   int    // text:start-value
	format  string // loext:num-list-format, "%1%.%2%."
}

type olistStyle struct{ levels [10]*olevel }

// olist is one list instance and its counters.
type olist struct {
	style  *olistStyle
	counts [10]int
	used   [10]bool
}

type odtReader struct {
	a          *archive
	b          *builder
	listStyles map[string]*olistStyle
	paraStyles map[string][2]string // name → parent, list style
	outline    *olistStyle
	lists      map[string]*olist // by xml:id
	lastByName map[string]*olist // the last list of each style, for continue-numbering
	outlineCtr *olist
}

func readODT(a *archive, b *builder) (*Imported, error) {
	if a.has("mimetype") {
		mt, err := a.readPrefix("mimetype", 256)
		if err != nil {
			return nil, err
		}
		m := string(bytes.TrimSpace(mt))
		if !strings.HasPrefix(m, "application/vnd.oasis.opendocument.text") {
			return nil, notADocument(nil)
		}
	}
	if a.has("META-INF/manifest.xml") {
		m, err := a.readPrefix("META-INF/manifest.xml", 4<<20)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(m, []byte("encryption-data")) {
			return nil, refuse(ReasonUnsupportedFormat, "this file is password-protected; save it without a password",
				"файл защищён паролем; сохраните его без пароля", nil)
		}
	}
	if !a.has("content.xml") {
		return nil, notADocument(nil)
	}
	o := &odtReader{a: a, b: b, listStyles: map[string]*olistStyle{}, paraStyles: map[string][2]string{},
		lists: map[string]*olist{}, lastByName: map[string]*olist{}}
	if a.has("styles.xml") {
		if err := o.readPart("styles.xml"); err != nil {
			return nil, err
		}
	}
	if err := o.readPart("content.xml"); err != nil {
		return nil, err
	}
	title := ""
	if a.has("meta.xml") {
		title, _ = readCoreTitle(a, "meta.xml")
	}
	return b.result(FormatODT, title)
}

// readPart reads styles.xml or content.xml: styles wherever they are, the
// body of the text when there is one.
func (o *odtReader) readPart(name string) error {
	rc, err := o.a.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	x := newXMLReader(rc, name, o.a.lim)
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		e, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case e.Name.Space == nsText && e.Name.Local == "list-style":
			name, _ := attr(e, nsStyle, "name")
			ls, err := o.readListStyle(x)
			if err != nil {
				return err
			}
			if len(o.listStyles) < 10000 {
				o.listStyles[name] = ls
			}
		case e.Name.Space == nsText && e.Name.Local == "outline-style":
			name, _ := attr(e, nsStyle, "name")
			ls, err := o.readListStyle(x)
			if err != nil {
				return err
			}
			o.outline = ls
			// LibreOffice puts numbered headings in lists that name the
			// outline style ("Outline"), continued from one heading to
			// the next: the list is then numbered by the outline style.
			if _, taken := o.listStyles[name]; name != "" && !taken {
				o.listStyles[name] = ls
			}
		case e.Name.Space == nsStyle && e.Name.Local == "style":
			if fam, _ := attr(e, nsStyle, "family"); fam == "paragraph" {
				name, _ := attr(e, nsStyle, "name")
				parent, _ := attr(e, nsStyle, "parent-style-name")
				list, _ := attr(e, nsStyle, "list-style-name")
				if len(o.paraStyles) < 10000 {
					o.paraStyles[name] = [2]string{parent, list}
				}
			}
			if err := x.skip(); err != nil {
				return err
			}
		case e.Name.Space == nsOffice && e.Name.Local == "text":
			return o.blocks(x, nil, o.b.emit)
		case e.Name.Space == nsOffice && (e.Name.Local == "master-styles" || e.Name.Local == "font-face-decls" || e.Name.Local == "scripts"):
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

func (o *odtReader) readListStyle(x *xmlReader) (*olistStyle, error) {
	ls := &olistStyle{}
	for {
		tok, err := x.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return ls, nil
		case xml.StartElement:
			if t.Name.Space != nsText {
				if err := x.skip(); err != nil {
					return nil, err
				}
				continue
			}
			lv := &olevel{display: 1, start: 1}
			levelAttr, _ := attr(t, nsText, "level")
			level, err := strconv.Atoi(levelAttr)
			switch t.Name.Local {
			case "list-level-style-number", "outline-level-style":
				f, _ := attr(t, nsStyle, "num-format")
				sync, _ := attr(t, nsStyle, "num-letter-sync")
				lv.style = odfNumStyle(f, sync == "true")
				lv.prefix, _ = attr(t, nsStyle, "num-prefix")
				lv.suffix, _ = attr(t, nsStyle, "num-suffix")
				if v, _ := attr(t, nsText, "display-levels"); v != "" {
					if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 10 {
						lv.display = n
					}
				}
				if v, _ := attr(t, nsText, "start-value"); v != "" {
					if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 1<<20 {
						lv.start = n
					}
				}
				lv.format, _ = attr(t, nsLOExt, "num-list-format")
				if len(lv.format) > 256 {
					lv.format = ""
				}
			case "list-level-style-bullet":
				c, _ := attr(t, nsText, "bullet-char")
				lv.bullet = bulletText(c)
				lv.style = numBullet
			case "list-level-style-image":
				lv.bullet = "•"
				lv.style = numBullet
			default:
				lv = nil
			}
			if lv != nil && err == nil && level >= 1 && level <= 10 {
				ls.levels[level-1] = lv
			}
			if err := x.skip(); err != nil {
				return nil, err
			}
		}
	}
}

// listCtx is where in a list the walk is.
type listCtx struct {
	list  *olist
	style *olistStyle // the style that labels this level: a nested list may name its own
	level int         // 0 for the outermost list
	// numbered is true while the next paragraph of the current item is
	// its first, the one that carries the label.
	numbered bool
	header   bool // inside text:list-header: no label
}

// blocks reads block-level content up to the end of the enclosing element.
func (o *odtReader) blocks(x *xmlReader, lc *listCtx, emit func(string) error) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := o.block(x, t, lc, emit); err != nil {
				return err
			}
		}
	}
}

func (o *odtReader) block(x *xmlReader, e xml.StartElement, lc *listCtx, emit func(string) error) error {
	switch e.Name.Space {
	case nsText:
		switch e.Name.Local {
		case "p", "h":
			label := ""
			if lc != nil && lc.numbered {
				lc.numbered = false
				if !lc.header {
					label = o.listLabel(lc.list, lc.style, lc.level)
				}
			} else if e.Name.Local == "h" && lc == nil {
				label = o.outlineLabel(e)
			}
			text, err := o.paragraph(x)
			if err != nil {
				return err
			}
			if label != "" && !(strings.TrimSpace(text) == "" && strings.HasPrefix(label, "•")) {
				text = label + text
			}
			return emit(text)
		case "list":
			if lc != nil {
				lc.numbered = false
			}
			return o.list(x, e, lc, emit)
		case "numbered-paragraph":
			// ODF's stand-alone list item: its level and list id are on it.
			return o.blocks(x, lc, emit)
		case "tracked-changes":
			return o.trackedChanges(x)
		case "change", "change-start", "change-end":
			o.b.tracked++
			return x.skip()
		case "section", "index-body", "index-title", "table-of-content", "illustration-index", "table-index",
			"object-index", "user-index", "alphabetical-index", "bibliography":
			return o.blocks(x, lc, emit)
		}
		return x.skip()
	case nsTable:
		if e.Name.Local == "table" {
			if lc != nil {
				lc.numbered = false
			}
			return o.table(x, emit)
		}
		return x.skip()
	case nsDraw:
		kind, err := o.frameKind(x, e)
		if err != nil {
			return err
		}
		o.b.ignore(kind)
		return emit("")
	}
	return x.skip()
}

func (o *odtReader) trackedChanges(x *xmlReader) error {
	depth := 1
	for depth > 0 {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Space == nsText && t.Name.Local == "changed-region" {
				o.b.tracked++
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// list reads a text:list.
func (o *odtReader) list(x *xmlReader, e xml.StartElement, outer *listCtx, emit func(string) error) error {
	styleName, _ := attr(e, nsText, "style-name")
	lc := &listCtx{}
	if outer != nil && outer.list != nil {
		lc.list, lc.level, lc.style = outer.list, outer.level+1, outer.style
		if st := o.listStyles[styleName]; st != nil {
			lc.style = st
		}
		if lc.list.style == nil {
			lc.list.style = lc.style
		}
	} else {
		var l *olist
		if id, _ := attr(e, nsText, "continue-list"); id != "" {
			l = o.lists[id]
		}
		if cont, _ := attr(e, nsText, "continue-numbering"); l == nil && cont == "true" {
			l = o.lastByName[styleName]
		}
		if l == nil {
			l = &olist{style: o.listStyles[styleName]}
			if st := l.style; st != nil {
				for i, lv := range st.levels {
					if lv != nil {
						l.counts[i] = lv.start - 1
					}
				}
			}
		}
		if len(o.lists) < 10000 {
			if id, ok := xmlID(e); ok {
				o.lists[id] = l
			}
			o.lastByName[styleName] = l
		}
		lc.list, lc.style = l, l.style
	}
	if lc.level > 9 {
		lc.level = 9
	}
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Space != nsText || (t.Name.Local != "list-item" && t.Name.Local != "list-header") {
				if err := x.skip(); err != nil {
					return err
				}
				continue
			}
			item := &listCtx{list: lc.list, style: lc.style, level: lc.level, numbered: true, header: t.Name.Local == "list-header"}
			if v, _ := attr(t, nsText, "start-value"); v != "" {
				if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 1<<20 {
					lc.list.counts[lc.level] = n - 1
					lc.list.used[lc.level] = false
				}
			}
			if err := o.blocks(x, item, emit); err != nil {
				return err
			}
		}
	}
}

func xmlID(e xml.StartElement) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == "id" && (a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
			return a.Value, true
		}
	}
	return "", false
}

// listLabel advances list l at level and returns the label in style st
// (the list's own when nil), with a space.
func (o *odtReader) listLabel(l *olist, st *olistStyle, level int) string {
	if st == nil && l != nil {
		st = l.style
	}
	if l == nil || st == nil {
		return ""
	}
	lv := st.levels[level]
	if lv == nil {
		return ""
	}
	l.counts[level]++
	l.used[level] = true
	for i := level + 1; i < 10; i++ {
		start := 1
		if d := st.levels[i]; d != nil {
			start = d.start
		}
		l.counts[i] = start - 1
		l.used[i] = false
	}
	if lv.style == numBullet {
		return lv.bullet + " "
	}
	return odfLabel(st, &l.counts, level)
}

// odfLabel formats the label of level with the given counters.
func odfLabel(st *olistStyle, counts *[10]int, level int) string {
	lv := st.levels[level]
	value := func(k int) string {
		d := st.levels[k]
		if d == nil {
			return strconv.Itoa(max(counts[k], 1))
		}
		v := counts[k]
		if v < d.start {
			v = d.start
		}
		if d.style == numBullet {
			return ""
		}
		return formatNum(v, d.style)
	}
	var s string
	if lv.format != "" {
		var b strings.Builder
		f := lv.format
		for i := 0; i < len(f); i++ {
			if f[i] == '%' {
				j := i + 1
				for j < len(f) && f[j] >= '0' && f[j] <= '9' {
					j++
				}
				if j > i+1 && j < len(f) && f[j] == '%' {
					if k, err := strconv.Atoi(f[i+1 : j]); err == nil && k >= 1 && k <= 10 {
						b.WriteString(value(k - 1))
					}
					i = j
					continue
				}
			}
			b.WriteByte(f[i])
		}
		s = b.String()
	} else {
		if lv.style == numNone && lv.prefix == "" && lv.suffix == "" {
			return ""
		}
		var parts []string
		for k := max(0, level-lv.display+1); k <= level; k++ {
			if v := value(k); v != "" {
				parts = append(parts, v)
			}
		}
		s = lv.prefix + strings.Join(parts, ".") + lv.suffix
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s + " "
}

// outlineLabel numbers a heading outside any list by the outline style.
func (o *odtReader) outlineLabel(e xml.StartElement) string {
	if o.outline == nil {
		return ""
	}
	if v, _ := attr(e, nsText, "is-list-header"); v == "true" {
		return ""
	}
	v, _ := attr(e, nsText, "outline-level")
	level, err := strconv.Atoi(v)
	if err != nil || level < 1 || level > 10 {
		return ""
	}
	lv := o.outline.levels[level-1]
	if lv == nil || (lv.style == numNone && lv.prefix == "" && lv.suffix == "" && lv.format == "") {
		return ""
	}
	if o.outlineCtr == nil {
		o.outlineCtr = &olist{style: o.outline}
		for i, d := range o.outline.levels {
			if d != nil {
				o.outlineCtr.counts[i] = d.start - 1
			}
		}
	}
	if r, _ := attr(e, nsText, "restart-numbering"); r == "true" {
		start := lv.start
		if sv, _ := attr(e, nsText, "start-value"); sv != "" {
			if n, err := strconv.Atoi(sv); err == nil && n >= 0 && n < 1<<20 {
				start = n
			}
		}
		o.outlineCtr.counts[level-1] = start - 1
	}
	return o.listLabel(o.outlineCtr, nil, level-1)
}

// table reads a table:table, one paragraph per row.
func (o *odtReader) table(x *xmlReader, emit func(string) error) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Space != nsTable {
				if err := x.skip(); err != nil {
					return err
				}
				continue
			}
			switch t.Name.Local {
			case "table-header-rows", "table-rows", "table-row-group":
				if err := o.table(x, emit); err != nil {
					return err
				}
			case "table-row":
				n := repeat(t, "number-rows-repeated")
				row, err := o.row(x)
				if err != nil {
					return err
				}
				if n > 1 {
					if err := o.b.reserve(n - 1); err != nil {
						return err
					}
				}
				for range n {
					if err := emit(row); err != nil {
						return err
					}
					if row == "" {
						break
					}
				}
			default:
				if err := x.skip(); err != nil {
					return err
				}
			}
		}
	}
}

func repeat(e xml.StartElement, name string) int {
	v, _ := attr(e, nsTable, name)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// row reads a table:table-row and returns its paragraph ("" when empty).
func (o *odtReader) row(x *xmlReader) (string, error) {
	var cells []string
	any := false
	for {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if !any {
				return "", nil
			}
			return tableRow(cells), nil
		case xml.StartElement:
			if t.Name.Space != nsTable || (t.Name.Local != "table-cell" && t.Name.Local != "covered-table-cell") {
				if err := x.skip(); err != nil {
					return "", err
				}
				continue
			}
			n := repeat(t, "number-columns-repeated")
			var parts []string
			if err := o.blocks(x, nil, func(s string) error {
				if s = normalizeParagraph(s); s != "" {
					parts = append(parts, s)
				}
				return nil
			}); err != nil {
				return "", err
			}
			c := strings.Join(parts, "\n")
			any = any || c != ""
			for i := 0; i < n && len(cells) < 1024; i++ {
				cells = append(cells, c)
				// Hundreds of repeated empty cells (a table stretched to
				// the page) say nothing more than one.
				if c == "" && n > 64 {
					break
				}
			}
		}
	}
}

// paragraph reads the content of a text:p or text:h.
func (o *odtReader) paragraph(x *xmlReader) (string, error) {
	if err := o.b.sourceParagraph(); err != nil {
		return "", err
	}
	var w odfText
	if err := o.inline(x, &w); err != nil {
		return "", err
	}
	return w.b.String(), nil
}

// odfText collapses white space as ODF requires: runs of space, tab and
// line ends in the XML are one space; text:s, text:tab and text:line-break
// are the real thing.
type odfText struct {
	b     strings.Builder
	space bool
}

func (w *odfText) chars(s []byte) {
	for _, r := range string(s) {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			if !w.space {
				w.b.WriteByte(' ')
				w.space = true
			}
			continue
		}
		w.b.WriteRune(r)
		w.space = false
	}
}

func (w *odfText) literal(s string) {
	w.b.WriteString(s)
	w.space = false
}

// inline reads paragraph content up to the end of the enclosing element.
func (o *odtReader) inline(x *xmlReader, w *odfText) error {
	b := o.b
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if w.b.Len() < b.lim.MaxTextBytes {
				w.chars(t)
			}
		case xml.StartElement:
			switch t.Name.Space {
			case nsText:
				switch t.Name.Local {
				case "s":
					n := 1
					if v, _ := attr(t, nsText, "c"); v != "" {
						if c, err := strconv.Atoi(v); err == nil && c > 0 {
							n = min(c, 1000)
						}
					}
					w.literal(strings.Repeat(" ", n))
				case "tab":
					w.literal("\t")
				case "line-break":
					w.literal("\n")
				case "span", "meta", "meta-field", "ruby-base", "reference-mark", "hidden-text":
					if err := o.inline(x, w); err != nil {
						return err
					}
					continue
				case "ruby":
					if err := o.ruby(x, w); err != nil {
						return err
					}
					continue
				case "a":
					if href, _ := attr(t, nsXLink, "href"); href != "" && !strings.HasPrefix(href, "#") {
						b.ignore(IgnoredLink)
					}
					if err := o.inline(x, w); err != nil {
						return err
					}
					continue
				case "note":
					if c, _ := attr(t, nsText, "note-class"); c == "endnote" {
						b.ignore(IgnoredEndnote)
					} else {
						b.ignore(IgnoredFootnote)
					}
				case "change", "change-start", "change-end":
					b.tracked++
				case "number", "soft-page-break", "bookmark", "bookmark-start", "bookmark-end",
					"reference-mark-start", "reference-mark-end", "alphabetical-index-mark",
					"alphabetical-index-mark-start", "alphabetical-index-mark-end", "toc-mark",
					"toc-mark-start", "toc-mark-end", "user-index-mark", "user-index-mark-start",
					"user-index-mark-end":
				default:
					// Every other text: element in a paragraph is a field
					// (page number, date, sequence, cross-reference…) whose
					// content is what it displays.
					b.ignore(IgnoredField)
					if err := o.inline(x, w); err != nil {
						return err
					}
					continue
				}
			case nsOffice:
				if t.Name.Local == "annotation" {
					b.ignore(IgnoredComment)
				}
			case nsDraw:
				kind, err := o.frameKind(x, t)
				if err != nil {
					return err
				}
				b.ignore(kind)
				continue
			case nsForm:
				b.ignore(IgnoredFormField)
			}
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

func (o *odtReader) ruby(x *xmlReader, w *odfText) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Space == nsText && t.Name.Local == "ruby-base" {
				if err := o.inline(x, w); err != nil {
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

// frameKind skips a drawing element and says what it held.
func (o *odtReader) frameKind(x *xmlReader, e xml.StartElement) (string, error) {
	kind := IgnoredImage
	if e.Name.Local == "control" {
		kind = IgnoredFormField
	}
	depth := 1
	for depth > 0 {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Space == nsDraw {
				switch t.Name.Local {
				case "text-box":
					kind = IgnoredTextBox
				case "object", "object-ole":
					if kind == IgnoredImage {
						kind = IgnoredObject
					}
				}
			}
			if t.Name.Space == "http://www.w3.org/1998/Math/MathML" && kind != IgnoredTextBox {
				kind = IgnoredEquation
			}
		case xml.EndElement:
			depth--
		}
	}
	return kind, nil
}
