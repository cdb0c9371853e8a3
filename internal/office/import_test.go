package office

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
	`xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" ` +
	`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ` +
	`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
	`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"`

// zipOf builds an archive from name → content, in the order given.
func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	// Fast compression: the hostile inputs are megabytes, and the race
	// detector slows flate tenfold.
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for i := 0; i+1 < len(files); i += 2 {
		w, err := z.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// docxOf builds a minimal .docx around a body, with optional numbering and
// styles parts.
func docxOf(t testing.TB, body, numbering, styles string, extra ...string) []byte {
	t.Helper()
	rels := `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	if numbering != "" {
		rels += `<Relationship Id="rN" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>`
	}
	if styles != "" {
		rels += `<Relationship Id="rS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/word/styles.xml"/>`
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if strings.HasPrefix(extra[i], "word/header") {
			rels += `<Relationship Id="rH` + extra[i][11:12] + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="` + extra[i][5:] + `"/>`
		}
	}
	rels += `<Relationship Id="rL" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/" TargetMode="External"/></Relationships>`
	files := []string{
		"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/_rels/document.xml.rels", rels,
		"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document ` + wNS + `><w:body>` + body + `</w:body></w:document>`,
	}
	if numbering != "" {
		files = append(files, "word/numbering.xml", `<?xml version="1.0"?><w:numbering `+wNS+`>`+numbering+`</w:numbering>`)
	}
	if styles != "" {
		files = append(files, "word/styles.xml", `<?xml version="1.0"?><w:styles `+wNS+`>`+styles+`</w:styles>`)
	}
	files = append(files, extra...)
	return zipOf(t, files...)
}

func p(text string) string {
	return `<w:p><w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
}

func np(numID, ilvl int, text string) string {
	return `<w:p><w:pPr><w:numPr><w:ilvl w:val="` + itoa(ilvl) + `"/><w:numId w:val="` + itoa(numID) + `"/></w:numPr></w:pPr><w:r><w:t>` + text + `</w:t></w:r></w:p>`
}

func itoa(n int) string { return strconv.Itoa(n) }

func lvl(i int, fmt, text string, extra string) string {
	return `<w:lvl w:ilvl="` + itoa(i) + `"><w:start w:val="1"/><w:numFmt w:val="` + fmt + `"/><w:lvlText w:val="` + text + `"/>` + extra + `</w:lvl>`
}

func mustImport(t *testing.T, data []byte) *Imported {
	t.Helper()
	im, err := ImportBytes(data, Limits{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return im
}

func TestImportDOCXNumbering(t *testing.T) {
	abstract := `<w:abstractNum w:abstractNumId="0">` + lvl(0, "decimal", "%1.", "") + lvl(1, "decimal", "%1.%2.", "") +
		lvl(2, "russianLower", "%3)", "") + `</w:abstractNum>` +
		`<w:abstractNum w:abstractNumId="1">` + lvl(0, "upperRoman", "%1.", "") + lvl(1, "decimal", "%1.%2", "<w:isLgl/>") +
		lvl(2, "lowerLetter", "(%3)", `<w:lvlRestart w:val="0"/>`) + `</w:abstractNum>` +
		`<w:abstractNum w:abstractNumId="2">` + lvl(0, "bullet", "\uF0B7", "") + `</w:abstractNum>` +
		`<w:abstractNum w:abstractNumId="3"><w:numStyleLink w:val="ListStyle"/></w:abstractNum>` +
		`<w:abstractNum w:abstractNumId="4"><w:styleLink w:val="ListStyle"/>` + lvl(0, "decimal", "Статья %1.", "") + `</w:abstractNum>` +
		`<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>` +
		`<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>` +
		`<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>` +
		`<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>` +
		`<w:num w:numId="5"><w:abstractNumId w:val="4"/></w:num>` +
		`<w:num w:numId="6"><w:abstractNumId w:val="3"/></w:num>` +
		`<w:num w:numId="7"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="10"/></w:lvlOverride></w:num>`
	styles := `<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading2"><w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>` +
		`<w:style w:type="numbering" w:styleId="ListStyle"><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Plain"><w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr></w:style>`
	hp := func(style, text string) string {
		return `<w:p><w:pPr><w:pStyle w:val="` + style + `"/></w:pPr><w:r><w:t>` + text + `</w:t></w:r></w:p>`
	}
	body := hp("Heading1", "Общие положения") +
		np(1, 0, "Первый.") + np(1, 1, "Подпункт.") + np(1, 2, "буква;") + np(1, 2, "буква.") + np(1, 1, "Второй подпункт.") +
		p("Вставка без номера.") +
		np(1, 0, "Второй.") +
		hp("Heading2", "Раздел с законным номером") + hp("Heading2", "Ещё раздел") +
		np(2, 2, "без перезапуска") + hp("Heading1", "Второй раздел") + np(2, 2, "продолжение букв") +
		hp("Plain", "Заголовок без номера") +
		np(3, 0, "Перезапуск.") + np(1, 0, "Продолжение общего счёта.") +
		np(4, 0, "маркер") + np(4, 0, "") +
		np(6, 0, "через стиль списка") + np(5, 0, "и напрямую") +
		np(7, 0, "с десяти") + np(7, 0, "одиннадцать") +
		`<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:p>`
	im := mustImport(t, docxOf(t, body, abstract, styles))
	want := strings.Join([]string{
		"I. Общие положения",
		"1. Первый.", "1.1. Подпункт.", "а) буква;", "б) буква.", "1.2. Второй подпункт.",
		"Вставка без номера.",
		"2. Второй.",
		"1.1 Раздел с законным номером", "1.2 Ещё раздел",
		"(a) без перезапуска", "II. Второй раздел", "(b) продолжение букв",
		"Заголовок без номера",
		"1. Перезапуск.", "2. Продолжение общего счёта.",
		"• маркер",
		"Статья 1. через стиль списка", "Статья 2. и напрямую",
		"10. с десяти", "11. одиннадцать",
		"12.",
	}, "\n\n")
	if diff := cmp.Diff(want, im.Text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	if len(im.Ignored) != 0 {
		t.Errorf("ignored = %+v, want none", im.Ignored)
	}
}

func TestImportDOCXContent(t *testing.T) {
	body := p("Заголовок") +
		// A field: its code is dropped, its result kept.
		`<w:p><w:r><w:t xml:space="preserve">Страница </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>` +
		`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>` +
		`<w:r><w:t xml:space="preserve"> из </w:t></w:r><w:fldSimple w:instr="NUMPAGES"><w:r><w:t>9</w:t></w:r></w:fldSimple></w:p>` +
		// Line breaks, tabs, a no-break hyphen, a footnote, a comment, a link.
		`<w:p><w:r><w:t>Первая строка</w:t><w:br/><w:t>вторая</w:t><w:tab/><w:t>после табуляции</w:t><w:br w:type="page"/></w:r>` +
		`<w:r><w:t>ООН</w:t><w:noBreakHyphen/><w:t>Хабитат</w:t><w:footnoteReference w:id="1"/></w:r>` +
		`<w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve"> с замечанием</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>` +
		`<w:hyperlink r:id="rL"><w:r><w:t xml:space="preserve"> и ссылкой</w:t></w:r></w:hyperlink><w:r><w:sym w:font="Wingdings" w:char="F0E0"/></w:r></w:p>` +
		// An image alone in its paragraph, a text box offered in two forms.
		`<w:p><w:r><w:drawing><wp:inline><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"/></a:graphic></wp:inline></w:drawing></w:r></w:p>` +
		`<w:p><w:r><w:t>Текст</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>` + p("в рамке") + `</w:txbxContent></wps:txbx></w:drawing></mc:Choice>` +
		`<mc:Fallback><w:pict><w:txbxContent>` + p("в рамке") + `</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>` +
		`<w:p><m:oMathPara><m:oMath><m:r><m:t>x</m:t></m:r></m:oMath></m:oMathPara></w:p>` +
		// A table with a merged cell and a pipe, inside a content control.
		`<w:sdt><w:sdtPr/><w:sdtContent><w:tbl><w:tblPr/><w:tr><w:tc>` + p("№") + `</w:tc><w:tc>` + p("Мера") + p("(описание)") + `</w:tc></w:tr>` +
		`<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr>` + p("") + `</w:tc><w:tc>` + p("a|b") + `</w:tc></w:tr>` +
		`<w:tr><w:tc>` + p("") + `</w:tc><w:tc>` + p("  ") + `</w:tc></w:tr></w:tbl></w:sdtContent></w:sdt>` +
		p("   ") + p("Конец.") +
		`<w:sectPr><w:headerReference r:id="rH1"/></w:sectPr>`
	header := `<?xml version="1.0"?><w:hdr ` + wNS + `>` + p("Проект") + `</w:hdr>`
	im := mustImport(t, docxOf(t, body, "", "", "word/header1.xml", header))
	want := strings.Join([]string{
		"Заголовок",
		"Страница 7 из 9",
		"Первая строка\nвторая\tпосле табуляцииООН\u2011Хабитат с замечанием и ссылкой",
		"Текст",
		"| № | Мера\n(описание) |",
		"|  | a\\|b |",
		"Конец.",
	}, "\n\n")
	if diff := cmp.Diff(want, im.Text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	wantIgnored := []Ignored{
		{Kind: IgnoredComment, Count: 1, Paragraphs: []int{3}},
		{Kind: IgnoredEquation, Count: 1, Paragraphs: []int{4}},
		{Kind: IgnoredField, Count: 2, Paragraphs: []int{2}},
		{Kind: IgnoredFootnote, Count: 1, Paragraphs: []int{3}},
		{Kind: IgnoredHeader, Count: 1},
		{Kind: IgnoredImage, Count: 1, Paragraphs: []int{3}},
		{Kind: IgnoredLink, Count: 1, Paragraphs: []int{3}},
		{Kind: IgnoredSymbol, Count: 1, Paragraphs: []int{3}},
		{Kind: IgnoredTextBox, Count: 1, Paragraphs: []int{4}},
	}
	if diff := cmp.Diff(wantIgnored, im.Ignored); diff != "" {
		t.Errorf("ignored (-want +got):\n%s", diff)
	}
	if im.Paragraphs != 7 {
		t.Errorf("paragraphs = %d, want 7", im.Paragraphs)
	}
}

func TestImportRefusals(t *testing.T) {
	// Word marks paragraphs with revision ids, which keeps 100 000 empty ones
	// from compressing like a zip bomb: the paragraph limit must see them.
	var bigB strings.Builder
	for i := range 100_001 {
		fmt.Fprintf(&bigB, `<w:p w:rsidR="%08X" w:rsidRDefault="%08X"/>`, uint32(i)*2654435761, uint32(i)*40503)
	}
	big := bigB.String()
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><w:document ` + wNS + `><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>`
	ok := docxOf(t, p("текст"), "", "")
	cases := []struct {
		name string
		data []byte
		want Reason
	}{
		{"empty file", nil, ReasonNotADocument},
		{"plain text", []byte("Просто текст"), ReasonNotADocument},
		{"html", []byte("<html><body>x</body></html>"), ReasonUnsupportedFormat},
		{"word 97", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), ReasonUnsupportedFormat},
		{"rtf", []byte(`{\rtf1\ansi hello}`), ReasonUnsupportedFormat},
		{"truncated zip", ok[:len(ok)/2], ReasonNotADocument},
		{"zip without a document", zipOf(t, "a.txt", "x"), ReasonNotADocument},
		{"ods spreadsheet", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<x/>"), ReasonNotADocument},
		{"encrypted odt", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "META-INF/manifest.xml", `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>`, "content.xml", "garbage"), ReasonUnsupportedFormat},
		{"path climbing out", zipOf(t, "../../etc/passwd", "x", "word/document.xml", "<x/>"), ReasonUnsafePath},
		{"absolute path", zipOf(t, "/word/document.xml", "<x/>"), ReasonUnsafePath},
		{"backslash path", zipOf(t, `word\..\..\x`, "<x/>"), ReasonUnsafePath},
		{"duplicate part", zipOf(t, "word/document.xml", "<x/>", "word/Document.xml", "<y/>"), ReasonUnsafePath},
		{"billion laughs", docxWithDocument(t, laughs), ReasonEntityExpansion},
		{"malformed xml", docxWithDocument(t, `<w:document `+wNS+`><w:body><w:p></w:body>`), ReasonMalformed},
		{"nesting", docxWithDocument(t, `<w:document `+wNS+`><w:body>`+strings.Repeat("<w:sdt><w:sdtContent>", 300)+strings.Repeat("</w:sdtContent></w:sdt>", 300)+`</w:body></w:document>`), ReasonTooDeep},
		{"100 000 empty paragraphs", docxOf(t, big, "", ""), ReasonTooManyParagraphs},
		{"100 000 empty paragraphs, compressed 1000 times", docxOf(t, strings.Repeat("<w:p/>", 300_000), "", ""), ReasonZipBomb},
		{"no text", docxOf(t, p("")+p(" "), "", ""), ReasonEmpty},
		{"tracked insertion", docxOf(t, `<w:p><w:ins w:id="1" w:author="A"><w:r><w:t>новое</w:t></w:r></w:ins></w:p>`, "", ""), ReasonPendingTrackedChanges},
		{"tracked deletion", docxOf(t, `<w:p><w:del w:id="1" w:author="A"><w:r><w:delText>старое</w:delText></w:r></w:del><w:r><w:t>x</w:t></w:r></w:p>`, "", ""), ReasonPendingTrackedChanges},
		{"tracked paragraph mark", docxOf(t, `<w:p><w:pPr><w:rPr><w:del w:id="1" w:author="A"/></w:rPr></w:pPr><w:r><w:t>x</w:t></w:r></w:p>`+p("y"), "", ""), ReasonPendingTrackedChanges},
		{"tracked move", docxOf(t, `<w:p><w:moveTo w:id="1" w:author="A"><w:r><w:t>x</w:t></w:r></w:moveTo></w:p>`, "", ""), ReasonPendingTrackedChanges},
		{"tracked odt", odtOf(t, `<text:tracked-changes><text:changed-region text:id="c1"><text:deletion/></text:changed-region></text:tracked-changes><text:p>a<text:change text:change-id="c1"/>b</text:p>`), ReasonPendingTrackedChanges},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, err := ImportBytes(c.data, Limits{})
			if got := ReasonOf(err); got != c.want {
				t.Fatalf("reason = %q (err %v, text %v), want %q", got, err, im, c.want)
			}
			var e *Error
			if !asError(err, &e) || e.Message == "" || e.MessageRU == "" {
				t.Fatalf("error %v lacks messages", err)
			}
		})
	}
	// The limits are the caller's to set.
	if _, err := ImportBytes(ok, Limits{MaxInputBytes: 100}); ReasonOf(err) != ReasonTooLarge {
		t.Errorf("MaxInputBytes: %v", err)
	}
	if _, err := ImportBytes(docxOf(t, p(strings.Repeat("слово ", 100)), "", ""), Limits{MaxTextBytes: 100}); ReasonOf(err) != ReasonTextTooLarge {
		t.Errorf("MaxTextBytes: %v", err)
	}
	if _, err := Import(strings.NewReader(strings.Repeat("x", 30<<20)), Limits{}); ReasonOf(err) != ReasonTooLarge {
		t.Errorf("30 MiB upload: %v", err)
	}
}

func asError(err error, e **Error) bool {
	for err != nil {
		if x, ok := err.(*Error); ok {
			*e = x
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func docxWithDocument(t testing.TB, doc string) []byte {
	return zipOf(t,
		"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml", doc)
}

func odtOf(t testing.TB, body string) []byte {
	return zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text",
		"content.xml", `<?xml version="1.0"?><office:document-content xmlns:office="`+nsOffice+`" xmlns:text="`+nsText+`" xmlns:table="`+nsTable+
			`" xmlns:draw="`+nsDraw+`" xmlns:style="`+nsStyle+`" xmlns:xlink="`+nsXLink+`"><office:body><office:text>`+body+`</office:text></office:body></office:document-content>`)
}

func TestImportODTContent(t *testing.T) {
	body := `<text:p>  Пробелы   внутри<text:s text:c="2"/>и<text:tab/>таб</text:p>` +
		`<text:p>Дата: <text:date>30.11.2011</text:date>, <text:span>выделение</text:span><text:note text:note-class="endnote"><text:note-body><text:p>x</text:p></text:note-body></text:note></text:p>` +
		`<table:table><table:table-row table:number-rows-repeated="2"><table:table-cell><text:p>a</text:p></table:table-cell><table:covered-table-cell/></table:table-row></table:table>` +
		`<text:p><draw:frame><draw:text-box><text:p>в рамке</text:p></draw:text-box></draw:frame>Конец</text:p>`
	im := mustImport(t, odtOf(t, body))
	want := "Пробелы внутри  и\tтаб\n\nДата: 30.11.2011, выделение\n\n| a |  |\n\n| a |  |\n\nКонец"
	if diff := cmp.Diff(want, im.Text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	wantIgnored := []Ignored{
		{Kind: IgnoredEndnote, Count: 1, Paragraphs: []int{2}},
		{Kind: IgnoredField, Count: 1, Paragraphs: []int{2}},
		{Kind: IgnoredTextBox, Count: 1, Paragraphs: []int{5}},
	}
	if diff := cmp.Diff(wantIgnored, im.Ignored); diff != "" {
		t.Errorf("ignored (-want +got):\n%s", diff)
	}
	// Repeated rows count against the paragraph limit before they are made.
	rows := `<table:table><table:table-row table:number-rows-repeated="1000000000"><table:table-cell><text:p>a</text:p></table:table-cell></table:table-row></table:table>`
	if _, err := ImportBytes(odtOf(t, rows), Limits{}); ReasonOf(err) != ReasonTooManyParagraphs {
		t.Errorf("repeated rows: %v", err)
	}
}

// TestImportODTOutlineLists: LibreOffice numbers headings through lists
// that name the outline style and continue one another (the Aprx manual in
// testdata is written so); an index's title is a paragraph.
func TestImportODTOutlineLists(t *testing.T) {
	styles := `<?xml version="1.0"?><office:document-styles xmlns:office="` + nsOffice + `" xmlns:text="` + nsText + `" xmlns:style="` + nsStyle + `"><office:styles>` +
		`<text:outline-style style:name="Outline"><text:outline-level-style text:level="1" style:num-format="1"/>` +
		`<text:outline-level-style text:level="2" style:num-format="1" text:display-levels="2"/></text:outline-style></office:styles></office:document-styles>`
	h := func(id, cont string, level int, text string) string {
		open, close := "", ""
		for range level - 1 {
			open += `<text:list-item><text:list>`
			close = `</text:list></text:list-item>` + close
		}
		attr := ``
		if cont != "" {
			attr = ` text:continue-list="` + cont + `"`
		}
		return `<text:list xml:id="` + id + `"` + attr + ` text:style-name="Outline">` + open + `<text:list-item><text:h text:outline-level="` +
			itoa(level) + `">` + text + `</text:h></text:list-item>` + close + `</text:list>`
	}
	body := `<text:table-of-content><text:index-body><text:index-title><text:p>Оглавление</text:p></text:index-title>` +
		`<text:p>1 Общие положения<text:tab/>3</text:p></text:index-body></text:table-of-content>` +
		h("l1", "", 1, "Общие положения") + `<text:p>Текст.</text:p>` + h("l2", "l1", 2, "Цели") + h("l3", "l2", 2, "Задачи") +
		h("l4", "l3", 1, "Финансирование") + h("l5", "l4", 2, "Источники")
	data := zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "styles.xml", styles,
		"content.xml", `<?xml version="1.0"?><office:document-content xmlns:office="`+nsOffice+`" xmlns:text="`+nsText+
			`" xmlns:xml="http://www.w3.org/XML/1998/namespace"><office:body><office:text>`+body+`</office:text></office:body></office:document-content>`)
	im := mustImport(t, data)
	want := "Оглавление\n\n1 Общие положения\t3\n\n1 Общие положения\n\nТекст.\n\n1.1 Цели\n\n1.2 Задачи\n\n2 Финансирование\n\n2.1 Источники"
	if diff := cmp.Diff(want, im.Text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}

func TestFormatNum(t *testing.T) {
	cases := []struct {
		n    int
		s    numStyle
		want string
	}{
		{1, numDecimal, "1"}, {7, numDecimalZero, "07"}, {14, numUpperRoman, "XIV"}, {1999, numLowerRoman, "mcmxcix"},
		{1, numLowerLatin, "a"}, {27, numLowerLatin, "aa"}, {28, numUpperLatin, "BB"}, {27, numUpperLatinAlpha, "AA"}, {28, numLowerLatinAlpha, "ab"},
		{1, numLowerCyrillic, "а"}, {9, numLowerCyrillic, "и"}, {10, numLowerCyrillic, "к"}, {26, numLowerCyrillic, "ы"}, {29, numLowerCyrillic, "я"},
		{30, numLowerCyrillic, "аа"}, {31, numUpperCyrillic, "Аб"}, {30, numUpperCyrillicSync, "АА"}, {31, numLowerCyrillicSync, "бб"},
		{5, numNone, ""}, {0, numUpperRoman, "0"},
	}
	for _, c := range cases {
		if got := formatNum(c.n, c.s); got != c.want {
			t.Errorf("formatNum(%d, %d) = %q, want %q", c.n, c.s, got, c.want)
		}
	}
	if got := odfNumStyle("а, б, .., аа, аб, ... (ru)", false); got != numLowerCyrillic {
		t.Errorf("odf lower cyrillic = %d", got)
	}
	if got := odfNumStyle("А, Б, .., Аа, Бб, ... (ru)", false); got != numUpperCyrillicSync {
		t.Errorf("odf upper cyrillic sync = %d", got)
	}
}

func TestFileName(t *testing.T) {
	sha := "5f2c0a9e1b7d33aa5f2c0a9e1b7d33aa5f2c0a9e1b7d33aa5f2c0a9e1b7d33aa"
	if got := FileName("clusters-2011", 3, sha, FormatDOCX); got != "clusters-2011-r3-5f2c0a9e1b7d.docx" {
		t.Errorf("FileName = %q", got)
	}
	if got := DiffFileName("clusters-2011", 2, 3, sha, FormatPDF); got != "clusters-2011-r2-r3-5f2c0a9e1b7d-diff.pdf" {
		t.Errorf("DiffFileName = %q", got)
	}
	if got := FileName(`../"evil"`, 1, "", FormatODT); got != "evil-r1.odt" {
		t.Errorf("hostile slug = %q", got)
	}
}
