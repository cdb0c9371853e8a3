package office

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMeasureAgainstLibreOffice times Redline's import and export of a 1 MB
// Russian document against LibreOffice's own conversion of the same file in
// the same run (soffice --headless --convert-to), as medians of interleaved
// runs, and prints the ratios. It is a measurement, not a check: run it with
// REDLINE_OFFICE_MEASURE=N (the number of runs).
func TestMeasureAgainstLibreOffice(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("REDLINE_OFFICE_MEASURE"))
	if runs <= 0 {
		t.Skip("set REDLINE_OFFICE_MEASURE=5 to measure")
	}
	soffice := tool(t, "soffice")
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	var b strings.Builder
	for i := 1; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "%d. ", i)
		for k := range 40 {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ruWords[(i*7+k*13)%len(ruWords)])
		}
		b.WriteString(".\n\n")
	}
	text := strings.TrimSpace(b.String())
	txt := filepath.Join(dir, "doc.txt")
	must(t, os.WriteFile(txt, []byte(text), 0o644))
	var docx, odt bytes.Buffer
	must(t, WriteDOCX(&docx, text, trackMeta.Meta))
	must(t, WriteODT(&odt, text, trackMeta.Meta))
	docxFile, odtFile := filepath.Join(dir, "in.docx"), filepath.Join(dir, "in.odt")
	must(t, os.WriteFile(docxFile, docx.Bytes(), 0o644))
	must(t, os.WriteFile(odtFile, odt.Bytes(), 0o644))
	sofficeRun(t, soffice, profile, filepath.Join(dir, "warm"), "docx", txt) // first start creates the profile

	type pair struct {
		name        string
		redline, lo func()
	}
	out := filepath.Join(dir, "out")
	pairs := []pair{
		{"import .docx (Redline Import vs soffice --convert-to txt)", func() { _, err := ImportBytes(docx.Bytes(), Limits{}); must(t, err) },
			func() { sofficeRun(t, soffice, profile, out, "txt:Text", docxFile) }},
		{"import .odt (Redline Import vs soffice --convert-to txt)", func() { _, err := ImportBytes(odt.Bytes(), Limits{}); must(t, err) },
			func() { sofficeRun(t, soffice, profile, out, "txt:Text", odtFile) }},
		{"export .docx (Redline WriteDOCX vs soffice --convert-to docx of the .txt)", func() { var w bytes.Buffer; must(t, WriteDOCX(&w, text, trackMeta.Meta)) },
			func() { sofficeRun(t, soffice, profile, out, "docx", txt) }},
		{"export .odt (Redline WriteODT vs soffice --convert-to odt of the .txt)", func() { var w bytes.Buffer; must(t, WriteODT(&w, text, trackMeta.Meta)) },
			func() { sofficeRun(t, soffice, profile, out, "odt", txt) }},
		{"export .pdf (Redline WritePDF vs soffice --convert-to pdf of the .txt)", func() { var w bytes.Buffer; must(t, WritePDF(&w, text, trackMeta.Meta)) },
			func() { sofficeRun(t, soffice, profile, out, "pdf", txt) }},
	}
	timeIt := func(f func()) time.Duration { s := time.Now(); f(); return time.Since(s) }
	for _, p := range pairs {
		var rs, ls []time.Duration
		for range runs {
			rs = append(rs, timeIt(p.redline))
			ls = append(ls, timeIt(p.lo))
		}
		slices.Sort(rs)
		slices.Sort(ls)
		r, l := rs[len(rs)/2], ls[len(ls)/2]
		t.Logf("%-75s Redline %8.1f ms  LibreOffice %8.1f ms  ratio %.3f", p.name, ms(r), ms(l), float64(r)/float64(l))
	}
	t.Logf("document: %d bytes of text, %d paragraphs; .docx %d bytes, .odt %d bytes", len(text), strings.Count(text, "\n\n")+1, docx.Len(), odt.Len())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
