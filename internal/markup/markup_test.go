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

// XSSCorpus is a set of hostile comment bodies; tests elsewhere reuse it.
var XSSCorpus = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)><circle/></svg>`,
	`<svg><script>alert(1)</script></svg>`,
	`[клик](javascript:alert(1))`,
	`[клик](JaVaScRiPt:alert(1))`,
	`[клик](  javascript:alert(1))`,
	`[клик](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<iframe src="https://evil.example"></iframe>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<p onclick="alert(1)">x</p>`,
	`<img src="x" onerror="alert(1)"`,
	`"><script>alert(1)</script>`,
	`<scr<script>ipt>alert(1)</script>`,
	`<object data="x.swf"></object><embed src="x.swf">`,
	`<form action="https://evil.example"><input name=x></form>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`![x](javascript:alert(1))`,
	`<base href="https://evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example">`,
	"<a href=\"java\tscript:alert(1)\">x</a>",
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
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
