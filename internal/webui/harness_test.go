package webui

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
	"redline/internal/webui/demo"
)

// site is a real Redline (SQLite and a blob folder, the Casbin authorizer,
// the JSON API and these pages) listening on 127.0.0.1, seeded with the demo
// conference.
type site struct {
	t     testing.TB
	svc   *drafting.Service
	ui    *UI
	srv   *httptest.Server
	URL   string
	admin *drafting.User
	pw    map[string]string // login → password
}

const adminPassword = "admin-password-1"

func newSite(t testing.TB) *site {
	t.Helper()
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, drafting.Options{})
	ui, err := New(svc, Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	// The tests write as fast as a script: no per-member limits.
	sh, err := shell.New(svc, shell.Options{LoginAttempts: 1000, CommentsPerMinute: 1_000_000, MaxOpenProposals: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	// The JSON API too, as redline serve mounts it: the pages link to its
	// downloads.
	httpapi.Mount(sh, svc)
	ui.Mount(sh)
	closeLive := mountLive(st, sh, svc, ui) // issue 17 (live_test.go)
	h := sh.Handler()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(closeLive) // first: the server's Close waits for the streams
	s := &site{t: t, svc: svc, ui: ui, srv: srv, URL: srv.URL, pw: map[string]string{}}
	hash, err := auth.HashPassword(adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := drafting.NewOperator(svc).CreateUser(context.Background(), drafting.NewUser{Login: "admin", DisplayName: "Администратор", PasswordHash: hash, Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	s.admin = &admin
	s.pw["admin"] = adminPassword
	accounts, err := demo.Seed(context.Background(), svc, &admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		s.pw[a.Login] = a.Password
	}
	t.Cleanup(func() {
		if m := ui.MissingMessages(); len(m) > 0 {
			t.Errorf("pages asked for messages missing from the locale files: %v", m)
		}
	})
	return s
}

// user returns a signed-in account's service identity.
func (s *site) user(login string) *drafting.User {
	s.t.Helper()
	u, err := s.svc.UserByLogin(context.Background(), login)
	if err != nil {
		s.t.Fatal(err)
	}
	return &u
}

// client is a browser-like HTTP client: cookies, no redirects followed.
type client struct {
	t    testing.TB
	site *site
	c    *http.Client
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signIn signs the client in through the sign-in form.
func (c *client) signIn(login string) *client {
	c.t.Helper()
	resp, _ := c.post("/signin", url.Values{"login": {login}, "password": {c.site.pw[login]}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: %d", login, resp.StatusCode)
	}
	return c
}

func (c *client) get(path string, header ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.site.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.site.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

// mustGet fetches a page that must answer 200.
func (c *client) mustGet(path string) string {
	c.t.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
	}
	return body
}
