package webui

// --- issue 16: the API's description as a page ---

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/getkin/kin-openapi/openapi3"

	"redline/internal/apidoc"
	"redline/internal/drafting"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
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

// TestAPIDocsAllocations: /api/docs, the same for everybody in a language,
// costs a reader the page's frame (layout, nonce, user), not a rendering of
// the whole API description nor a copy of it: the content is rendered once
// per language and kept. Counted in bytes the server allocates to answer
// (the least of three requests, as TestRouteCostTable counts), which does
// not depend on the machine's load: under a quarter of the page sent (12-14
// KB for 570-720 KB pages; 5.9 MB for the English page before the content
// was kept).
func TestAPIDocsAllocations(t *testing.T) {
	svc := stack.New(t, "sqlite+disk").Service(t, drafting.Options{})
	ui, err := New(svc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := shell.New(svc, shell.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ui.Mount(sh)
	h := sh.Handler()
	for _, lang := range []string{"ru", "en"} {
		get := func() (page int, allocated uint64) {
			req := httptest.NewRequest(http.MethodGet, "/api/docs", nil)
			req.Header.Set("Accept-Language", lang)
			w := &countingWriter{discardWriter: discardWriter{header: http.Header{}}}
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			h.ServeHTTP(w, req)
			runtime.ReadMemStats(&m1)
			if w.status() != http.StatusOK || w.n == 0 {
				t.Fatalf("GET /api/docs (%s): %d, %d bytes", lang, w.status(), w.n)
			}
			return w.n, m1.TotalAlloc - m0.TotalAlloc
		}
		_, first := get()
		var least uint64 = 1 << 62
		var page int
		for range 3 {
			n, a := get()
			least, page = min(least, a), n
		}
		t.Logf("/api/docs (%s): a %d KB page; the first request allocated %d KB, the next ones %d KB", lang, page>>10, first>>10, least>>10)
		if least > uint64(page/4) {
			t.Errorf("/api/docs (%s): %d KB allocated to answer a %d KB page, want under a quarter of it (the content neither rendered nor copied)",
				lang, least>>10, page>>10)
		}
	}
}

// countingWriter is a discardWriter that counts what it is sent.
type countingWriter struct {
	discardWriter
	n int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return w.discardWriter.Write(p)
}
