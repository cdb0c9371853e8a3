package webui

import (
	"context"
	"encoding/xml"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"redline/internal/drafting"
	"redline/internal/markup"
	"redline/internal/testenv/stack"
	"redline/internal/webui/demo"
	"redline/web"
)

func TestLocalesHaveTheSameMessages(t *testing.T) {
	keys := func(name string) []string {
		b, err := fs.ReadFile(web.Locales, "locales/"+name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := toml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	ru, en := keys("ru.toml"), keys("en.toml")
	if strings.Join(ru, "\n") != strings.Join(en, "\n") {
		t.Errorf("ru.toml and en.toml differ in their keys:\nru: %v\nen: %v", ru, en)
	}
}

func TestDatesAndNumbers(t *testing.T) {
	langs, err := translators(func(id string) { t.Errorf("missing message %s", id) })
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2011, 11, 30, 9, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"ru": "30 ноября 2011 г.", "en": "30 November 2011"} {
		if got := langs[lang].Date(day); got != want {
			t.Errorf("%s: Date = %q, want %q", lang, got, want)
		}
	}
	if got := langs["ru"].DateTime(day); got != "30 ноября 2011 г., 13:00 (мск)" {
		t.Errorf("ru DateTime = %q", got)
	}
	if got := langs["en"].Num(204800); got != "204,800" {
		t.Errorf("en Num = %q", got)
	}
	if got := langs["ru"].Num(204800); got != "204\u00a0800" {
		t.Errorf("ru Num = %q", got)
	}
	if got := langs["ru"].T("document.open_threads", "Count", 3); got != "3 открытых обсуждения" {
		t.Errorf("ru plural = %q", got)
	}
}

func TestPickLanguage(t *testing.T) {
	for _, c := range []struct{ cookie, accept, want string }{
		{"", "", "ru"},
		{"", "en-GB,en;q=0.9", "en"},
		{"", "de-DE,de;q=0.9", "ru"},
		{"", "ru-RU,ru;q=0.9,en;q=0.8", "ru"},
		{"ru", "en-US", "ru"},
		{"en", "ru", "en"},
		{"xx", "en", "en"},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: langCookie, Value: c.cookie})
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := pickLanguage(r); got != c.want {
			t.Errorf("cookie %q, Accept-Language %q: %s, want %s", c.cookie, c.accept, got, c.want)
		}
	}
}

func TestSplitParasMatchesTheService(t *testing.T) {
	ps := splitParas(demo.Revision4)
	if len(ps) != 20 {
		t.Fatalf("%d paragraphs, want 20", len(ps))
	}
	runes := []rune(demo.Revision4)
	for _, p := range ps {
		if got := string(runes[p.Start : p.Start+len([]rune(p.Text))]); got != p.Text {
			t.Fatalf("paragraph %d does not start at %d", p.Index, p.Start)
		}
	}
}

// ownScript is the one script element a page may carry: the site's own
// file, with this response's nonce.
var ownScript = regexp.MustCompile(`<script nonce="[A-Za-z0-9+/=&#;]+" src="/static/[0-9a-f]{12}/app\.js" defer(?:="")?></script>`)

// checkHTML fails when a page holds executable markup other than its own
// nonce'd script.
func checkHTML(t testing.TB, path, body string) {
	t.Helper()
	if !strings.HasPrefix(body, "<!doctype html>") {
		t.Errorf("%s: not a page: %.200s", path, body)
		return
	}
	// The page's own head: its charset and viewport, once each, and its
	// script; anything else that could run or load is a finding.
	page := strings.Replace(body, `<meta charset="utf-8">`, "", 1)
	page = strings.Replace(page, `<meta name="viewport" content="width=device-width, initial-scale=1">`, "", 1)
	if n := len(ownScript.FindAllString(page, -1)); n > 1 {
		t.Errorf("%s: %d script elements", path, n)
	}
	if m := markup.Executable(ownScript.ReplaceAllString(page, ""), nil); m != "" {
		head, _, _ := strings.Cut(page, "</head>")
		t.Errorf("%s: executable markup: %s\n%s", path, m, head)
	}
}

// pagesOf lists the pages of the demo document a chair sees.
func pagesOf(slug string) []string {
	d := "/documents/" + slug
	return []string{"/documents", d, d + "?rev=1", d + "/history", d + "/diff?from=2&to=3", d + "/diff?from=1&to=4&mode=char&view=side",
		d + "/diff?from=3&to=4&mode=line", d + "/proposals", d + "/proposals?state=open", d + "/proposals/new", d + "/proposals/1",
		d + "/proposals/2", d + "/proposals/3", d + "/approvals", d + "/edit", d + "/members", d + "/events", "/users",
		"/public/" + slug, "/public/" + slug + "/diff"}
}

func TestEveryPageRendersInBothLanguages(t *testing.T) {
	s := newSite(t)
	c := s.client().signIn("admin")
	if _, err := drafting.NewOperator(s.svc).GrantRole(context.Background(), "admin", drafting.RoleChair, demo.Slug); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ru", "en"} {
		for _, path := range pagesOf(demo.Slug) {
			resp, body := c.get(path, "Accept-Language", lang)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s (%s): %d\n%.500s", path, lang, resp.StatusCode, body)
				continue
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("GET %s (%s): wrong html lang", path, lang)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'nonce-") || !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
				t.Errorf("GET %s: CSP %q", path, csp)
			}
			if strings.Contains(body, "⟦") {
				t.Errorf("GET %s (%s): a message is missing", path, lang)
			}
			if strings.Contains(body, " style=") || regexp.MustCompile(`<style|\son[a-z]+=`).MatchString(body) {
				t.Errorf("GET %s: inline style or handler", path)
			}
			checkHTML(t, path, body)
		}
	}
}

func TestAnonymousReaders(t *testing.T) {
	s := newSite(t)
	c := s.client()
	// Drafts are for members: an anonymous reader is sent to sign in.
	resp, _ := c.get("/documents/" + demo.Slug)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin?next=") {
		t.Errorf("anonymous draft: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body := c.mustGet("/public/" + demo.Slug)
	r, err := s.svc.Documents.Revision(context.Background(), s.user("chair"), demo.Slug, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{r.SHA256, "Принят за основу", "sha256sum " + demo.Slug + "-r4-" + r.SHA256[:12] + ".md", "/api/v1/public/documents/" + demo.Slug + "/download/4.md",
		"венчурного финансирования"} {
		if !strings.Contains(body, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	for _, leak := range []string{"Сократить срок", "ivanova", "petrov", "нереалистичен"} {
		if strings.Contains(body, leak) {
			t.Errorf("public page shows %q", leak)
		}
	}
	if resp, _ := c.get("/public/no-such-doc"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown public document: %d", resp.StatusCode)
	}
}

func TestStaticFilesAreImmutable(t *testing.T) {
	s := newSite(t)
	c := s.client()
	body := c.mustGet("/signin")
	css := regexp.MustCompile(`href="(/static/[0-9a-f]{12}/app\.css)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("no stylesheet link")
	}
	resp, _ := c.get(css[1])
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s: %d %q %q", css[1], resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	if resp, _ := c.get("/static/000000000000/app.css"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("stale hash: %d", resp.StatusCode)
	}
}

func TestSignInErrorsNextToTheField(t *testing.T) {
	s := newSite(t)
	c := s.client()
	resp, body := c.post("/signin", url.Values{"login": {"chair"}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="password-err">Неверный логин или пароль.`) {
		t.Errorf("wrong password (ru): %d\n%s", resp.StatusCode, body)
	}
	c.c.Jar.SetCookies(mustURL(s.URL), []*http.Cookie{{Name: langCookie, Value: "en", Path: "/"}})
	resp, body = c.post("/signin", url.Values{"login": {""}, "password": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="login-err">Enter your login.`) || !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("empty form (en): %d\n%s", resp.StatusCode, body)
	}
	// A good sign-in goes where it was asked to, inside the site only.
	resp, _ = c.post("/signin", url.Values{"login": {"chair"}, "password": {s.pw["chair"]}, "next": {"//evil.example/x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/documents" {
		t.Errorf("sign in with a foreign next: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.post("/signout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign out: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/documents"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign out /documents answers %d", resp.StatusCode)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestPublicPageIsCachedPerAdoptionAndLanguage(t *testing.T) {
	s := newSite(t)
	c := s.client()
	path := "/public/" + demo.Slug
	r1, b1 := c.get(path)
	r2, b2 := c.get(path)
	etag := r1.Header.Get("ETag")
	if etag == "" || r2.Header.Get("ETag") != etag || b1 != b2 {
		t.Fatalf("two reads differ: %q %q", etag, r2.Header.Get("ETag"))
	}
	if r, body := c.get(path, "If-None-Match", etag); r.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("revalidation: %d", r.StatusCode)
	}
	re, be := c.get(path, "Accept-Language", "en")
	if re.Header.Get("ETag") == etag || !strings.Contains(be, "Adopted as a basis") {
		t.Errorf("English page: %q", re.Header.Get("ETag"))
	}
	// A signed-in reader gets the very same bytes.
	if _, b := s.client().signIn("ivanova").get(path); b != b1 {
		t.Error("a signed-in reader got other bytes")
	}
	// Adopting a new revision through the pages shows at once.
	chair := s.client().signIn("chair")
	rev, err := s.svc.Documents.Revision(context.Background(), s.user("chair"), demo.Slug, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Adoptions.Approve(context.Background(), s.user("chair"), demo.Slug, 4, rev.SHA256, ""); err == nil {
		t.Fatal("revision 4 was approved twice")
	}
	resp, _ := chair.post("/documents/"+demo.Slug+"/adopt", url.Values{"revision": {"4"}, "stage": {"final"}, "override_reason": {"Замечания учтём в приложении"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adopt: %d", resp.StatusCode)
	}
	r3, b3 := c.get(path, "If-None-Match", etag)
	if r3.StatusCode != http.StatusOK || r3.Header.Get("ETag") == etag || !strings.Contains(b3, "Принят в целом") {
		t.Errorf("after adoption: %d %q", r3.StatusCode, r3.Header.Get("ETag"))
	}
}

func TestAtomFeed(t *testing.T) {
	s := newSite(t)
	resp, body := s.client().get("/public/" + demo.Slug + "/feed.atom")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var f atomFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 1 || !strings.Contains(f.Entries[0].Title, "Принят за основу") || f.Title != demo.Title {
		t.Errorf("feed: %+v", f)
	}
}

// TestApprovalsPageSaysWhatCounts: an approval by a chair who was then
// removed, or whose account was disabled, is listed as not counting, with
// why; a chair is told why adoption is not offered; a closed document's
// pages say it is closed and offer neither editing nor approving.
func TestApprovalsPageSaysWhatCounts(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	admin := s.client().signIn("admin")
	path := "/documents/" + demo.Slug + "/approvals"
	// The demo's chair approved revision 4; a second chair is appointed,
	// then the first is removed.
	second := stack.MustUser(t, s.svc, "second", false)
	if _, err := s.svc.Members.Set(ctx, s.admin, demo.Slug, second.Login, drafting.RoleChair); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.Members.Remove(ctx, s.admin, demo.Slug, "chair"); err != nil {
		t.Fatal(err)
	}
	body := admin.mustGet(path)
	for _, want := range []string{"Согласовали 0 из 1", "не засчитывается", "согласовавший больше не председатель этого документа."} {
		if !strings.Contains(body, want) {
			t.Errorf("approvals page after removing the chair lacks %q", want)
		}
	}
	// Back as chair, then disabled: the same approval does not count for
	// another reason.
	if _, err := s.svc.Members.Set(ctx, s.admin, demo.Slug, "chair", drafting.RoleChair); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Accounts.SetDisabled(ctx, s.admin, "chair", true); err != nil {
		t.Fatal(err)
	}
	body = admin.mustGet(path)
	if !strings.Contains(body, "учётная запись согласовавшего отключена.") {
		t.Errorf("approvals page after disabling the chair lacks the reason")
	}
	if _, err := s.svc.Accounts.SetDisabled(ctx, s.admin, "chair", false); err != nil {
		t.Fatal(err)
	}
	// Adopted as a whole: the chair is offered neither editing nor
	// approving nor adopting, and is told why.
	if _, err := s.svc.Adoptions.Adopt(ctx, s.user("chair"), demo.Slug, 4, drafting.AdoptInput{Stage: drafting.StageFinal,
		OverrideReason: "учтём"}); err != nil {
		t.Fatal(err)
	}
	chair := s.client().signIn("chair")
	doc := chair.mustGet("/documents/" + demo.Slug)
	if strings.Contains(doc, `id="edit-link"`) || !strings.Contains(doc, "Документ принят в целом и закрыт для изменений") {
		t.Errorf("a closed document's page offers editing or does not say it is closed")
	}
	page := chair.mustGet(path)
	if strings.Contains(page, `id="approve-form"`) || strings.Contains(page, `id="adopt-form"`) ||
		!strings.Contains(page, `id="adopt-why"`) {
		t.Errorf("a closed document's approvals page offers approving or adopting, or does not say why not")
	}
	if resp, body := chair.get("/documents/" + demo.Slug + "/edit"); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "закрыт для изменений") {
		t.Errorf("the editor of a closed document: %d", resp.StatusCode)
	}
}
