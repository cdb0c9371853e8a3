package office

import (
	"bytes"
	"maps"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestImportRealDocument imports a real public document of a few hundred KB:
// the Aprx 2.9 manual (223 KB, 68 pages, LibreOffice 5.1), as Debian's
// aprx package ships it (see testdata/README.md). Its headings are numbered
// by the outline style through lists that continue one another, its table
// of contents keeps tabs and page numbers, and it has pictures, footnotes,
// a table, fields and links. The paragraphs checked below are LibreOffice's
// own plain-text rendering of the file (soffice --convert-to txt:Text);
// TestRealDocumentLibreOffice compares every line.
func TestImportRealDocument(t *testing.T) {
	im := importFile(t, "testdata/aprx-manual.odt")
	if im.Title != "Aprx 2.9 Manual" {
		t.Errorf("title %q", im.Title)
	}
	paras := map[string]bool{}
	for _, p := range strings.Split(im.Text, "\n\n") {
		paras[p] = true
	}
	for _, want := range []string{
		"Aprx 2.9 Manual",
		"Table of Contents",
		"1  What is APRX?\t  5", // the table of contents keeps its tab and page number
		"3.9.4.10  Filter U – Unproto\t  43",
		"1 What is APRX?", "2 Configuration Examples", "2.1 Minimal Configuration of Rx-iGate",
		"3.6.1.1 USB serial port powering and reliability", "3.9.4.10 Filter U – Unproto", "9 Credits",
		"| TNC model | Init-string content |",
		"| Kantronics KPC3,\nKantronics KAM Plus | \"\\x0dINTFACE KISS\\x0dRESET\\x0d\" |", // a cell's two paragraphs
	} {
		if !paras[want] {
			t.Errorf("no paragraph %q", want)
		}
	}
	if im.Paragraphs != 1212 || len(im.Text) != 78194 {
		t.Errorf("%d paragraphs, %d bytes: want 1212 paragraphs and 78 194 bytes of text", im.Paragraphs, len(im.Text))
	}
	counts := map[string]int{}
	for _, ig := range im.Ignored {
		counts[ig.Kind] = ig.Count
	}
	want := map[string]int{IgnoredImage: 20, IgnoredFootnote: 2, IgnoredLink: 14, IgnoredField: 22, IgnoredTextBox: 1}
	if !maps.Equal(counts, want) {
		t.Errorf("ignored %v, want %v", counts, want)
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
