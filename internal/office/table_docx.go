package office

// issue 14: the table of amendments as a real Word table.

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Run is a piece of a table cell's text: plain, inserted (written
// underlined and bold) or deleted (struck through), the way a table of
// amendments marks a proposed wording's changes.
type Run struct {
	Text     string
	Inserted bool
	Deleted  bool
}

// Cell is a table cell: paragraphs of runs.
type Cell [][]Run

// PlainCell is a cell of plain text, one paragraph per line.
func PlainCell(text string) Cell {
	var c Cell
	for _, line := range strings.Split(text, "\n") {
		c = append(c, []Run{{Text: line}})
	}
	return c
}

// Table is a document made of a title, lines before the table, and one
// table with a header row repeated on every page.
type Table struct {
	Title  string
	Intro  []string
	Header []string
	// Widths are the columns' relative widths; equal when nil.
	Widths []int
	Rows   [][]Cell
}

// textWidth is the width of an A4 landscape page's text, in twentieths of a
// point (29.7 cm less 2 cm margins on each side).
const textWidth = 14570

// WriteTableDOCX writes t as a Word document on landscape A4 pages.
func WriteTableDOCX(w io.Writer, t Table, m Meta) error {
	return writeDOCXBody(w, m, describe(m), func(b *bufio.Writer) error { return writeTableXML(b, t) })
}

func writeTableXML(b *bufio.Writer, t Table) error {
	b.WriteString(xmlHeader + `<w:document xmlns:w="` + nsW + `"><w:body>`)
	if t.Title != "" {
		b.WriteString(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">`)
		esc(b, t.Title)
		b.WriteString(`</w:t></w:r></w:p>`)
	}
	for _, line := range t.Intro {
		b.WriteString(`<w:p><w:r><w:t xml:space="preserve">`)
		esc(b, line)
		b.WriteString(`</w:t></w:r></w:p>`)
	}
	cols := len(t.Header)
	widths := make([]int, cols)
	total := 0
	for i := range widths {
		widths[i] = 1
		if i < len(t.Widths) && t.Widths[i] > 0 {
			widths[i] = t.Widths[i]
		}
		total += widths[i]
	}
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="` + strconv.Itoa(textWidth) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	b.WriteString(`</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	dxa := make([]int, cols)
	for i, wd := range widths {
		dxa[i] = textWidth * wd / total
		b.WriteString(`<w:gridCol w:w="` + strconv.Itoa(dxa[i]) + `"/>`)
	}
	b.WriteString(`</w:tblGrid>`)
	// The header row, repeated on every page.
	b.WriteString(`<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
	for i, h := range t.Header {
		writeCell(b, dxa[i], Cell{{{Text: h}}}, true)
	}
	b.WriteString(`</w:tr>`)
	for _, row := range t.Rows {
		b.WriteString(`<w:tr>`)
		for i := 0; i < cols; i++ {
			var c Cell
			if i < len(row) {
				c = row[i]
			}
			writeCell(b, dxa[i], c, false)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl><w:p/>`)
	// Landscape A4, 2 cm margins.
	_, err := b.WriteString(`<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>` +
		`<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>` +
		`</w:body></w:document>`)
	return err
}

func writeCell(b *bufio.Writer, width int, c Cell, bold bool) {
	b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(width) + `" w:type="dxa"/></w:tcPr>`)
	if len(c) == 0 {
		c = Cell{nil} // a cell holds at least one paragraph
	}
	for _, para := range c {
		b.WriteString(`<w:p><w:pPr><w:spacing w:after="60"/></w:pPr>`)
		for _, r := range para {
			if r.Text == "" {
				continue
			}
			b.WriteString(`<w:r>`)
			var props string
			if bold || r.Inserted {
				props += `<w:b/>`
			}
			if r.Inserted {
				props += `<w:u w:val="single"/>`
			}
			if r.Deleted {
				props += `<w:strike/>`
			}
			if props != "" {
				b.WriteString(`<w:rPr>` + props + `</w:rPr>`)
			}
			for i, line := range strings.Split(r.Text, "\n") {
				if i > 0 {
					b.WriteString(`<w:br/>`)
				}
				b.WriteString(`<w:t xml:space="preserve">`)
				esc(b, line)
				b.WriteString(`</w:t>`)
			}
			b.WriteString(`</w:r>`)
		}
		b.WriteString(`</w:p>`)
	}
	b.WriteString(`</w:tc>`)
}
