package webui

// --- issue 16: the API's description as a page ---

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/getkin/kin-openapi/openapi3"

	"redline/internal/apidoc"
	"redline/internal/drafting"
)

// TestAPIDocsPage: /api/docs lists every operation of the description with
// its method and path, the reasons of its refusals with their sentences, in
// Russian and English, for anyone, with Redline's own script only.
func TestAPIDocsPage(t *testing.T) {
	s := newSite(t)
	raw, _, err := apidoc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	ru, en := s.ui.langs["ru"], s.ui.langs["en"]
	scripts := regexp.MustCompile(`<script[^>]*>`)
	for _, who := range []string{"", "admin"} {
		c := s.client()
		if who != "" {
			c = c.signIn(who)
		}
		for _, lang := range []string{"ru", "en"} {
			resp, body := c.get("/api/docs", "Accept-Language", lang)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /api/docs (%s, %q): %d\n%.500s", lang, who, resp.StatusCode, body)
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("/api/docs (%s): wrong html lang", lang)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "http") {
				t.Errorf("/api/docs: CSP %q", csp)
			}
			for _, sc := range scripts.FindAllString(body, -1) {
				if !strings.Contains(sc, `src="/static/`) {
					t.Errorf("/api/docs: a script not Redline's own: %s", sc)
				}
			}
			checkHTML(t, "/api/docs", body)
			n := 0
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					n++
					want := `<h3 id="op-` + op.OperationID + `"><code>` + method + " " + path + `</code></h3>`
					if !strings.Contains(body, want) {
						t.Errorf("/api/docs (%s) does not list %s %s", lang, method, path)
					}
				}
			}
			if n < 50 {
				t.Errorf("only %d operations", n)
			}
			tr := map[string]*translator{"ru": ru, "en": en}[lang]
			for _, r := range []drafting.Reason{drafting.ReasonStaleBase, drafting.ReasonMalformedJSON, drafting.ReasonNotAdopted} {
				want := "<code>" + string(r) + "</code> — " + tr.T("reason."+string(r))
				if !strings.Contains(body, want) {
					t.Errorf("/api/docs (%s): reason %s not shown with its sentence %q", lang, r, want)
				}
			}
			if ru, _ := doc.Paths.Value("/api/v1/documents/{slug}/revisions").Post.Extensions["x-summary-ru"].(string); lang == "ru" && !strings.Contains(body, "<p>"+ru+"</p>") {
				t.Errorf("/api/docs (ru): the Russian summary %q is not shown", ru)
			}
			if strings.Count(body, tr.T("apidocs.public")) < 10 || strings.Contains(body, "`") {
				t.Errorf("/api/docs (%s): public routes not marked, or backticks shown", lang)
			}
			if !strings.Contains(body, tr.T("apidocs.tag.adoption")) {
				t.Errorf("/api/docs (%s): tag headings not translated", lang)
			}
		}
	}
}

// TestBrowserAPIDocs: the page passes the accessibility checks in Chromium
// and fits a phone's width.
func TestBrowserAPIDocs(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s)
	b.open("/api/docs")
	b.do("phone viewport", chromedp.EmulateViewport(375, 740))
	b.open("/api/docs")
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 380 {
		t.Errorf("/api/docs is %dpx wide at 375px", w)
	}
}
