package office

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"redline/internal/textdiff"
)

// resolve plays Word's "accept all" (accept) or "reject all" on a laid-out
// redline: pieces of the other side vanish, and a paragraph whose mark
// vanishes runs on into the next one. Empty paragraphs are kept, so that a
// stray one is caught: Word would show it.
func resolveLayout(paras []lpara, accept bool) []string {
	keep := func(o op) bool {
		if o == opEqual {
			return true
		}
		return o.isNew() == accept
	}
	var out []string
	var cur strings.Builder
	for i, p := range paras {
		for _, pc := range p.pieces {
			if !keep(pc.op) {
				continue
			}
			switch pc.kind {
			case kText:
				cur.WriteString(pc.text)
			case kTab:
				cur.WriteString("\t")
			case kBreak:
				cur.WriteString("\n")
			}
		}
		if keep(p.mark) || i == len(paras)-1 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	return out
}

func diffModes(t *rapid.T) textdiff.Mode {
	return rapid.SampledFrom([]textdiff.Mode{textdiff.ModeWord, textdiff.ModeWord, textdiff.ModeChar, textdiff.ModeLine}).Draw(t, "mode")
}

// TestLayoutRedlineResolves checks the layout every writer shares: accepting
// every change gives the new text's paragraphs exactly and rejecting them the
// old text's, for random Russian texts and random edits, in every diff mode,
// with and without moves.
func TestLayoutRedlineResolves(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDocument(t)
		old := d.text(t, "old")
		nw := editDocument(t, d).text(t, "new")
		r := textdiff.Diff(old, nw, textdiff.Options{Mode: diffModes(t)})
		paras := layoutRedline(r, rapid.Bool().Draw(t, "moves"))
		if diff := cmp.Diff(paragraphsOf(nw), resolveLayout(paras, true)); diff != "" {
			t.Fatalf("accept all (-new +got):\n%s\nold %q\nnew %q", diff, old, nw)
		}
		if diff := cmp.Diff(paragraphsOf(old), resolveLayout(paras, false)); diff != "" {
			t.Fatalf("reject all (-old +got):\n%s\nold %q\nnew %q", diff, old, nw)
		}
	})
}

func TestLayoutText(t *testing.T) {
	text := "\n\n  Отступ и  два пробела\t таб  \nвторая строка\n \n\n3. Пункт\n\n"
	got := resolveLayout(layoutText(text), true)
	want := []string{"  Отступ и  два пробела\t таб\nвторая строка", "3. Пункт"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layout (-want +got):\n%s", diff)
	}
	if got := resolveLayout(layoutText(""), true); len(got) != 1 || got[0] != "" {
		t.Errorf("empty text: %q", got)
	}
}

// tool finds a real client on PATH; without it a test skips, or fails under
// make test (REDLINE_TEST_REQUIRE_SERVICES=1), which installs them.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("REDLINE_TEST_REQUIRE_SERVICES") != "" {
		t.Fatalf("%s is not installed but REDLINE_TEST_REQUIRE_SERVICES is set: make test installs it (scripts/services.sh office_tools)", name)
	}
	t.Skipf("%s is not installed; make test installs it", name)
	return ""
}

// run runs a real client with a generous safety limit (a hang, not a
// budget: the result never depends on the time taken).
func run(t testing.TB, dir string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
		}
	case <-time.After(5 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("%s %s did not finish in 5 minutes", name, strings.Join(args, " "))
	}
	return out.Bytes()
}

type redlineCase struct {
	old, new string
	r        *textdiff.Result
	moves    bool
}

// redlineCases draws n random cases from rapid's generators, deterministically.
func redlineCases(n int) []redlineCase {
	gen := rapid.Custom(func(t *rapid.T) redlineCase {
		d := genDocument(t)
		old := d.text(t, "old")
		nw := editDocument(t, d).text(t, "new")
		return redlineCase{old: old, new: nw, r: textdiff.Diff(old, nw, textdiff.Options{Mode: diffModes(t)}), moves: rapid.IntRange(0, 3).Draw(t, "moves") > 0}
	})
	cases := make([]redlineCase, n)
	for i := range cases {
		cases[i] = gen.Example(i)
	}
	return cases
}

var trackMeta = RedlineMeta{Meta: Meta{Title: "Итоговый документ", Slug: "clusters-2011", Revision: 5, Author: "Председатель Иванов И. И.",
	Date: time.Date(2011, 11, 30, 12, 0, 0, 0, time.UTC), SHA256: strings.Repeat("0123456789abcdef", 4)}, From: 4}

// TestRedlineDOCXPandoc has pandoc read the tracked changes Redline writes:
// --track-changes=accept must give the newer text and reject the older one,
// paragraph for paragraph, for random Russian texts and random edits.
func TestRedlineDOCXPandoc(t *testing.T) {
	pandoc := tool(t, "pandoc")
	dir := t.TempDir()
	cases := redlineCases(24)
	// A move, a renumbering, a split and a join, whatever the draw gives.
	cases = append(cases, redlineCase{
		old: "1. Первый пункт.\n\n2. Второй пункт,\nв две строки.\n\n3. Третий пункт.\n\n4. Четвёртый и пятый.",
		new: "1. Новый пункт.\n\n2. Первый пункт.\n\n3. Третий пункт.\n\n4. Второй пункт, в две строки.\n\n5. Четвёртый\n\nи пятый.", moves: true})
	last := &cases[len(cases)-1]
	last.r = textdiff.Diff(last.old, last.new, textdiff.Options{})
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	errs := make([]string, len(cases))
	for i, c := range cases {
		name := filepath.Join(dir, fmt.Sprintf("case%02d.docx", i))
		var buf bytes.Buffer
		m := trackMeta
		m.NoMoves = !c.moves
		if err := WriteRedlineDOCX(&buf, c.r, m); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, side := range []struct {
				mode, want string
			}{{"accept", c.new}, {"reject", c.old}} {
				out, err := exec.Command(pandoc, "--track-changes="+side.mode, "-f", "docx", "-t", "plain", "--wrap=none", name).CombinedOutput()
				if err != nil {
					errs[i] = fmt.Sprintf("pandoc %s: %v\n%s", side.mode, err, out)
					return
				}
				got := squashAll(strings.Split(string(out), "\n\n"))
				if diff := cmp.Diff(squashAll(paragraphsOf(side.want)), got); diff != "" {
					errs[i] = fmt.Sprintf("--track-changes=%s (-want +pandoc):\n%s\nold %q\nnew %q", side.mode, diff, c.old, c.new)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("case %d: %s", i, e)
		}
	}
	// The tracked changes carry the later revision's author and date.
	var buf bytes.Buffer
	if err := WriteRedlineDOCX(&buf, last.r, trackMeta); err != nil {
		t.Fatal(err)
	}
	doc := unzipPart(t, buf.Bytes(), "word/document.xml")
	for _, want := range []string{`w:author="Председатель Иванов И. И."`, `w:date="2011-11-30T12:00:00Z"`, "<w:moveFrom ", "<w:moveTo ", `<w:moveFromRangeStart`, "<w:ins ", "<w:del "} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
}

func unzipPart(t testing.TB, data []byte, name string) string {
	t.Helper()
	a, err := openArchive(data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.readAll(name, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExportDeterministic: the same revision gives the same bytes, so that
// downloads can be cached by the revision's hash.
func TestExportDeterministic(t *testing.T) {
	text := "1. Пункт.\n\n2. Ещё пункт."
	for _, f := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return WriteDOCX(b, text, trackMeta.Meta) },
		func(b *bytes.Buffer) error { return WriteODT(b, text, trackMeta.Meta) },
		func(b *bytes.Buffer) error { return WritePDF(b, text, trackMeta.Meta) },
	} {
		var a, b bytes.Buffer
		if err := f(&a); err != nil {
			t.Fatal(err)
		}
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() == 0 {
			t.Errorf("two exports differ (%d and %d bytes)", a.Len(), b.Len())
		}
	}
}
