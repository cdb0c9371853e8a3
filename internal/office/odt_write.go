package office

import (
	"archive/zip"
	"bufio"
	"io"
	"strconv"
)

// WriteODT writes text as an OpenDocument text (.odt).
func WriteODT(w io.Writer, text string, m Meta) error {
	paras := layoutText(text)
	z := zip.NewWriter(w)
	t := m.zipTime()
	// The mimetype comes first and stored, so that tools can tell the format
	// from the first bytes of the file (ODF 1.2 part 3, 3.3).
	if err := zipPart(z, "mimetype", t, zip.Store, str("application/vnd.oasis.opendocument.text")); err != nil {
		return err
	}
	parts := []struct {
		name string
		body func(*bufio.Writer) error
	}{
		{"META-INF/manifest.xml", str(xmlHeader + `<manifest:manifest xmlns:manifest="` + nsManifest + `" manifest:version="1.3">` +
			`<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>` +
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>` +
			`<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>` +
			`<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>` +
			`</manifest:manifest>`)},
		{"meta.xml", func(b *bufio.Writer) error { return writeODFMeta(b, m) }},
		{"styles.xml", str(odfStyles(m.lang()))},
		{"content.xml", func(b *bufio.Writer) error { return writeODFContent(b, paras) }},
	}
	for _, p := range parts {
		if err := zipPart(z, p.name, t, zip.Deflate, p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

const odfNS = `xmlns:office="` + nsOffice + `" xmlns:text="` + nsText + `" xmlns:style="` + nsStyle +
	`" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"` +
	` xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"`

func writeODFMeta(b *bufio.Writer, m Meta) error {
	b.WriteString(xmlHeader + `<office:document-meta ` + odfNS + `><office:meta><meta:generator>Redline</meta:generator>`)
	if m.Title != "" {
		b.WriteString("<dc:title>")
		esc(b, m.Title)
		b.WriteString("</dc:title>")
	}
	if d := describe(m); d != "" {
		b.WriteString("<dc:description>")
		esc(b, d)
		b.WriteString("</dc:description>")
	}
	if m.Author != "" {
		b.WriteString("<meta:initial-creator>")
		esc(b, m.Author)
		b.WriteString("</meta:initial-creator><dc:creator>")
		esc(b, m.Author)
		b.WriteString("</dc:creator>")
	}
	if !m.Date.IsZero() {
		d := m.Date.UTC().Format("2006-01-02T15:04:05")
		b.WriteString("<meta:creation-date>" + d + "</meta:creation-date><dc:date>" + d + "</dc:date>")
	}
	if m.Revision > 0 {
		b.WriteString("<meta:editing-cycles>" + strconv.Itoa(m.Revision) + "</meta:editing-cycles>")
	}
	b.WriteString("<dc:language>" + escString(m.lang()) + "</dc:language>")
	_, err := b.WriteString("</office:meta></office:document-meta>")
	return err
}

func odfStyles(lang string) string {
	lg, country := lang, ""
	if i := len(lang); i == 5 && lang[2] == '-' {
		lg, country = lang[:2], lang[3:]
	}
	langAttrs := ` fo:language="` + escString(lg) + `"`
	if country != "" {
		langAttrs += ` fo:country="` + escString(country) + `"`
	}
	return xmlHeader + `<office:document-styles ` + odfNS + `>` +
		`<office:font-face-decls><style:font-face style:name="Liberation Serif" svg:font-family="&apos;Liberation Serif&apos;" style:font-family-generic="roman" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls>` +
		`<office:styles><style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.21cm" fo:line-height="115%"/>` +
		`<style:text-properties style:font-name="Liberation Serif" fo:font-size="12pt"` + langAttrs + `/></style:default-style>` +
		`<style:style style:name="Standard" style:family="paragraph" style:class="text"/></office:styles>` +
		`<office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" ` +
		`fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="3cm" fo:margin-right="1.5cm"/></style:page-layout></office:automatic-styles>` +
		`<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>` +
		`</office:document-styles>`
}

func writeODFContent(b *bufio.Writer, paras []lpara) error {
	b.WriteString(xmlHeader + `<office:document-content ` + odfNS + `><office:body><office:text>`)
	for _, p := range paras {
		b.WriteString(`<text:p text:style-name="Standard">`)
		space := true // at the start of a paragraph a space must be text:s
		for _, pc := range p.pieces {
			switch pc.kind {
			case kTab:
				b.WriteString("<text:tab/>")
				space = false
			case kBreak:
				b.WriteString("<text:line-break/>")
				space = true
			case kText:
				space = writeODFText(b, pc.text, space)
			}
		}
		b.WriteString("</text:p>")
	}
	_, err := b.WriteString("</office:text></office:body></office:document-content>")
	return err
}

// writeODFText writes text with its spaces kept: ODF collapses runs of
// white space, so a space that follows another space, or starts a line, is
// written as text:s. space says whether the text before ended in a space (or
// a line starts here); the result says the same after s.
func writeODFText(b *bufio.Writer, s string, space bool) bool {
	run, start := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			if run > 0 {
				writeSpaces(b, run)
				run = 0
			}
			space = false
			continue
		}
		esc(b, s[start:i])
		start = i + 1
		if space {
			run++
			continue
		}
		b.WriteByte(' ')
		space = true
	}
	esc(b, s[start:])
	if run > 0 {
		writeSpaces(b, run)
	}
	return space
}

func writeSpaces(b *bufio.Writer, n int) {
	if n == 1 {
		b.WriteString("<text:s/>")
		return
	}
	b.WriteString(`<text:s text:c="` + strconv.Itoa(n) + `"/>`)
}
