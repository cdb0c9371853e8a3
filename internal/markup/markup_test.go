package markup

import (
	"strings"
	"testing"
)

func TestRenderSubset(t *testing.T) {
	for in, want := range map[string]string{
		"*важно*":                     "<em>важно</em>",
		"**очень**":                   "<strong>очень</strong>",
		"- раз\n- два":                "<li>раз</li>",
		"[сайт](https://example.org)": `href="https://example.org"`,
		"строка\nвторая":              "строка<br>",
		"`код`":                       "<code>код</code>",
		"https://mos.ru/clusters":     `<a href="https://mos.ru/clusters"`,
		"a < b & c > d":               "a &lt; b &amp; c &gt; d",
	} {
		if got := string(Render(in)); !strings.Contains(got, want) {
			t.Errorf("Render(%q) = %q, want it to contain %q", in, got, want)
		}
	}
}

func TestRenderXSSCorpus(t *testing.T) {
	for _, in := range XSSCorpus {
		out := string(Render(in))
		if m := Executable(out, SafeTags()); m != "" {
			t.Errorf("Render(%q) = %q keeps %s", in, out, m)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range XSSCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := string(Render(in))
		if m := Executable(out, SafeTags()); m != "" {
			t.Fatalf("Render(%q) = %q keeps %s", in, out, m)
		}
	})
}

// TestExecutableCatches shows the checker itself is not blind.
func TestExecutableCatches(t *testing.T) {
	for _, bad := range []string{`<script>x</script>`, `<p onclick="x">`, `<a href="javascript:x">`, `<a href=" JaVa	ScRiPt:x">`,
		`<img src=x>`, `<svg/onload=x>`, `<a href="data:text/html,x">`, `<p style="x">`} {
		if Executable(bad, SafeTags()) == "" {
			t.Errorf("Executable(%q) found nothing", bad)
		}
	}
	if m := Executable(`<p>&lt;script&gt; <a href="https://x.org" rel="nofollow">x</a></p>`, SafeTags()); m != "" {
		t.Errorf("safe HTML flagged: %s", m)
	}
}
