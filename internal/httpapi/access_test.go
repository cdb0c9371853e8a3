package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/internal/apidoc/apidoctest"
	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/testenv/stack"
)

// clock is a settable time for session expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// accessAPI is an API with an administrator, a chair, a member, an observer
// and a user without a role on document "doc", and a second document
// "other" chaired by someone else.
func accessAPI(t *testing.T, opt drafting.Options, hopt httpapi.Options) (*api, *httpapi.Handler) {
	t.Helper()
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, opt)
	h, err := httpapi.New(svc, hopt)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, h: apidoctest.Handler(t, h), svc: svc, st: st, tokens: map[string]string{}}
	a.addUser("admin", true)
	for _, u := range []string{"chair", "member", "observer", "nobody", "otherchair"} {
		a.addUser(u, false)
	}
	a.createDoc(map[string]any{"slug": "doc", "title": "Документ", "text": "1. Пункт."})
	a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/documents", map[string]any{"slug": "other", "title": "Другой", "text": "текст"}), 201)
	stack.MustRole(t, svc, "otherchair", drafting.RoleChair, "other")
	stack.MustRole(t, svc, "member", drafting.RoleMember, "doc")
	stack.MustRole(t, svc, "observer", drafting.RoleObserver, "doc")
	a.token = a.tokens["chair"]
	return a, h
}

// fill puts real values into a route's parameters.
func fill(path string) string {
	r := strings.NewReplacer(":slug", "doc", ":n", "1", ":login", "member", ":id", "1", ":p", "1", ":file", "1.md")
	return r.Replace(path)
}

// publicRoutes may be used by anyone, signed in or not.
var publicRoutes = map[string]bool{
	"GET /healthz":           true,
	"GET /readyz":            true,
	"GET /metrics":           true, // operational counters, no document data or names
	"POST /api/v1/session":   true, // signing in
	"DELETE /api/v1/session": true, // signing out is harmless without a session
	// The adopted text, its history, redlines and downloads.
	"GET /api/v1/public/documents/:slug":                true,
	"GET /api/v1/public/documents/:slug/adoptions":      true,
	"GET /api/v1/public/documents/:slug/diff":           true,
	"GET /api/v1/public/documents/:slug/download/:file": true,
	// issue 15: office files answer HEAD too.
	"HEAD /api/v1/public/documents/:slug/download/:file": true,
	// issue 16: the published keys and the signed adoption statements.
	"GET /.well-known/redline-keys":                       true,
	"GET /api/v1/public/keys":                             true,
	"GET /api/v1/public/documents/:slug/statements":       true,
	"GET /api/v1/public/documents/:slug/statements/:file": true,
	// issue 14: downloads answer HEAD.
	"HEAD /.well-known/redline-keys":                       true,
	"HEAD /api/v1/public/documents/:slug/statements/:file": true,
	// issue 16: the API's description.
	"GET /api/v1/openapi.json": true,
	// issue 14: the table of amendments, after a final adoption.
	"GET /api/v1/public/documents/:slug/amendments":       true,
	"GET /api/v1/public/documents/:slug/amendments.csv":   true,
	"GET /api/v1/public/documents/:slug/amendments.docx":  true,
	"HEAD /api/v1/public/documents/:slug/amendments":      true,
	"HEAD /api/v1/public/documents/:slug/amendments.csv":  true,
	"HEAD /api/v1/public/documents/:slug/amendments.docx": true,
}

// signedInRoutes are open to any signed-in user, whatever their roles: they
// act on the caller's own account or list only what the caller may see.
var signedInRoutes = map[string]bool{
	"GET /api/v1/me":            true,
	"GET /api/v1/documents":     true,
	"POST /api/v1/tokens":       true,
	"GET /api/v1/tokens":        true,
	"DELETE /api/v1/tokens/:id": true,
}

// TestRouteWalk calls every registered route as an anonymous caller and as
// a signed-in user without a role on the document: everything but the public
// routes answers 401 to the first, and everything but the public and
// own-account routes answers 403 to the second.
func TestRouteWalk(t *testing.T) {
	a, h := accessAPI(t, drafting.Options{}, httpapi.Options{})
	routes := h.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		body := any(nil)
		if r.Method == "POST" || r.Method == "PUT" {
			body = map[string]any{}
		}
		t.Run(key, func(t *testing.T) {
			anon := a.as("").do(r.Method, fill(r.Path), body)
			switch {
			case publicRoutes[key]:
				if anon.Status == http.StatusUnauthorized || anon.Status == http.StatusForbidden {
					t.Errorf("public route refused an anonymous caller: %d %s", anon.Status, anon.Body)
				}
			case anon.Status != http.StatusUnauthorized:
				t.Errorf("anonymous caller got %d, want 401: %s", anon.Status, anon.Body)
			}
			nobody := a.as("nobody").do(r.Method, fill(r.Path), body)
			// A document the caller may not see answers as one that does
			// not exist (issue 13): 404 either way, so slugs do not leak.
			inDocument := strings.HasPrefix(r.Path, "/api/v1/documents/:slug")
			switch {
			case publicRoutes[key] || signedInRoutes[key]:
				if nobody.Status == http.StatusUnauthorized || nobody.Status == http.StatusForbidden {
					t.Errorf("caller without a role refused on an own-account route: %d %s", nobody.Status, nobody.Body)
				}
			case inDocument:
				missing := a.as("nobody").do(r.Method, strings.Replace(fill(r.Path), "/doc", "/no-such-doc", 1), body)
				if nobody.Status != http.StatusNotFound || missing.Status != http.StatusNotFound || nobody.errorCode(t) != missing.errorCode(t) {
					t.Errorf("caller without a role got %d %s for an existing document and %d %s for a missing one, want 404 for both",
						nobody.Status, nobody.Body, missing.Status, missing.Body)
				}
			case nobody.Status != http.StatusForbidden:
				t.Errorf("caller without a role got %d, want 403: %s", nobody.Status, nobody.Body)
			}
		})
	}
	// What a role-less caller lists is empty: no document leaks by listing.
	if r := a.as("nobody").do("GET", "/api/v1/documents", nil); !strings.Contains(string(r.Body), `"documents":[]`) {
		t.Errorf("documents listed to a caller without a role: %s", r.Body)
	}
}

func TestRolesThroughTheAPI(t *testing.T) {
	a, _ := accessAPI(t, drafting.Options{}, httpapi.Options{})
	commit := map[string]any{"base": 1, "text": "1. Пункт изменён."}
	a.as("member").mustStatus(a.as("member").do("POST", "/api/v1/documents/doc/revisions", commit), 403)
	a.as("observer").mustStatus(a.as("observer").do("POST", "/api/v1/documents/doc/revisions", commit), 403)
	a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/documents/doc/revisions", commit), 403)
	a.as("otherchair").mustStatus(a.as("otherchair").do("POST", "/api/v1/documents/doc/revisions", commit), 404)
	a.as("otherchair").mustStatus(a.as("otherchair").do("GET", "/api/v1/documents/doc/revisions/1/text", nil), 404)
	a.as("member").mustStatus(a.as("member").do("GET", "/api/v1/documents/doc/revisions/1/text", nil), 200)
	a.as("observer").mustStatus(a.as("observer").do("GET", "/api/v1/documents/doc/revisions/1/text", nil), 200)
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", commit), 201)
	a.mustStatus(a.do("POST", "/api/v1/documents", map[string]any{"slug": "mine", "title": "t"}), 403)

	// Members: a chair manages members and observers of their own document,
	// only an administrator appoints chairs.
	a.mustStatus(a.do("PUT", "/api/v1/documents/doc/members/nobody", map[string]any{"role": "observer"}), 200)
	a.mustStatus(a.do("PUT", "/api/v1/documents/doc/members/nobody", map[string]any{"role": "member"}), 200)
	a.mustStatus(a.do("PUT", "/api/v1/documents/doc/members/nobody", map[string]any{"role": "chair"}), 403)
	a.mustStatus(a.do("PUT", "/api/v1/documents/doc/members/nobody", map[string]any{"role": "king"}), 400)
	a.mustStatus(a.do("PUT", "/api/v1/documents/other/members/nobody", map[string]any{"role": "member"}), 404)
	a.mustStatus(a.do("PUT", "/api/v1/documents/doc/members/ghost", map[string]any{"role": "member"}), 404)
	a.as("member").mustStatus(a.as("member").do("PUT", "/api/v1/documents/doc/members/observer", map[string]any{"role": "member"}), 403)
	a.as("admin").mustStatus(a.as("admin").do("PUT", "/api/v1/documents/doc/members/nobody", map[string]any{"role": "chair"}), 200)
	a.mustStatus(a.do("DELETE", "/api/v1/documents/doc/members/nobody", nil), 403) // a chair cannot remove a chair
	a.as("admin").mustStatus(a.as("admin").do("DELETE", "/api/v1/documents/doc/members/nobody", nil), 204)
	a.mustStatus(a.do("DELETE", "/api/v1/documents/doc/members/nobody", nil), 404)

	members := a.mustStatus(a.do("GET", "/api/v1/documents/doc/members", nil), 200)
	for _, want := range []string{`"login":"chair","role":"chair"`, `"login":"member","role":"member"`, `"login":"observer","role":"observer"`} {
		if !strings.Contains(string(members.Body), want) {
			t.Errorf("members lack %s: %s", want, members.Body)
		}
	}
	changes := a.mustStatus(a.do("GET", "/api/v1/documents/doc/members/changes", nil), 200)
	if n := strings.Count(string(changes.Body), `"login":"nobody"`); n != 4 {
		t.Errorf("%d recorded changes for nobody, want 4 (refused attempts change nothing): %s", n, changes.Body)
	}
	if !strings.Contains(string(changes.Body), `"action":"revoke","actor":"admin"`) || !strings.Contains(string(changes.Body), `"action":"grant","actor":"chair"`) {
		t.Errorf("changes do not record who: %s", changes.Body)
	}
	me := a.as("member").mustStatus(a.as("member").do("GET", "/api/v1/me", nil), 200)
	if !strings.Contains(string(me.Body), `"document":"doc","login":"member","role":"member"`) {
		t.Errorf("me: %s", me.Body)
	}
}

func cookieOf(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (a *api) signIn(login, password string, hdr ...string) response {
	a.t.Helper()
	return a.as("").do("POST", "/api/v1/session", map[string]any{"login": login, "password": password}, hdr...)
}

func withPassword(t *testing.T, a *api, login, password string, admin bool) {
	t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drafting.NewOperator(a.svc).CreateUser(context.Background(), drafting.NewUser{Login: login, PasswordHash: hash, Admin: admin}); err != nil {
		t.Fatal(err)
	}
}

func TestSessions(t *testing.T) {
	clk := &clock{t: time.Date(2011, 11, 30, 10, 0, 0, 0, time.UTC)}
	a, _ := accessAPI(t, drafting.Options{Now: clk.now}, httpapi.Options{})
	withPassword(t, a, "anna", "пароль-анны-1", false)
	stack.MustRole(t, a.svc, "anna", drafting.RoleMember, "doc")

	if r := a.signIn("anna", "неверный-пароль"); r.Status != 401 || cookieOf(r, "redline_session") != nil {
		t.Fatalf("wrong password: %d %v", r.Status, r.Header)
	}
	if r := a.signIn("nosuchuser", "пароль-анны-1"); r.Status != 401 || !strings.Contains(string(r.Body), "wrong login or password") {
		t.Fatalf("unknown login: %d %s", r.Status, r.Body)
	}
	r := a.mustStatus(a.signIn("anna", "пароль-анны-1"), 200)
	c := cookieOf(r, "redline_session")
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
		t.Fatalf("session cookie %+v", c)
	}
	withCookie := func(c *http.Cookie) []string { return []string{"Cookie", c.Name + "=" + c.Value} }
	if r := a.as("").do("GET", "/api/v1/me", nil, withCookie(c)...); r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("me with the session: %d %s", r.Status, r.Header)
	}
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/documents/doc/revisions/1/text", nil, withCookie(c)...), 200)

	// Rotation: signing in again with the old cookie ends the old session.
	r2 := a.mustStatus(a.signIn("anna", "пароль-анны-1", withCookie(c)...), 200)
	c2 := cookieOf(r2, "redline_session")
	if c2 == nil || c2.Value == c.Value {
		t.Fatal("the session was not rotated at sign-in")
	}
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c)...), 401)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c2)...), 200)

	// Logout ends the session on the server: the cookie value is dead.
	out := a.as("").mustStatus(a.as("").do("DELETE", "/api/v1/session", nil, withCookie(c2)...), 204)
	if gone := cookieOf(out, "redline_session"); gone == nil || gone.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %+v", gone)
	}
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c2)...), 401)

	// Idle timeout.
	c3 := cookieOf(a.mustStatus(a.signIn("anna", "пароль-анны-1"), 200), "redline_session")
	clk.add(auth.SessionIdleTimeout - time.Minute)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c3)...), 200)
	clk.add(auth.SessionIdleTimeout + time.Second)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c3)...), 401)
	// Absolute timeout, however active the session.
	c4 := cookieOf(a.mustStatus(a.signIn("anna", "пароль-анны-1"), 200), "redline_session")
	for elapsed := time.Duration(0); elapsed < auth.SessionAbsoluteTimeout; elapsed += auth.SessionIdleTimeout / 2 {
		a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c4)...), 200)
		clk.add(auth.SessionIdleTimeout / 2)
	}
	clk.add(time.Second)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c4)...), 401)

	// A disabled user's session and token stop working on the next request.
	c5 := cookieOf(a.mustStatus(a.signIn("anna", "пароль-анны-1"), 200), "redline_session")
	tok := a.as("").mustStatus(a.as("").do("POST", "/api/v1/tokens", map[string]any{"label": "скрипт"}, withCookie(c5)...), 201).json(t)["token"].(string)
	a.tokens["anna"] = tok
	a.as("anna").mustStatus(a.as("anna").do("GET", "/api/v1/documents/doc", nil), 200)
	a.mustStatus(a.do("POST", "/api/v1/users/anna/disable", nil), 403) // a chair is not an administrator
	a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/users/anna/disable", nil), 200)
	a.as("anna").mustStatus(a.as("anna").do("GET", "/api/v1/documents/doc", nil), 401)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c5)...), 401)
	a.mustStatus(a.signIn("anna", "пароль-анны-1"), 401)
	a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/users/anna/enable", nil), 200)
	// Enabled again, the account has none of its old credentials (issue
	// 13): it signs in afresh.
	a.as("anna").mustStatus(a.as("anna").do("GET", "/api/v1/documents/doc", nil), 401)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/me", nil, withCookie(c5)...), 401)
	a.mustStatus(a.signIn("anna", "пароль-анны-1"), 200)
}

func TestSessionCookieOverTLS(t *testing.T) {
	a, _ := accessAPI(t, drafting.Options{}, httpapi.Options{TLS: true})
	withPassword(t, a, "anna", "пароль-анны-1", false)
	r := a.mustStatus(a.signIn("anna", "пароль-анны-1"), 200)
	c := cookieOf(r, "__Host-redline_session")
	if c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
		t.Fatalf("TLS session cookie %+v", c)
	}
	if hsts := r.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("no HSTS over TLS: %q", hsts)
	}
}

func TestTokens(t *testing.T) {
	a, _ := accessAPI(t, drafting.Options{}, httpapi.Options{})
	created := a.mustStatus(a.do("POST", "/api/v1/tokens", map[string]any{"label": "ci"}), 201).json(t)
	tok := created["token"].(string)
	id := int64(created["id"].(float64))
	list := a.mustStatus(a.do("GET", "/api/v1/tokens", nil), 200)
	if strings.Contains(string(list.Body), tok) || !strings.Contains(string(list.Body), `"label":"ci"`) {
		t.Fatalf("token list: %s", list.Body)
	}
	a.tokens["chair2"] = tok
	a.as("chair2").mustStatus(a.as("chair2").do("GET", "/api/v1/me", nil), 200)
	a.as("member").mustStatus(a.as("member").do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), nil), 404)
	a.mustStatus(a.do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), nil), 204)
	a.as("chair2").mustStatus(a.as("chair2").do("GET", "/api/v1/me", nil), 401)
}

func TestAdminUsers(t *testing.T) {
	a, _ := accessAPI(t, drafting.Options{}, httpapi.Options{})
	body := map[string]any{"login": "ivan", "display_name": "Иван Петров", "password": "длинный-пароль"}
	a.mustStatus(a.do("POST", "/api/v1/users", body), 403)
	a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/users", map[string]any{"login": "ivan", "password": "short"}), 400)
	u := a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/users", body), 201)
	if strings.Contains(string(u.Body), "password") {
		t.Fatalf("user JSON carries the password: %s", u.Body)
	}
	a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/users", body), 409)
	list := a.as("admin").mustStatus(a.as("admin").do("GET", "/api/v1/users", nil), 200)
	if !strings.Contains(string(list.Body), `"display_name":"Иван Петров"`) {
		t.Fatalf("users: %s", list.Body)
	}
	a.mustStatus(a.signIn("ivan", "длинный-пароль"), 200)
	a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/users/admin/disable", nil), 409)
}

// TestThrottling: after the configured number of failed sign-ins on one
// account the next attempt gets 429, even with the right password and a
// different X-Forwarded-For, since no proxy is trusted.
func TestThrottling(t *testing.T) {
	a, _ := accessAPI(t, drafting.Options{}, httpapi.Options{LoginAttempts: 3, LoginWindow: time.Minute, LoginAddressAttempts: 6})
	withPassword(t, a, "anna", "пароль-анны-1", false)
	for i := 0; i < 3; i++ {
		a.mustStatus(a.signIn("anna", "не-тот-пароль", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)), 401)
	}
	r := a.signIn("anna", "пароль-анны-1", "X-Forwarded-For", "198.51.100.7")
	if r.Status != 429 || r.errorCode(t) != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth attempt: %d %v %s", r.Status, r.Header, r.Body)
	}
	if strings.Contains(string(r.Body), "anna") {
		t.Errorf("the refusal names the account: %s", r.Body)
	}
	// One account's typos do not lock its address (issue 13): another
	// account from it signs in, and its success does not count against
	// the address. Only failures do, up to the address's own limit.
	withPassword(t, a, "boris", "пароль-бориса", false)
	a.mustStatus(a.signIn("boris", "пароль-бориса"), 200)
	for i := 0; i < 3; i++ {
		a.mustStatus(a.signIn(fmt.Sprintf("guess-%d", i), "не-тот-пароль"), 401)
	}
	if r := a.signIn("boris", "пароль-бориса"); r.Status != 429 || !strings.Contains(string(r.Body), `"scope":"address"`) {
		t.Errorf("past the address's limit of failures: %d %s", r.Status, r.Body)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	a, _ := accessAPI(t, drafting.Options{}, httpapi.Options{})
	withPassword(t, a, "anna", "пароль-анны-1", true)
	c := cookieOf(a.mustStatus(a.signIn("anna", "пароль-анны-1"), 200), "redline_session")
	cookie := c.Name + "=" + c.Value
	r := a.as("").do("POST", "/api/v1/documents", map[string]any{"slug": "evil", "title": "t"},
		"Cookie", cookie, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if r.Status != 403 || r.errorCode(t) != "forbidden" {
		t.Fatalf("cross-site POST with a session: %d %s", r.Status, r.Body)
	}
	r = a.as("").do("POST", "/api/v1/documents", map[string]any{"slug": "evil", "title": "t"},
		"Cookie", cookie, "Origin", "https://evil.example")
	if r.Status != 403 {
		t.Fatalf("cross-origin POST (Origin only) with a session: %d %s", r.Status, r.Body)
	}
	if ds, _ := a.st.DB.ListDocuments(context.Background()); len(ds) != 2 {
		t.Fatalf("a refused cross-origin request created a document: %d documents", len(ds))
	}
	a.as("").mustStatus(a.as("").do("POST", "/api/v1/documents", map[string]any{"slug": "fine", "title": "t"},
		"Cookie", cookie, "Sec-Fetch-Site", "same-origin"), 201)
}

// TestSecurityHeaders checks the headers on every route, for an anonymous
// and a signed-in caller, and on errors.
func TestSecurityHeaders(t *testing.T) {
	a, h := accessAPI(t, drafting.Options{}, httpapi.Options{})
	check := func(t *testing.T, r response, signedIn bool) { // signedIn: an authenticated /api/v1 call
		t.Helper()
		csp := r.Header.Get("Content-Security-Policy")
		for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'nonce-"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %s", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("CSP allows unsafe scripts: %q", csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
			"Cross-Origin-Opener-Policy": "same-origin"} {
			if r.Header.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, r.Header.Get(k), v)
			}
		}
		if r.Header.Get("Permissions-Policy") == "" {
			t.Error("no Permissions-Policy")
		}
		if r.Header.Get("Strict-Transport-Security") != "" {
			t.Error("HSTS over plain HTTP")
		}
		if signedIn && r.Status < 300 && r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("authenticated %d without Cache-Control: no-store", r.Status)
		}
	}
	nonces := map[string]bool{}
	for _, r := range h.Routes() {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			for _, who := range []string{"", "chair"} {
				resp := a.as(who).do(r.Method, fill(r.Path), nil)
				check(t, resp, who != "" && strings.HasPrefix(r.Path, "/api/v1/"))
				nonces[resp.Header.Get("Content-Security-Policy")] = true
			}
		})
	}
	check(t, a.do("GET", "/no/such/route", nil), true)
	if len(nonces) < len(h.Routes()) {
		t.Errorf("CSP nonces repeat: %d distinct for %d responses", len(nonces), 2*len(h.Routes()))
	}
}

var _ = httptest.NewRecorder
