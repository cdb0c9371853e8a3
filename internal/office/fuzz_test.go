package office

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestImportRealDocument imports a real public document of a few hundred KB
// (the OASIS ODF 1.2 specification, see testdata/README.md). The paragraphs
// checked below were compared with LibreOffice's own plain-text rendering of
// the same file (soffice --convert-to txt:Text), which shows the same labels.
func TestImportRealDocument(t *testing.T) {
	im := importFile(t, "testdata/OpenDocument-v1.2-os-part1.odt")
	if want := "OASIS Open Document Format for Office Applications (OpenDocument) Version 1.2 - Part 1: OpenDocument Schema"; im.Title != want {
		t.Errorf("title %q", im.Title)
	}
	paras := map[string]bool{}
	for _, p := range strings.Split(im.Text, "\n\n") {
		paras[p] = true
	}
	for _, want := range []string{
		"Open Document Format for Office Applications (OpenDocument) Version 1.2",
		"1 Introduction\t79", // the table of contents keeps its tab and page number
		"1.1 Introduction", "1.2 Terminology", "8.9.1 General", "19.1 General", "20.394.1 General",
		"| Prefix | Description | Namespace |",
	} {
		if !paras[want] {
			t.Errorf("no paragraph %q", want)
		}
	}
	if im.Paragraphs < 15000 || len(im.Text) < 1<<20 {
		t.Errorf("%d paragraphs, %d bytes: the document has about 18 500 paragraphs and 1.7 MB of text", im.Paragraphs, len(im.Text))
	}
	counts := map[string]int{}
	for _, ig := range im.Ignored {
		counts[ig.Kind] = ig.Count
	}
	// The specification's formulas are embedded objects, its figures images.
	if counts[IgnoredObject] == 0 || counts[IgnoredImage] == 0 || counts[IgnoredField] == 0 || counts[IgnoredLink] == 0 {
		t.Errorf("ignored %v: want objects, images, fields and links listed", im.Ignored)
	}
	checkText(t, im.Text)
}

// checkText asserts what every imported text must be: valid UTF-8 without
// control characters but tab and newline (what Redline accepts as a
// revision), paragraphs separated by exactly one blank line, no line ending in
// a space.
func checkText(t testing.TB, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("text is not valid UTF-8")
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }); i >= 0 {
		t.Fatalf("text holds a control character at %d: %q", i, s[max(0, i-20):min(len(s), i+20)])
	}
	if strings.Contains(s, "\n\n\n") || strings.HasPrefix(s, "\n") || strings.HasSuffix(s, "\n") {
		t.Fatalf("text has stray blank lines: %q", truncate(s, 200))
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimRightFunc(line, unicode.IsSpace) != line {
			t.Fatalf("line ends in white space: %q", line)
		}
	}
	for _, p := range strings.Split(s, "\n\n") {
		for _, line := range strings.Split(p, "\n") {
			if strings.TrimSpace(line) == "" {
				t.Fatalf("blank line inside a paragraph: %q", p)
			}
		}
	}
}

// FuzzImport feeds the importers outside input: they must never panic, every
// refusal must carry a reason, and every text must be one Redline accepts.
func FuzzImport(f *testing.F) {
	f.Add(docxOf(f, p("Текст")+np(1, 0, "пункт"), `<w:abstractNum w:abstractNumId="0">`+lvl(0, "decimal", "%1.", "")+`</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>`, ""))
	f.Add(odtOf(f, `<text:list><text:list-item><text:p>a<text:s text:c="3"/>b</text:p></text:list-item></text:list><table:table><table:table-row><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row></table:table>`))
	for _, text := range []string{specialText, "1. Пункт\n\n2. Пункт"} {
		var d, o bytes.Buffer
		if err := WriteDOCX(&d, text, trackMeta.Meta); err != nil {
			f.Fatal(err)
		}
		if err := WriteODT(&o, text, trackMeta.Meta); err != nil {
			f.Fatal(err)
		}
		f.Add(d.Bytes())
		f.Add(o.Bytes())
	}
	if b, err := os.ReadFile("testdata/sample.fodt"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := ImportBytes(data, Limits{MaxParagraphs: 2000, MaxTextBytes: 1 << 20})
		if err != nil {
			var e *Error
			if !asError(err, &e) || e.Reason == "" || e.Message == "" || e.MessageRU == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		checkText(t, im.Text)
		if im.Paragraphs != len(strings.Split(im.Text, "\n\n")) {
			t.Fatalf("Paragraphs = %d for %d paragraphs", im.Paragraphs, len(strings.Split(im.Text, "\n\n")))
		}
	})
}
