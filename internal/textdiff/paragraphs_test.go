package textdiff

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// TestParagraphsAgreeWithDiff: Paragraphs numbers paragraphs as Diff does,
// so an index from a redline names the same paragraph in Paragraphs.
func TestParagraphsAgreeWithDiff(t *testing.T) {
	old, err := os.ReadFile("testdata/resolution_old.txt")
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"", "one", "\n\n  x  \n", "1. a\r\n\r\n2) b\n\n\n   \nа) в\nг) д", string(old)}
	for _, text := range texts {
		spans := Paragraphs(text)
		r := Diff(text, text, Options{})
		if len(spans) != len(r.Paragraphs) {
			t.Fatalf("%q: %d spans, Diff has %d paragraphs", text, len(spans), len(r.Paragraphs))
		}
		var b strings.Builder
		pos := 0
		for i, s := range spans {
			p := r.Paragraphs[i]
			if p.NewIndex != i || p.OldIndex != i {
				t.Fatalf("%q: paragraph %d has indexes %d/%d", text, i, p.OldIndex, p.NewIndex)
			}
			if s.Start != pos && !(i == 0 && s.Start == 0) {
				t.Fatalf("%q: span %d starts at %d, want %d", text, i, s.Start, pos)
			}
			var body strings.Builder
			for _, c := range p.Chunks {
				body.WriteString(c.Text)
			}
			if got := text[s.Start:s.SepEnd]; got != body.String() {
				t.Fatalf("%q: span %d is %q, Diff's paragraph is %q", text, i, got, body.String())
			}
			if m := text[s.MarkerStart:s.MarkerEnd]; s.MarkerEnd > s.MarkerStart && !strings.HasPrefix(strings.TrimLeft(text[s.Start:s.End], " \t"), m) {
				t.Fatalf("%q: marker %q is not at the start of %q", text, m, text[s.Start:s.End])
			}
			b.WriteString(text[s.Start:s.SepEnd])
			pos = s.SepEnd
		}
		if b.String() != text {
			t.Fatalf("spans do not cover %q", text)
		}
	}
	if s := Paragraphs("12. Пункт\n\nб) подпункт"); string("12. Пункт\n\nб) подпункт"[s[1].MarkerStart:s[1].MarkerEnd]) != "б)" {
		t.Fatalf("marker of the second paragraph: %+v", s[1])
	}
}

func TestCountBlankLineBreaks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := strings.Join(rapid.SliceOfN(rapid.SampledFrom([]string{"\n", "a", "ж", " ", "\n\n"}), 0, 80).Draw(t, "pieces"), "")
		want := 0
		for i := 0; i+1 < len(s); i++ {
			if s[i] == '\n' && s[i+1] == '\n' {
				want++
			}
		}
		if got := countBlankLineBreaks(s); got != want {
			t.Fatalf("countBlankLineBreaks(%q) = %d, want %d", s, got, want)
		}
	})
}

// runeCount reads eight bytes at a time; it must count what utf8 does.
func TestRuneCountMatchesUTF8(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := strings.Join(rapid.SliceOfN(rapid.SampledFrom([]string{"a", "ж", "€", "𝄞", "\n", " "}), 0, 100).Draw(t, "pieces"), "")
		if got, want := runeCount(s), utf8.RuneCountInString(s); got != want {
			t.Fatalf("runeCount(%q) = %d, want %d", s, got, want)
		}
	})
}
