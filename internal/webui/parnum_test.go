package webui

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"redline/internal/webui/demo"
)

// TestMarginNumbersAreNotItems (issue 14): the margin counts paragraphs,
// and screen readers announced that count as «Пункт 2» beside item 1 of a
// text with a preamble, the very confusion of ¶ numbers and item numbers
// the labels were made to end. A count read as «Пункт N» must be item N;
// otherwise it is «Абзац N».
func TestMarginNumbersAreNotItems(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	member := s.client().signIn("ivanova")
	margin := regexp.MustCompile(`<p class="pnum"><span class="sr-only">([^<]*) </span>(\d+)</p>\s*<p class="para"[^>]*>([^<]*)`)
	for _, page := range []string{"/documents/" + demo.Slug, "/public/" + demo.Slug} {
		rows := margin.FindAllStringSubmatch(member.mustGet(page), -1)
		if len(rows) < 3 {
			t.Fatalf("%s: %d margin numbers", page, len(rows))
		}
		shifted := false
		for _, m := range rows {
			word, n, text := m[1], m[2], html.UnescapeString(m[3])
			shifted = shifted || !strings.HasPrefix(text, n+".")
			if word == "Пункт" && !strings.HasPrefix(text, n+".") || word != "Пункт" && word != "Абзац" {
				t.Errorf("%s: the margin reads «%s %s» beside %.40q", page, word, n, text)
			}
		}
		if !shifted {
			t.Errorf("%s: the demo text's paragraph counts all equal its item numbers; the test proves nothing", page)
		}
	}
}
