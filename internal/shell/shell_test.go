package shell_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
	"redline/internal/webui"
)

// TestErrorsByWhereTheyHappen: the API and the pages share the shell, and
// each answers errors its way: the API (and any path under /api) with the
// contract's JSON error object and its reason, the pages with an HTML page
// in the reader's language, for the shell's own refusals too (an unknown
// route, a wrong method, a cross-origin form, a bad token).
func TestErrorsByWhereTheyHappen(t *testing.T) {
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, drafting.Options{})
	sh, err := shell.New(svc, shell.Options{})
	if err != nil {
		t.Fatal(err)
	}
	httpapi.Mount(sh, svc)
	ui, err := webui.New(svc, webui.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ui.Mount(sh)
	h := sh.Handler()
	for _, c := range []struct {
		method, path string
		header       []string
		status       int
		json         bool
		reason       string // in the JSON, or the sentence's words on the page
	}{
		{"GET", "/api/v1/nowhere", nil, 404, true, "not_found"},
		{"GET", "/api/v2/documents", nil, 404, true, "not_found"},
		{"GET", "/api/v1/documents", nil, 401, true, "sign_in_required"},
		{"GET", "/api/v1/documents", []string{"Authorization", "Bearer rl_nonsense"}, 401, true, "bad_credentials"},
		{"PUT", "/api/v1/documents", nil, 405, true, "method_not_allowed"},
		{"POST", "/api/v1/documents", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403, true, "cross_origin"},
		{"GET", "/api/v1/public/documents/none", nil, 404, true, "not_adopted"},
		{"GET", "/nowhere", nil, 404, false, "Такой страницы или записи нет."},
		{"GET", "/public/none", []string{"Accept-Language", "en"}, 404, false, "There is no adopted text under this name."},
		{"POST", "/documents", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403, false, "Запрос пришёл с другого сайта"},
		{"GET", "/documents", []string{"Authorization", "Bearer rl_nonsense"}, 401, false, "Неверный логин, пароль или токен."},
		{"PUT", "/signin", nil, 405, false, "Запрос не может быть выполнен"},
	} {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(""))
		for i := 0; i+1 < len(c.header); i += 2 {
			req.Header.Set(c.header[i], c.header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		ctype := rec.Header().Get("Content-Type")
		what := c.method + " " + c.path
		if rec.Code != c.status {
			t.Errorf("%s: %d, want %d: %s", what, rec.Code, c.status, body)
		}
		if c.json {
			var e struct {
				Error shell.ErrorBody `json:"error"`
			}
			if !strings.HasPrefix(ctype, "application/json") || json.Unmarshal(body, &e) != nil || e.Error.Reason != c.reason || e.Error.Code == "" {
				t.Errorf("%s: %s %s, want JSON with reason %s", what, ctype, body, c.reason)
			}
			continue
		}
		if !strings.HasPrefix(ctype, "text/html") || !strings.Contains(string(body), c.reason) {
			t.Errorf("%s: %s, want a page saying %q:\n%.400s", what, ctype, c.reason, body)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s: an error page without the security headers", what)
		}
	}
}

// identification is what establishes the caller without asking about
// access: the shell's (and auth's) alone among the HTTP packages.
var identification = map[string]bool{"UserByLogin": true, "UserByToken": true, "CreateSession": true,
	"UserBySession": true, "EndSession": true}

// TestHandlersAreNotGivenTheOperator: what trusts its caller (the command
// line's administration) is not reachable from the HTTP handlers, and the
// handlers leave identification to the shell.
func TestHandlersAreNotGivenTheOperator(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{"../httpapi", "../webui", "."} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "drafting" && (sel.Sel.Name == "NewOperator" || sel.Sel.Name == "Operator") {
					t.Errorf("%s: %s uses drafting.%s", name, fset.Position(sel.Pos()), sel.Sel.Name)
				}
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "svc" && identification[sel.Sel.Name] && dir != "." {
					t.Errorf("%s: %s identifies callers itself (%s)", name, fset.Position(sel.Pos()), sel.Sel.Name)
				}
				return true
			})
		}
	}
}

// TestStatusOf: every kind has its status, and an unknown one is a 500.
func TestStatusOf(t *testing.T) {
	for k, want := range map[drafting.Kind]int{
		drafting.KindInvalid: 400, drafting.KindUnauthenticated: 401, drafting.KindForbidden: 403,
		drafting.KindNotFound: 404, drafting.KindConflict: 409, drafting.KindTooLarge: 413,
		drafting.KindUnsupported: 415, drafting.KindRateLimited: 429, drafting.KindUnavailable: 503,
		drafting.KindInternal: 500, "": 500,
	} {
		if got := shell.StatusOf(k); got != want {
			t.Errorf("StatusOf(%q) = %d, want %d", k, got, want)
		}
	}
	if got := shell.Status(shell.ErrMethodNotAllowed); got != http.StatusMethodNotAllowed {
		t.Errorf("method not allowed: %d", got)
	}
}
