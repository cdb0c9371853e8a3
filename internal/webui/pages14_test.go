package webui

// issue 14: pages fit for reading and print (HEAD, names, the audit log's
// sentences, what each role is offered).

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

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
	for _, p := range []string{"/api/v1/public/documents/:slug/download/:file"} {
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
			got := p.eventSentence(drafting.Event{Kind: k, Data: data})
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
		if got := p.eventSentence(drafting.Event{Kind: "proposal.merge", Data: data}); lang == "ru" &&
			got != "Принято с изменениями предложение № 3 (автор — ivanova): получена редакция 5 (голосование: за 12, против 2, воздержались 1)" {
			t.Errorf("ru proposal.merge: %q", got)
		}
		// A kind written by a newer version is named generically.
		if got := p.eventSentence(drafting.Event{Kind: "future.kind", Data: data}); got != p.T("eventtext.other") {
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
