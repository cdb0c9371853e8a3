package office

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sofficeRun converts files with LibreOffice in one start (it is slow to
// start), with a private profile so that it never talks to another running
// instance.
func sofficeRun(t *testing.T, soffice, profile, outdir, format string, files ...string) {
	t.Helper()
	args := []string{"-env:UserInstallation=file://" + profile, "--headless", "--norestore", "--nologo", "--nolockcheck",
		"--convert-to", format, "--outdir", outdir}
	run(t, filepath.Dir(files[0]), soffice, append(args, files...)...)
}

const specialText = "Текст & <теги> \"кавычки\" 'апострофы' — тире, «ёлочки», № 5, 10 %\n\tстрока с табуляцией\n\n  Отступ  и  двойные  пробелы\n\n" +
	"1. Пункт первый.\n\n1.1. Подпункт.\n\nа) буква;\n\nIV. Раздел."

// TestLibreOffice has LibreOffice convert every kind of file Redline writes
// (.docx and .odt of texts, .docx redlines with moves) to PDF without error,
// converts Redline's own exports and a hand-made sample to the other format
// and back through Redline's importer, and uses LibreOffice's plain-text
// rendering as the oracle for numbering labels.
func TestLibreOffice(t *testing.T) {
	soffice := tool(t, "soffice")
	pdftotext := tool(t, "pdftotext")
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	var texts []string
	for _, c := range redlineCases(3) {
		texts = append(texts, c.old, c.new)
	}
	texts = append(texts, specialText)
	var files []string
	shows := map[string]string{} // file → a text whose words LibreOffice's PDF must show
	write := func(name, text string, f func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
		shows[p] = text
	}
	for i, text := range texts {
		write(fmt.Sprintf("x%d-docx.docx", i), text, func(b *bytes.Buffer) error { return WriteDOCX(b, text, trackMeta.Meta) })
		write(fmt.Sprintf("x%d-odt.odt", i), text, func(b *bytes.Buffer) error { return WriteODT(b, text, trackMeta.Meta) })
	}
	for i, c := range redlineCases(4) {
		write(fmt.Sprintf("r%d-redline.docx", i), c.new, func(b *bytes.Buffer) error { return WriteRedlineDOCX(b, c.r, trackMeta) })
	}
	sample := filepath.Join(dir, "sample.fodt")
	src, err := os.ReadFile("testdata/sample.fodt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sample, src, 0o644); err != nil {
		t.Fatal(err)
	}

	pdfDir, odtDir, docxDir := filepath.Join(dir, "pdf"), filepath.Join(dir, "odt"), filepath.Join(dir, "docx")
	sofficeRun(t, soffice, profile, pdfDir, "pdf", files...)
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		pdf := filepath.Join(pdfDir, base+".pdf")
		out := noSpace(string(run(t, dir, pdftotext, pdf, "-")))
		for _, w := range strings.Fields(shows[f]) {
			if !strings.Contains(out, w) {
				t.Errorf("LibreOffice's PDF of %s lacks %q: %q", filepath.Base(f), w, truncate(out, 300))
				break
			}
		}
	}

	// Redline's exports, converted by LibreOffice to the other format, read
	// back as the same text.
	var docxs, odts []string
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, "-docx.docx"):
			docxs = append(docxs, f)
		case strings.HasSuffix(f, "-odt.odt"):
			odts = append(odts, f)
		}
	}
	sofficeRun(t, soffice, profile, odtDir, "odt", append(docxs, sample)...)
	sofficeRun(t, soffice, profile, docxDir, "docx", append(odts, sample)...)
	sofficeRun(t, soffice, profile, dir, "txt:Text", sample)
	for i, text := range texts {
		for _, f := range []string{filepath.Join(odtDir, fmt.Sprintf("x%d-docx.odt", i)), filepath.Join(docxDir, fmt.Sprintf("x%d-odt.docx", i))} {
			im := importFile(t, f)
			if diff := cmp.Diff(squashAll(paragraphsOf(text)), squashAll(paragraphsOf(im.Text))); diff != "" {
				t.Errorf("%s (-exported +imported):\n%s", filepath.Base(f), diff)
			}
			if im.Title != trackMeta.Title {
				t.Errorf("%s: title %q, want %q", filepath.Base(f), im.Title, trackMeta.Title)
			}
		}
	}

	// The hand-made sample, as LibreOffice writes it in both formats.
	wantIgnored := []Ignored{
		{Kind: IgnoredComment, Count: 1, Paragraphs: []int{29}},
		{Kind: IgnoredFootnote, Count: 1, Paragraphs: []int{26}},
		{Kind: IgnoredImage, Count: 1, Paragraphs: []int{28}},
		{Kind: IgnoredLink, Count: 1, Paragraphs: []int{27}},
	}
	for _, f := range []string{filepath.Join(odtDir, "sample.odt"), filepath.Join(docxDir, "sample.docx")} {
		im := importFile(t, f)
		if diff := cmp.Diff(sampleText, im.Text); diff != "" {
			t.Errorf("%s (-want +got):\n%s", filepath.Base(f), diff)
		}
		if diff := cmp.Diff(wantIgnored, im.Ignored); diff != "" {
			t.Errorf("%s ignored (-want +got):\n%s", filepath.Base(f), diff)
		}
		if im.Title != "Образец для импорта" {
			t.Errorf("%s: title %q", filepath.Base(f), im.Title)
		}
	}
	// LibreOffice's own rendering of the labels is the oracle: every
	// numbered or bulleted line it shows, Redline shows alike.
	oracle, err := os.ReadFile(filepath.Join(dir, "sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(labelled(strings.Split(string(oracle), "\n")), labelled(strings.Split(sampleText, "\n\n"))); diff != "" {
		t.Errorf("labels (-LibreOffice +Redline):\n%s", diff)
	}
}

var labelRE = regexp.MustCompile(`^(\d+(\.\d+)*\.|[а-яa-z]\)|[IVXLC]+\.|•) `)

// labelled keeps the lines that start with a list label, trimmed.
func labelled(lines []string) []string {
	var out []string
	for _, l := range lines {
		l = strings.TrimSpace(strings.TrimPrefix(l, "\ufeff"))
		if labelRE.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

const sampleText = "1. Общие положения\n\nУчастники конференции отмечают следующее.\n\n1. Первый пункт.\n\nа) подпункт первый;\n\n" +
	"б) подпункт второй;\n\nI. уточнение.\n\n2. Второй пункт.\n\nПояснение между пунктами.\n\n3. Третий пункт, продолжение списка.\n\n" +
	"Новый список:\n\n1. Снова первый.\n\n5. Пятый пункт.\n\n6. Шестой пункт.\n\n• маркер один;\n\n• маркер два.\n\n1. Раздел.\n\n" +
	"1.1. Подраздел.\n\n1.1.1. Пункт подраздела.\n\n1.2. Второй подраздел.\n\n2. Второй раздел.\n\n2.1. Его подраздел.\n\n" +
	"2. Финансирование\n\n2.1. Источники\n\n| Показатель | 2011 | 2012 |\n\n| Число кластеров | 3 | 5 |\n\nТекст со сноской.\n\n" +
	"Первая строка\nвторая строка, ссылка.\n\nРисунок:\n\nЗамечание к тексту."

func importFile(t *testing.T, name string) *Imported {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ImportBytes(data, Limits{})
	if err != nil {
		t.Fatalf("import %s: %v", filepath.Base(name), err)
	}
	return im
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestExportRoundTrip: Redline reads back what it writes, exactly.
func TestExportRoundTrip(t *testing.T) {
	for i, c := range append(redlineCases(20), redlineCase{new: specialText}) {
		for _, f := range []func(*bytes.Buffer) error{
			func(b *bytes.Buffer) error { return WriteDOCX(b, c.new, trackMeta.Meta) },
			func(b *bytes.Buffer) error { return WriteODT(b, c.new, trackMeta.Meta) },
		} {
			var buf bytes.Buffer
			if err := f(&buf); err != nil {
				t.Fatal(err)
			}
			im, err := ImportBytes(buf.Bytes(), Limits{})
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			// The importer drops a paragraph's leading white space.
			want := paragraphsOf(c.new)
			for k := range want {
				want[k] = strings.TrimLeft(want[k], " \t")
			}
			if diff := cmp.Diff(want, paragraphsOf(im.Text)); diff != "" {
				t.Errorf("case %d %s (-written +read):\n%s", i, im.Format, diff)
			}
			if len(im.Ignored) != 0 || im.Title != trackMeta.Title {
				t.Errorf("case %d %s: ignored %v, title %q", i, im.Format, im.Ignored, im.Title)
			}
		}
	}
}

// TestPDFPoppler checks Redline's PDFs with poppler: pdftotext gives the text
// back (and the first page's facts), pdffonts shows every font embedded.
func TestPDFPoppler(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	pdffonts := tool(t, "pdffonts")
	dir := t.TempDir()
	meta := trackMeta.Meta
	meta.Stage = "final"
	meta.URL = "https://redline.example.org/public/clusters-2011"
	long := strings.Repeat(specialText+"\n\n", 30)
	redlineFoot := "clusters-2011 · r4→r5 · 0123456789ab"
	foot := regexp.MustCompile(`(?m)^(` + regexp.QuoteMeta(footerText(meta)) + `|` + regexp.QuoteMeta(redlineFoot) + `|\d+ ?/ ?\d+)\s*$`)
	type doc struct {
		name, want string
		write      func(*bytes.Buffer) error
	}
	var docs []doc
	for i, text := range []string{specialText, long, redlineCases(1)[0].new} {
		docs = append(docs, doc{fmt.Sprintf("text%d.pdf", i), text, func(b *bytes.Buffer) error { return WritePDF(b, text, meta) }})
	}
	for i, c := range redlineCases(6) {
		m := trackMeta
		m.NoMoves = i%2 == 1
		docs = append(docs, doc{fmt.Sprintf("redline%d.pdf", i), redlineShown(layoutRedline(c.r, !m.NoMoves)), func(b *bytes.Buffer) error { return WriteRedlinePDF(b, c.r, m) }})
	}
	for _, d := range docs {
		var buf bytes.Buffer
		if err := d.write(&buf); err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		p := filepath.Join(dir, d.name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		text := string(run(t, dir, pdftotext, p, "-"))
		body := foot.ReplaceAllString(text, "")
		if !strings.Contains(noSpace(body), noSpace(d.want)) {
			t.Errorf("%s: pdftotext does not give the text back:\n%s", d.name, truncate(text, 1500))
		}
		first := squash(string(run(t, dir, pdftotext, "-f", "1", "-l", "1", p, "-")))
		wantFoot := footerText(meta)
		if strings.HasPrefix(d.name, "redline") {
			wantFoot = redlineFoot
		}
		for _, want := range []string{meta.Title, "Редакция: 5", "SHA-256: " + meta.SHA256, "30.11.2011", "1 / ", wantFoot} {
			if !strings.Contains(first, want) && !strings.Contains(noSpace(first), noSpace(want)) {
				t.Errorf("%s: the first page lacks %q:\n%s", d.name, want, truncate(first, 600))
			}
		}
		if strings.HasPrefix(d.name, "text") {
			for _, want := range []string{"Стадия: принят в целом", "Адрес: " + meta.URL} {
				if !strings.Contains(first, want) {
					t.Errorf("%s: the first page lacks %q", d.name, want)
				}
			}
		}
		fonts := strings.Split(strings.TrimSpace(string(run(t, dir, pdffonts, p))), "\n")
		if len(fonts) < 3 {
			t.Errorf("%s: pdffonts lists no font:\n%s", d.name, strings.Join(fonts, "\n"))
		}
		for _, row := range fonts[2:] {
			f := strings.Fields(row)
			// name type encoding emb sub uni object ID; the type may be two words.
			if len(f) < 7 || f[len(f)-5] != "yes" {
				t.Errorf("%s: a font is not embedded: %s", d.name, row)
			}
		}
	}
}

// redlineShown is the text a redline PDF shows: both sides' words in order,
// with ¶ where a paragraph or line break was added or removed.
func redlineShown(paras []lpara) string {
	var b strings.Builder
	for _, p := range paras {
		for _, pc := range p.pieces {
			switch {
			case pc.kind == kText:
				b.WriteString(pc.text)
			case pc.kind == kBreak && pc.op != opEqual:
				b.WriteString(markParagraph)
			default:
				b.WriteString(" ")
			}
		}
		if p.mark != opEqual {
			b.WriteString(markParagraph)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// TestImportPandocDocuments imports documents another producer writes:
// pandoc's .docx and .odt of a Markdown text with a heading, nested
// numbered lists, bullets, a table and a footnote.
func TestImportPandocDocuments(t *testing.T) {
	pandoc := tool(t, "pandoc")
	dir := t.TempDir()
	md := "# Заголовок\n\nТекст абзаца.\n\n1. Первый\n2. Второй\n    a. вложенный\n    b. ещё\n3. Третий\n\n- маркер\n- маркер два\n\n" +
		"| A | B |\n|---|---|\n| 1 | 2 |\n\nСноска[^1].\n\n[^1]: Текст сноски.\n"
	src := filepath.Join(dir, "doc.md")
	if err := os.WriteFile(src, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "Заголовок\n\nТекст абзаца.\n\n1. Первый\n\n2. Второй\n\na. вложенный\n\nb. ещё\n\n3. Третий\n\n• маркер\n\n• маркер два\n\n| A | B |\n\n| 1 | 2 |\n\nСноска."
	for _, ext := range []string{"docx", "odt"} {
		out := filepath.Join(dir, "doc."+ext)
		run(t, dir, pandoc, src, "-o", out)
		im := importFile(t, out)
		if diff := cmp.Diff(want, im.Text); diff != "" {
			t.Errorf("%s (-want +got):\n%s", ext, diff)
		}
		if diff := cmp.Diff([]Ignored{{Kind: IgnoredFootnote, Count: 1, Paragraphs: []int{12}}}, im.Ignored); diff != "" {
			t.Errorf("%s ignored (-want +got):\n%s", ext, diff)
		}
	}
}

// TestODTSchema has xmllint check the XML parts of the .odt files Redline
// writes: the manifest against the OASIS OpenDocument 1.3 manifest schema,
// the other parts for well-formedness. (The document schema is not kept in
// testdata: no copy of it from a source this repository may take was
// verified; see testdata/README.md. LibreOffice reads every part of every
// .odt in TestLibreOffice.)
func TestODTSchema(t *testing.T) {
	xmllint := tool(t, "xmllint")
	dir := t.TempDir()
	var parts, manifests []string
	for i, c := range append(redlineCases(4), redlineCase{new: specialText}, redlineCase{new: ""}) {
		var buf bytes.Buffer
		m := trackMeta.Meta
		if i == 5 {
			m = Meta{}
		}
		if err := WriteODT(&buf, c.new, m); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"} {
			p := filepath.Join(dir, fmt.Sprintf("%d-%s", i, strings.ReplaceAll(name, "/", "-")))
			if err := os.WriteFile(p, []byte(unzipPart(t, buf.Bytes(), name)), 0o644); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(name, "manifest.xml") {
				manifests = append(manifests, p)
			} else {
				parts = append(parts, p)
			}
		}
		if got := unzipPart(t, buf.Bytes(), "mimetype"); got != "application/vnd.oasis.opendocument.text" {
			t.Errorf("mimetype %q", got)
		}
	}
	run(t, dir, xmllint, append([]string{"--noout"}, parts...)...)
	run(t, dir, xmllint, append([]string{"--noout", "--relaxng", absPath(t, "testdata/odf-schema/OpenDocument-v1.3-manifest-schema.rng")}, manifests...)...)
}

func absPath(t testing.TB, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPDFMissingGlyphs: characters the embedded fonts lack are drawn as a
// visible □, never dropped.
func TestPDFMissingGlyphs(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := WritePDF(&buf, "Кириллица, 漢字 и 😀, греческий αβγ.", Meta{Title: "Заголовок 漢"}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "g.pdf")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got := squash(string(run(t, dir, pdftotext, p, "-")))
	for _, want := range []string{"Заголовок □", "Кириллица, □□ и □, греческий αβγ."} {
		if !strings.Contains(got, want) {
			t.Errorf("pdftotext gives %q, want %q in it", got, want)
		}
	}
}

// TestRealDocumentLibreOffice holds the import of the real Aprx manual
// (testdata/aprx-manual.odt) against LibreOffice's own reading of it: every
// numbered heading LibreOffice's plain-text rendering shows, Redline shows
// alike and in the same order, and every other line of that rendering is a
// line of Redline's text but for what is documented to differ (a table's
// cells, which Redline writes as rows, and lines with a footnote's mark,
// which Redline lists as ignored). LibreOffice's own .docx of the manual
// imports to the same text (Word has no soft hyphens in text; LibreOffice
// keeps them in .odt).
func TestRealDocumentLibreOffice(t *testing.T) {
	soffice := tool(t, "soffice")
	dir := t.TempDir()
	src := filepath.Join(dir, "aprx-manual.odt")
	b, err := os.ReadFile("testdata/aprx-manual.odt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sofficeRun(t, soffice, filepath.Join(dir, "profile"), dir, "txt:Text", src)
	sofficeRun(t, soffice, filepath.Join(dir, "profile"), dir, "docx", src)
	oracle, err := os.ReadFile(filepath.Join(dir, "aprx-manual.txt"))
	if err != nil {
		t.Fatal(err)
	}
	im := importFile(t, src)
	lines := func(s string) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimPrefix(s, "\ufeff"), "\n") {
			if l = squash(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	lo, rl := lines(string(oracle)), lines(im.Text)
	heading := regexp.MustCompile(`^\d+(\.\d+)* \S`)
	var loH, rlH []string
	for _, l := range lo {
		if heading.MatchString(l) && !strings.Contains(l, "\t") {
			loH = append(loH, l)
		}
	}
	for _, l := range rl {
		if heading.MatchString(l) && !strings.Contains(l, "\t") {
			rlH = append(rlH, l)
		}
	}
	if len(loH) < 70 {
		t.Fatalf("LibreOffice shows only %d numbered headings", len(loH))
	}
	if diff := cmp.Diff(loH, rlH); diff != "" {
		t.Errorf("numbered headings (-LibreOffice +Redline):\n%s", diff)
	}
	have := map[string]bool{}
	for _, l := range rl {
		have[l] = true
	}
	var missing []string
	for _, l := range lo {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	// The table's 11 cell lines and the 2 lines with a footnote's mark.
	if len(missing) != 13 {
		t.Errorf("%d of LibreOffice's %d lines are not Redline's, want 13 (a table's cells and 2 footnote marks):\n%s",
			len(missing), len(lo), strings.Join(missing, "\n"))
	}
	docx := importFile(t, filepath.Join(dir, "aprx-manual.docx"))
	if diff := cmp.Diff(strings.ReplaceAll(im.Text, "\u00ad", ""), docx.Text); diff != "" {
		t.Errorf("LibreOffice's .docx of the manual (-.odt +.docx):\n%s", diff)
	}
}
