package webui

// issue 14: pages fit for reading and print (HEAD, names, the audit log's
// sentences, what each role is offered).

import (
	"cmp"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"redline/internal/drafting"
	"redline/internal/webui/demo"
)

// TestHEADOnPagesAndDownloads: every GET route of the pages is also a HEAD
// route, and over real HTTP a HEAD answers as its GET does, with the
// headers (Content-Type, Content-Length) and no body: the public page (from
// the cache and not), its redline and feed, a download, a member's page.
func TestHEADOnPagesAndDownloads(t *testing.T) {
	s := newSite(t)
	heads := map[string]bool{}
	var gets []string
	for _, r := range s.ui.sh.Routes() {
		switch {
		case r.Method == http.MethodHead:
			heads[r.Path] = true
		case r.Method == http.MethodGet && !strings.HasPrefix(r.Path, "/api/v1/") && !strings.HasPrefix(r.Path, "/.well-known/") &&
			!strings.HasSuffix(r.Path, "stream") && r.Path != "/healthz" && r.Path != "/readyz" && r.Path != "/metrics":
			gets = append(gets, r.Path)
		}
	}
	if len(gets) < 25 {
		t.Fatalf("only %d page routes", len(gets))
	}
	for _, p := range gets {
		if !heads[p] {
			t.Errorf("GET %s has no HEAD", p)
		}
	}
	for _, p := range []string{"/api/v1/public/documents/:slug/download/:file", "/api/v1/public/documents/:slug/statements/:file",
		"/.well-known/redline-keys", "/api/v1/documents/:slug/revisions/:n/text", "/api/v1/documents/:slug/proposals/:p/text",
		"/api/v1/documents/:slug/revisions/:n/export.akn.xml", "/api/v1/documents/:slug/revisions/:n/export.pdf"} {
		if !heads[p] {
			t.Errorf("download %s has no HEAD", p)
		}
	}

	anon := s.client()
	chair := s.client().signIn("chair")
	pub := "/public/" + demo.Slug
	d := "/documents/" + demo.Slug
	for _, tc := range []struct {
		c    *client
		path string
	}{
		{anon, pub}, {anon, pub}, // the second from the cache
		{anon, pub + "/diff"}, {anon, pub + "/feed.atom"}, {anon, pub + "/amendments"},
		{anon, "/api/v1/public/documents/" + demo.Slug + "/download/4.md"},
		{anon, "/"}, {anon, "/signin"}, {anon, d},
		{chair, d}, {chair, d + "/history"}, {chair, d + "/diff?from=1&to=4"}, {chair, d + "/proposals/1"},
		{chair, d + "/events"}, {chair, d + "/approvals"}, {chair, d + "/members"}, {chair, "/documents"},
		{chair, "/api/v1/documents/" + demo.Slug + "/revisions/4/text"}, {chair, "/api/v1/documents/" + demo.Slug + "/proposals/1/text"},
		{chair, "/api/v1/documents/" + demo.Slug + "/revisions/4/export.akn.xml"}, {anon, "/.well-known/redline-keys"},
	} {
		get, gbody := tc.c.get(tc.path)
		req, err := http.NewRequest(http.MethodHead, s.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		head, hbody := tc.c.do(req)
		if head.StatusCode != get.StatusCode || hbody != "" {
			t.Errorf("HEAD %s: %d with %d bytes; GET: %d", tc.path, head.StatusCode, len(hbody), get.StatusCode)
			continue
		}
		if head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET %q", tc.path, head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
		}
		if get.StatusCode == http.StatusOK && head.Header.Get("Content-Length") == "" && len(gbody) > 0 &&
			!strings.HasSuffix(tc.path, ".atom") {
			t.Errorf("HEAD %s: no Content-Length", tc.path)
		}
	}
}

// writtenKinds reads from the drafting package's source every audit event
// kind it can write: NewEvent's first argument, be it a literal, a
// constant, "proposal."+state or a variable given literals.
func writtenKinds(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("../drafting/*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("drafting's source: %d files, %v", len(files), err)
	}
	fset := token.NewFileSet()
	consts := map[string]string{}
	var fns []*ast.FuncDecl
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok {
						for i, n := range vs.Names {
							if i < len(vs.Values) {
								if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
									consts[n.Name], _ = strconv.Unquote(lit.Value)
								}
							}
						}
					}
				}
			case *ast.FuncDecl:
				fns = append(fns, d)
			}
		}
	}
	kinds := map[string]bool{}
	for _, fn := range fns {
		// Literals assigned to each variable of the function.
		vars := map[string][]string{}
		ast.Inspect(fn, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
				for i, l := range as.Lhs {
					id, ok1 := l.(*ast.Ident)
					lit, ok2 := as.Rhs[i].(*ast.BasicLit)
					if ok1 && ok2 && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						vars[id.Name] = append(vars[id.Name], s)
					}
				}
			}
			return true
		})
		ast.Inspect(fn, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "NewEvent" {
				return true
			}
			switch a := call.Args[0].(type) {
			case *ast.BasicLit:
				s, _ := strconv.Unquote(a.Value)
				kinds[s] = true
			case *ast.Ident:
				if v, ok := consts[a.Name]; ok {
					kinds[v] = true
				} else if vs := vars[a.Name]; len(vs) > 0 {
					for _, v := range vs {
						kinds[v] = true
					}
				} else {
					t.Errorf("%s: NewEvent's kind %s is not known to this test", fset.Position(a.Pos()), a.Name)
				}
			case *ast.BinaryExpr: // "proposal." + state: the states a proposal is closed with
				lit, ok := a.X.(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: NewEvent's kind is not known to this test", fset.Position(a.Pos()))
					return true
				}
				prefix, _ := strconv.Unquote(lit.Value)
				for _, st := range []string{drafting.ProposalRejected, drafting.ProposalWithdrawn} {
					kinds[prefix+st] = true
				}
			default:
				t.Errorf("%s: NewEvent's kind is not known to this test", fset.Position(a.Pos()))
			}
			return true
		})
	}
	if len(kinds) < 15 {
		t.Fatalf("found only %d kinds: %v", len(kinds), kinds)
	}
	return kinds
}

// TestEveryEventKindReadsAsASentence: every kind the service can write is
// rendered as a sentence in Russian and in English, with everything its
// data may hold, and none falls back to the raw kind, to key=value or to
// a missing message.
func TestEveryEventKindReadsAsASentence(t *testing.T) {
	langs, err := translators(func(id string) { t.Errorf("missing message %s", id) })
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range eventKinds {
		known[k] = true
	}
	for k := range writtenKinds(t) {
		if !known[k] {
			t.Errorf("the service writes %q, which the audit log page does not list (eventKinds)", k)
		}
	}
	data := map[string]string{"number": "5", "base": "4", "title": "Кадры", "sha256": strings.Repeat("ab", 32),
		"reason": "не по существу", "vote_for": "12", "vote_against": "2", "vote_abstained": "1", "proposal": "3",
		"author": "ivanova", "decision": drafting.DecisionAcceptedWithChanges, "revision": "4", "adoption": "2",
		"stage": drafting.StageFinal, "approvals": "1,2", "state": "final", "override_reason": "решено устно",
		"open_threads": "7,9", "label": "пункт 11", "public": "true", "statement_sha256": strings.Repeat("cd", 32),
		"key": "SHA256:x", "signed_later": "true", "login": "petrov", "role": drafting.RoleChair, "slug": "doc",
		"language": "ru", "approvals_required": "1", "comment": "8", "reply_to": "7", "thread": "7", "size": "12345",
		"admin": "true"}
	keyValue := regexp.MustCompile(`[a-z_]+=`)
	for _, lang := range []string{"ru", "en"} {
		p := &page{translator: langs[lang]}
		seen := map[string]string{}
		for _, k := range eventKinds {
			parts := p.eventSentence(drafting.Event{Kind: k, Data: data})
			got := joinParts(parts)
			for _, pt := range parts {
				if !pt.User && regexp.MustCompile(`Кадры|не по существу|решено устно|ivanova|petrov`).MatchString(pt.Text) {
					t.Errorf("%s %s: what people wrote is not marked as theirs: %q", lang, k, pt.Text)
				}
			}
			if got == "" || strings.Contains(got, "⟦") || strings.Contains(got, "<no value>") || strings.Contains(got, k) ||
				keyValue.MatchString(got) || got == p.T("eventtext.other") {
				t.Errorf("%s %s: %q", lang, k, got)
			}
			if lang == "en" && regexp.MustCompile(`[а-яё]`).MatchString(strings.NewReplacer("Кадры", "", "не по существу", "", "решено устно", "", "пункт 11", "").Replace(got)) {
				t.Errorf("en %s speaks Russian: %q", k, got)
			}
			if other, ok := seen[got]; ok {
				t.Errorf("%s: %s and %s read the same: %q", lang, k, other, got)
			}
			seen[got] = k
		}
		if got := joinParts(p.eventSentence(drafting.Event{Kind: "proposal.merge", Data: data})); lang == "ru" &&
			got != "Принято с изменениями предложение № 3 (автор — ivanova): получена редакция 5 (голосование: за 12, против 2, воздержались 1)" {
			t.Errorf("ru proposal.merge: %q", got)
		}
		// A kind written by a newer version is named generically.
		if got := joinParts(p.eventSentence(drafting.Event{Kind: "future.kind", Data: data})); got != p.T("eventtext.other") {
			t.Errorf("%s: unknown kind read %q", lang, got)
		}
	}
}

// TestAuditLogPage: the demo's audit log, as a chair and an administrator
// read it, names people by their display names (the administrator also
// sees logins) and each event by a sentence: no raw kind, no key=value.
func TestAuditLogPage(t *testing.T) {
	s := newSite(t)
	// A hidden comment and a role change are in the log too.
	chair := s.user("chair")
	if _, err := s.svc.Comments.Hide(context.Background(), chair, demo.Slug, 1, "не по существу"); err != nil {
		t.Fatal(err)
	}
	body := s.client().signIn("chair").mustGet("/documents/" + demo.Slug + "/events")
	table := body[strings.Index(body, "<tbody>"):strings.Index(body, "</tbody>")]
	text := stripTags(table)
	for _, k := range eventKinds {
		if strings.Contains(text, k) {
			t.Errorf("the log shows the raw kind %s", k)
		}
	}
	if m := regexp.MustCompile(`[a-z_]+=\S+`).FindString(text); m != "" {
		t.Errorf("the log shows %q", m)
	}
	for _, want := range []string{"Соколова Мария Игоревна", "Принят", "Внесена редакция 4", "Принятие редакции 4 за основу не состоялось: не решены обсуждения № 2, 3", "скрыто от участников"} {
		if !strings.Contains(text, want) {
			t.Errorf("the log does not say %q", want)
		}
	}
	if strings.Contains(text, ">chair<") || regexp.MustCompile(`<td data-user>(chair|ivanova|petrov)</td>`).MatchString(table) {
		t.Errorf("the log names people by their logins")
	}
	admin := s.client().signIn("admin")
	if _, err := drafting.NewOperator(s.svc).GrantRole(context.Background(), "admin", drafting.RoleObserver, demo.Slug); err != nil {
		t.Fatal(err)
	}
	if b := admin.mustGet("/documents/" + demo.Slug + "/events"); !strings.Contains(b, "Соколова Мария Игоревна, председатель рабочей группы (chair)") {
		t.Errorf("the administrator does not see the login beside the name")
	}
}

// shownForm is a form a page shows, with the values it would send as it
// stands (required fields it leaves empty filled in as a person would).
type shownForm struct {
	page, action string
	fields       url.Values
}

// pageLinksAndForms reads a page's same-site links and its POST forms whose
// submit button is enabled.
func pageLinksAndForms(t *testing.T, path, body string) (links []string, forms []shownForm) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *shownForm
	var enabled bool
	var selectName string
	var selectFirst string
	var selectChosen bool
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "a":
				if href, ok := attr(n, "href"); ok && strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//") {
					if _, dl := attr(n, "download"); !dl {
						links = append(links, href)
					}
				}
			case "form":
				method, _ := attr(n, "method")
				if strings.EqualFold(method, "post") {
					action, _ := attr(n, "action")
					form = &shownForm{page: path, action: action, fields: url.Values{}}
					enabled = false
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						walk(c)
					}
					if enabled {
						forms = append(forms, *form)
					}
					form = nil
					return
				}
			case "input", "textarea", "select", "button":
				if form == nil {
					break
				}
				name, _ := attr(n, "name")
				typ, _ := attr(n, "type")
				_, disabled := attr(n, "disabled")
				_, required := attr(n, "required")
				val, _ := attr(n, "value")
				switch {
				case n.Data == "button" || typ == "submit":
					if !disabled {
						if !enabled && name != "" {
							form.fields.Set(name, val)
						}
						enabled = true
					}
				case disabled || name == "":
				case n.Data == "textarea":
					v := ""
					if n.FirstChild != nil {
						v = strings.TrimPrefix(n.FirstChild.Data, "\n")
					}
					if v == "" && required {
						v = "Текст"
					}
					form.fields.Set(name, v)
				case n.Data == "select":
					selectName, selectFirst, selectChosen = name, "", false
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						walk(c)
					}
					if !selectChosen {
						form.fields.Set(selectName, selectFirst)
					}
					selectName = ""
					return
				case typ == "checkbox" || typ == "radio":
					if _, on := attr(n, "checked"); on {
						form.fields.Add(name, val)
					}
				case typ == "file":
				default:
					if val == "" && required {
						switch typ {
						case "number":
							val = "1"
						default:
							val = "Текст"
						}
					}
					form.fields.Set(name, val)
				}
			case "option":
				if form != nil && selectName != "" {
					val, ok := attr(n, "value")
					if !ok && n.FirstChild != nil {
						val = n.FirstChild.Data
					}
					if selectFirst == "" {
						selectFirst = val
					}
					if _, sel := attr(n, "selected"); sel {
						form.fields.Set(selectName, val)
						selectChosen = true
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return links, forms
}

// englishSentence finds a run of English words in a page's visible text
// outside what people wrote (data-user) and code.
func englishSentence(body string) string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return "unparsable page"
	}
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "code", "pre", "head", "title":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "data-user" || (a.Key == "lang" && a.Val == "en") {
					return
				}
			}
		}
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
			text.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return regexp.MustCompile(`[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){3,}`).FindString(text.String())
}

// linkKey of a link: its path and the names of its query's parameters, so
// that a page reached with other values (another redline) is walked once.
func linkKey(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	var ks []string
	for k := range u.Query() {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return u.Path + "?" + strings.Join(ks, "&")
}

// TestEveryRoleIsOfferedOnlyWhatItMayDo walks the site as each role
// (anonymous, observer, member, chair, administrator), following every
// link of the working group's and the public pages: no link leads to a
// refusal, and every form shown (its submit button enabled), submitted as
// it stands, is not refused as forbidden; no page, error pages included,
// shows a Russian reader an English sentence.
func TestEveryRoleIsOfferedOnlyWhatItMayDo(t *testing.T) {
	withoutRace(t)
	for _, role := range []string{"", "observer", "ivanova", "chair", "admin"} {
		t.Run("as "+cmp.Or(role, "anonymous"), func(t *testing.T) {
			s := newSite(t)
			c := s.client()
			if role != "" {
				c.signIn(role)
			}
			start := []string{"/", "/documents", "/public/" + demo.Slug, "/documents/" + demo.Slug}
			if role == "" {
				start = []string{"/", "/public/" + demo.Slug}
			}
			seen := map[string]bool{}
			queue := slices.Clone(start)
			var forms []shownForm
			formSeen := map[string]bool{}
			for len(queue) > 0 && len(seen) < 120 {
				link := queue[0]
				queue = queue[1:]
				if seen[linkKey(link)] {
					continue
				}
				seen[linkKey(link)] = true
				resp, body := c.get(link)
				switch {
				case resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound:
					if loc := resp.Header.Get("Location"); role == "" || !strings.HasPrefix(loc, "/signin") {
						queue = append(queue, loc)
					} else {
						t.Errorf("%s: sends a signed-in reader to sign in", link)
					}
					continue
				case resp.StatusCode >= 400:
					t.Errorf("a link leads to %s: %d", link, resp.StatusCode)
				}
				if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					if e := englishSentence(body); e != "" {
						t.Errorf("%s (%d) reads English: %q", link, resp.StatusCode, e)
					}
				} else {
					continue
				}
				links, fs := pageLinksAndForms(t, link, body)
				for _, l := range links {
					if strings.HasPrefix(l, "/lang/") || strings.HasPrefix(l, "/static/") || strings.HasPrefix(l, "/api/") ||
						strings.HasPrefix(l, "/feeds/") || strings.HasPrefix(l, "/.well-known/") || strings.Contains(l, "#") && strings.Split(l, "#")[0] == "" {
						continue
					}
					queue = append(queue, strings.Split(l, "#")[0])
				}
				for _, f := range fs {
					k := f.action
					for n := range f.fields {
						k += " " + n
					}
					if !formSeen[k] && f.action != "/signout" {
						formSeen[k] = true
						forms = append(forms, f)
					}
				}
			}
			if len(seen) < 3 || (role != "" && len(seen) < 10) {
				t.Fatalf("walked only %d pages", len(seen))
			}
			// Forms that change who may do what go last.
			slices.SortStableFunc(forms, func(a, b shownForm) int {
				last := func(f shownForm) int {
					if strings.Contains(f.action, "/members") || strings.HasPrefix(f.action, "/users") {
						return 1
					}
					return 0
				}
				return last(a) - last(b)
			})
			for _, f := range forms {
				resp, body := c.post(f.action, f.fields)
				// (Signing in with made-up credentials is refused as it should.)
				if resp.StatusCode == http.StatusForbidden || (resp.StatusCode == http.StatusUnauthorized && f.action != "/signin") {
					t.Errorf("%s offers %s %v, refused: %d", f.page, f.action, f.fields, resp.StatusCode)
				}
				// A refusal of what the caller is (not of what was typed) is a
				// dead end: disabling one's own account, say.
				if resp.StatusCode == http.StatusConflict && strings.HasPrefix(f.action, "/users/") {
					t.Errorf("%s offers %s, refused: %d", f.page, f.action, resp.StatusCode)
				}
				if resp.StatusCode >= 400 {
					if e := englishSentence(body); e != "" {
						t.Errorf("%s → %s (%d) reads English: %q", f.page, f.action, resp.StatusCode, e)
					}
				}
			}
			t.Logf("%d pages, %d forms", len(seen), len(forms))
		})
	}
}

// TestEnglishSentenceFinder: the walk's check finds what it looks for and
// leaves alone what people wrote and code.
func TestEnglishSentenceFinder(t *testing.T) {
	if englishSentence(`<main><p>Замечание: only the author may do this</p></main>`) == "" {
		t.Error("an English sentence is not found")
	}
	for _, ok := range []string{`<p data-user>only the author may do this</p>`, `<pre>sha256sum doc-r4-abc.md and more words</pre>`,
		`<p>Скачать Akoma Ntoso (.akn.xml)</p>`} {
		if e := englishSentence(ok); e != "" {
			t.Errorf("%s: found %q", ok, e)
		}
	}
}

// TestModerationIsWordedAsSuch: a chair's «Скрыть» says from whom and
// asks why; the hidden comment says it was hidden from participants.
func TestModerationIsWordedAsSuch(t *testing.T) {
	s := newSite(t)
	chair := s.client().signIn("chair")
	d := "/documents/" + demo.Slug
	body := chair.mustGet(d)
	for _, want := range []string{"Скрыть от участников…", "Причина (её увидят участники)", ">Скрыть от участников</button>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the chair's page does not say %q", want)
		}
	}
	if strings.Contains(body, ">Скрыть<") || strings.Contains(body, "Скрыть (модерация)") {
		t.Error("a bare «Скрыть» is offered")
	}
	resp, _ := chair.post(d+"/comments/1/hide", url.Values{"revision": {"1"}, "reason": {"Не относится к тексту"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide: %d", resp.StatusCode)
	}
	body = s.client().signIn("ivanova").mustGet(resp.Header.Get("Location"))
	if !strings.Contains(body, "Скрыто председателем от участников.") || !strings.Contains(body, "Замечание скрыто от участников; причина показана на его месте.") {
		t.Error("the hidden comment is not said to be hidden from participants")
	}
}

// TestPublicPageNamesItsFilesAndTimes: every file a verify command names
// is the name a download of the page is saved under (sha256sum names the
// text's real file name, never "4.md"); adoptions show their note and
// their date with the time and its zone, on the public page and on the
// members' pages, so that two adoptions of one day are ordered.
func TestPublicPageNamesItsFilesAndTimes(t *testing.T) {
	s := newSite(t)
	anon := s.client()
	pub := "/public/" + demo.Slug
	body := anon.mustGet(pub)
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	saved := map[string]bool{} // names the page's downloads are saved under
	var commands []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			var href, dl string
			has := false
			for _, a := range n.Attr {
				switch a.Key {
				case "href":
					href = a.Val
				case "download":
					dl, has = a.Val, true
				}
			}
			if has && dl != "" {
				saved[dl] = true
			} else if has {
				resp, _ := anon.get(href)
				if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
					saved[params["filename"]] = true
				} else {
					t.Errorf("download %s: no file name (%d, %q)", href, resp.StatusCode, resp.Header.Get("Content-Disposition"))
				}
			}
		}
		if n.Type == html.ElementNode && n.Data == "pre" {
			var b strings.Builder
			var text func(*html.Node)
			text = func(m *html.Node) {
				if m.Type == html.TextNode {
					b.WriteString(m.Data)
				}
				for c := m.FirstChild; c != nil; c = c.NextSibling {
					text(c)
				}
			}
			text(n)
			commands = append(commands, strings.Split(b.String(), "\n")...)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	a, _, err := s.svc.Adoptions.AdoptedText(context.Background(), nil, demo.Slug, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := demo.Slug + "-r4-" + a.SHA256[:12] + ".md"
	if !slices.Contains(commands, "sha256sum "+want) {
		t.Errorf("no «sha256sum %s» among %q", want, commands)
	}
	files := regexp.MustCompile(`\S+\.(?:md|json|sig|pdf|docx|odt)\b|redline-keys`)
	n := 0
	for _, cmd := range commands {
		for _, f := range files.FindAllString(cmd, -1) {
			n++
			if !saved[f] {
				t.Errorf("%q names %s, which no download of the page is saved as (%v)", cmd, f, saved)
			}
		}
	}
	if n == 0 {
		t.Fatal("no file named in the commands")
	}
	// The note and the time of day with its zone.
	if a.Note == "" {
		t.Fatal("the demo's adoption has no note to show")
	}
	text := stripTags(body)
	if !strings.Contains(body, `id="adoption-note"`) || strings.Count(text, htmlEscape(a.Note)) < 2 {
		t.Errorf("the note %q is not shown (in the facts and the history)", a.Note)
	}
	at := regexp.MustCompile(`\d{4} г\., \d{2}:\d{2} \(мск\)`)
	if len(at.FindAllString(text, -1)) < 2 {
		t.Errorf("the adoption's date has no time (and zone) in the facts and the history")
	}
	member := s.client().signIn("ivanova")
	for _, path := range []string{"/documents/" + demo.Slug, "/documents/" + demo.Slug + "/approvals"} {
		b := member.mustGet(path)
		if !at.MatchString(stripTags(b)) || !strings.Contains(b, htmlEscape(a.Note)) {
			t.Errorf("%s: the adoption has no time or no note", path)
		}
	}
}

func htmlEscape(s string) string { return html.EscapeString(s) }
