package akn

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"redline/internal/outline"
	"redline/internal/testenv"
	"redline/internal/webui/demo"
)

var (
	created = time.Date(2011, 11, 1, 9, 0, 0, 0, time.UTC)
	day     = time.Date(2011, 11, 30, 12, 0, 0, 0, time.UTC)
)

// validate runs xmllint with the OASIS schema over files, in one process,
// and returns xmllint's complaints about each file that does not validate.
func validate(t *testing.T, files []string) map[string]string {
	t.Helper()
	xmllint := testenv.Tool(t, "xmllint", "libxml2-utils")
	schema, err := filepath.Abs("testdata/schema/akomantoso30.xsd")
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--noout", "--nonet", "--schema", schema}, files...)
	out, err := exec.Command(xmllint, args...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run xmllint: %v", err)
	}
	bad := map[string]string{}
	ok := 0
	for _, line := range strings.Split(string(out), "\n") {
		for _, f := range files {
			switch {
			case line == f+" validates":
				ok++
			case strings.HasPrefix(line, f+":") || line == f+" fails to validate":
				bad[f] += line + "\n"
			}
		}
	}
	if ok+len(bad) != len(files) {
		t.Fatalf("xmllint reported on %d of %d files:\n%s", ok+len(bad), len(files), out)
	}
	return bad
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func demoDocument() Document {
	return Document{
		Slug: demo.Slug, Title: demo.Title, Language: "ru", Body: "Участники конференции", Created: created,
		Revision: 4, SHA256: strings.Repeat("a", 64), Text: demo.Revision4,
		Adoptions: []Adoption{{Revision: 4, Stage: "basis", At: day, Votes: &Votes{For: 112, Against: 3, Abstained: 5}}},
	}
}

// TestDemoValidates: the demo conference's texts, as adopted and as drafts,
// in Russian and English, validate against the OASIS schema.
func TestDemoValidates(t *testing.T) {
	dir := t.TempDir()
	basis := demoDocument()
	final := basis
	final.Adoptions = append(append([]Adoption(nil), basis.Adoptions...), Adoption{Revision: 4, Stage: "final", At: day.Add(2 * time.Hour)})
	amended := basis
	amended.Revision, amended.Text = 5, demo.Revision4+"\n\n20. Новый пункт:\n\nа) первый;\n\nб) второй.\n"
	amended.Adoptions = append(append([]Adoption(nil), basis.Adoptions...), Adoption{Revision: 5, Stage: "final", At: day.Add(time.Hour), Votes: &Votes{For: 100}})
	draft := basis
	draft.Revision, draft.Text, draft.Adoptions, draft.RevisionAt = 1, demo.Revision1, nil, created.Add(time.Hour)
	english := Document{Slug: "charter", Title: "Charter & <rules>", Language: "en", Created: created, Revision: 2,
		SHA256: strings.Repeat("b", 64), Text: englishText,
		Adoptions: []Adoption{{Revision: 2, Stage: "final", At: day}}}
	docs := map[string]Document{"basis": basis, "final": final, "amended": amended, "draft": draft, "english": english}
	var files []string
	texts := map[string]Document{}
	for name, d := range docs {
		b, err := Marshal(d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkDocument(t, d, b)
		f := writeFile(t, dir, name+".xml", b)
		files = append(files, f)
		texts[f] = d
	}
	for f, msg := range validate(t, files) {
		t.Errorf("%s does not validate:\n%s", filepath.Base(f), msg)
	}
	b, _ := Marshal(final)
	for _, want := range []string{`name="resolution"`, `<docStage refersTo="#final">принят в целом</docStage>`,
		`<step eId="step_2" date="2011-11-30T14:00:00Z" by="#body" as="#author" outcome="#final"`,
		`<count eId="voting_1__for" value="112" refersTo="#votesFor"/>`, `<num>19.</num>`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("the final adoption's file lacks %s", want)
		}
	}
	// The same revision adopted twice is one expression, one lifecycle event.
	if bytes.Count(b, []byte("<eventRef")) != 1 || !bytes.Contains(b, []byte(`/rus@2011-11-30"`)) {
		t.Errorf("re-adoption of the same text:\n%s", b)
	}
	b, _ = Marshal(amended)
	if !bytes.Contains(b, []byte(`type="amendment"`)) || !bytes.Contains(b, []byte(`rus@2011-11-30-r5"`)) {
		t.Errorf("a new revision adopted the same day needs its own expression:\n%s", b[:3000])
	}
	b, _ = Marshal(draft)
	if !bytes.Contains(b, []byte(`name="resolutionDraft"`)) || bytes.Contains(b, []byte("<workflow")) || !bytes.Contains(b, []byte(`rus@r1"`)) {
		t.Errorf("a draft export:\n%s", b[:2500])
	}
}

const englishText = `The General Assembly,

Recalling its earlier resolutions,

Article 1 — Scope

1. Decides:

(a) to meet;

(b) to report, including:

(i) the text;

(ii) the votes;

2. Requests the Secretariat to publish the text.

## Final provisions

This Charter enters into force on adoption.`

// TestRandomTextsValidate: random Russian and English texts with a
// preamble, numbered items in every style, sub-items and headings validate,
// keep every paragraph's text in order, and resolve every reference.
func TestRandomTextsValidate(t *testing.T) {
	dir := t.TempDir()
	var files []string
	sources := map[string]string{}
	rapid.Check(t, func(rt *rapid.T) {
		ru := rapid.Bool().Draw(rt, "ru")
		d := Document{Slug: "doc-" + fmt.Sprint(len(files)), Title: "Итоговый документ", Language: "ru", Created: created,
			Revision: 3, SHA256: strings.Repeat("c", 64), Text: genText(ru).Draw(rt, "text")}
		if !ru {
			d.Language, d.Title = "en", "Final document"
		}
		for k := range rapid.IntRange(0, 3).Draw(rt, "adoptions") {
			a := Adoption{Revision: int64(k + 1), Stage: rapid.SampledFrom([]string{"basis", "final"}).Draw(rt, "stage"),
				At: day.Add(time.Duration(rapid.IntRange(0, 48).Draw(rt, "hours")) * time.Hour * time.Duration(k))}
			if rapid.Bool().Draw(rt, "votes") {
				a.Votes = &Votes{For: int64(rapid.IntRange(0, 500).Draw(rt, "for")), Against: 1}
			}
			d.Adoptions = append(d.Adoptions, a)
		}
		if n := len(d.Adoptions); n > 0 {
			d.Revision = d.Adoptions[n-1].Revision
		}
		b, err := Marshal(d)
		if err != nil {
			rt.Fatalf("Marshal: %v", err)
		}
		checkDocument(rt, d, b)
		f := writeFile(t, dir, fmt.Sprintf("r%03d.xml", len(files)), b)
		files = append(files, f)
		sources[f] = d.Text
	})
	for f, msg := range validate(t, files) {
		t.Errorf("the text\n%s\ngives a file that does not validate:\n%s", sources[f], msg)
	}
}

func genText(ru bool) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		words := strings.Fields("участники конференции кластер поддержка Москвы рекомендуют обеспечить «развитие» & <тег>")
		if !ru {
			words = strings.Fields("members shall report the text decides requests recalling \"quoted\" & <tag>")
		}
		sentence := func(label string) string {
			var w []string
			for range rapid.IntRange(1, 9).Draw(t, label) {
				w = append(w, rapid.SampledFrom(words).Draw(t, label+"w"))
			}
			s := strings.Join(w, " ")
			if rapid.IntRange(0, 5).Draw(t, label+"nl") == 0 {
				s += "\n" + strings.Join(w[:len(w)/2+1], " ")
			}
			return s + rapid.SampledFrom([]string{".", ";", ":"}).Draw(t, label+"end")
		}
		var paras []string
		for range rapid.IntRange(0, 3).Draw(t, "preamble") {
			paras = append(paras, sentence("pre"))
		}
		top := rapid.SampledFrom([]string{"%d.", "%d)", "(%d)"}).Draw(t, "top")
		sub := rapid.SampledFrom([]string{"%c)", "(%c)", "%d.%d."}).Draw(t, "sub")
		letters := []rune("абвгдежзик")
		if !ru {
			letters = []rune("abcdefghjk")
		}
		heads := []string{"Статья %d.", "Раздел %s", "## Рекомендации", "%s. Общие положения"}
		if !ru {
			heads = []string{"Article %d —", "Section %s", "## Recommendations", "%s. General provisions"}
		}
		romans := []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}
		n, h := 1, 1
		for range rapid.IntRange(1, 10).Draw(t, "items") {
			switch rapid.IntRange(0, 7).Draw(t, "what") {
			case 0:
				f := rapid.SampledFrom(heads).Draw(t, "heading")
				switch {
				case strings.Contains(f, "%d"):
					f = fmt.Sprintf(f, h)
				case strings.Contains(f, "%s"):
					f = fmt.Sprintf(f, romans[(h-1)%10])
				}
				if strings.HasSuffix(f, "—") {
					f += " Scope"
				}
				paras = append(paras, f)
				h++
				if rapid.Bool().Draw(t, "restart") {
					n = 1
				}
			case 1:
				paras = append(paras, sentence("plain"))
			default:
				paras = append(paras, fmt.Sprintf(top, n)+" "+sentence("item"))
				for k := range rapid.IntRange(0, 3).Draw(t, "subs") {
					if strings.Contains(sub, "%c") {
						paras = append(paras, fmt.Sprintf(sub, letters[k])+" "+sentence("sub"))
					} else {
						paras = append(paras, fmt.Sprintf(sub, n, k+1)+" "+sentence("sub"))
					}
				}
				n++
			}
		}
		return strings.Join(paras, rapid.SampledFrom([]string{"\n\n", "\r\n\r\n", "\n\n\n"}).Draw(t, "sep")) + "\n"
	})
}

type fataler interface {
	Fatalf(format string, args ...any)
}

// checkDocument checks what the schema cannot: every paragraph's text is
// there, in order, inside a p; every eId is unique; every local reference
// ("#x") names an element of the file.
func checkDocument(t fataler, d Document, b []byte) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	ids := map[string]bool{}
	var refs []string
	var ps []string
	var cur *strings.Builder
	depthInBody := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "preamble" || e.Name.Local == "mainBody" {
				depthInBody++
			}
			for _, a := range e.Attr {
				switch a.Name.Local {
				case "eId":
					if ids[a.Value] {
						t.Fatalf("eId %q twice", a.Value)
					}
					ids[a.Value] = true
				case "href", "refersTo", "source", "by", "as", "outcome":
					for _, v := range strings.Fields(a.Value) {
						if strings.HasPrefix(v, "#") {
							refs = append(refs, v[1:])
						} else if a.Name.Local != "href" {
							t.Fatalf("%s=%q is not a local reference", a.Name.Local, a.Value)
						}
					}
				}
			}
			switch {
			case e.Name.Local == "p" && depthInBody > 0:
				cur = &strings.Builder{}
			case e.Name.Local == "eol" && cur != nil:
				cur.WriteString("\n")
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "preamble", "mainBody":
				depthInBody--
			case "p":
				if cur != nil {
					ps = append(ps, cur.String())
					cur = nil
				}
			}
		case xml.CharData:
			if cur != nil {
				cur.Write(e)
			}
		}
	}
	for _, r := range refs {
		if !ids[r] {
			t.Fatalf("reference #%s names no element", r)
		}
	}
	text := strings.ReplaceAll(d.Text, "\r\n", "\n")
	var want []string
	for _, p := range outline.Parse(text) {
		if p.Kind == outline.KindBlank || p.Kind == outline.KindHeading {
			continue
		}
		var lines []string
		for _, l := range strings.Split(p.Text(text), "\n") {
			lines = append(lines, strings.TrimRight(l, " \t\r"))
		}
		want = append(want, strings.Join(lines, "\n"))
	}
	if len(want) == 0 {
		want = []string{""}
	}
	if strings.Join(ps, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("the file's paragraphs\n%q\ndiffer from the text's\n%q", ps, want)
	}
}

// TestSchemaRefusesWhatItShould: the validation is real — xmllint refuses a
// file with its operative part removed, or an element Akoma Ntoso lacks.
func TestSchemaRefusesWhatItShould(t *testing.T) {
	b, err := Marshal(demoDocument())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	noBody := bytes.Clone(b[:bytes.Index(b, []byte("    <mainBody>"))])
	noBody = append(noBody, "  </statement>\n</akomaNtoso>\n"...)
	unknown := bytes.Replace(b, []byte("<num>1.</num>"), []byte("<number>1.</number>"), 1)
	dupID := bytes.Replace(b, []byte(`eId="para_2"`), []byte(`eId="para_1"`), 1)
	files := []string{writeFile(t, dir, "nobody.xml", noBody), writeFile(t, dir, "unknown.xml", unknown), writeFile(t, dir, "dup.xml", dupID)}
	bad := validate(t, files)
	for _, f := range files {
		if bad[f] == "" {
			t.Errorf("xmllint accepted %s", filepath.Base(f))
		}
	}
}

func TestDeterministicAndRobust(t *testing.T) {
	d := demoDocument()
	a, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Marshal(d)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs differ")
	}
	// Characters XML cannot hold become U+FFFD; the file stays valid.
	d.Text = "1. Bell \x07 and NUL \x00 and \uFFFE.\n\n2. <script>&amp;</script>"
	d.Title = "Title \x01"
	out, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, Document{Text: "1. Bell \uFFFD and NUL \uFFFD and \uFFFD.\n\n2. <script>&amp;</script>"}, out)
	f := writeFile(t, t.TempDir(), "odd.xml", out)
	if bad := validate(t, []string{f}); len(bad) > 0 {
		t.Errorf("odd characters:\n%s", bad[f])
	}
	// An empty text still has a main body.
	d.Text = ""
	if out, err = Marshal(d); err != nil || !bytes.Contains(out, []byte("<mainBody>\n      <p/>")) {
		t.Errorf("empty text: %v\n%s", err, out)
	}
	for name, bad := range map[string]Document{
		"no slug":       {Title: "t", Created: created, Revision: 1},
		"bad UTF-8":     {Slug: "s", Title: "t", Created: created, Revision: 1, Text: "\xff"},
		"no date":       {Slug: "s", Title: "t", Revision: 1},
		"wrong stage":   {Slug: "s", Title: "t", Created: created, Revision: 1, Adoptions: []Adoption{{Revision: 1, Stage: "maybe", At: day}}},
		"last mismatch": {Slug: "s", Title: "t", Created: created, Revision: 2, Adoptions: []Adoption{{Revision: 1, Stage: "basis", At: day}}},
	} {
		if _, err := Marshal(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
