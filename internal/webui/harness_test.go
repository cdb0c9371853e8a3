package webui

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"redline/internal/auth"
	"redline/internal/authz"
	"redline/internal/blobstore"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/shell"
	"redline/internal/sqlstore"
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
	st := seededStack(t)
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
	s := &site{t: t, svc: svc, ui: ui, srv: srv, URL: srv.URL, pw: maps.Clone(seeded.pw)}
	admin, err := svc.UserByLogin(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	s.admin = &admin
	t.Cleanup(func() {
		if m := ui.MissingMessages(); len(m) > 0 {
			t.Errorf("pages asked for messages missing from the locale files: %v", m)
		}
	})
	return s
}

// seeded is the demo conference, seeded once for the package (the admin
// account, demo.Seed's accounts and texts: argon2 hashes and a few dozen
// commits, seconds under the race detector) into a SQLite database and a
// blob folder that every site starts from a copy of.
var seeded struct {
	once sync.Once
	dir  string
	pw   map[string]string // login → password
	err  error
}

// seededStack returns a SQLite database and a blob folder of the test's own,
// a copy of the seeded demo conference.
func seededStack(t testing.TB) *stack.Stack {
	t.Helper()
	seeded.once.Do(func() { seeded.dir, seeded.pw, seeded.err = seed() })
	if seeded.err != nil {
		t.Fatalf("seed the demo conference: %v", seeded.err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(seeded.dir)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "redline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	disk, err := blobstore.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &stack.Stack{Name: "sqlite+disk", DB: db, Blobs: disk, BlobDir: dir}
}

// seed builds the seeded folder (removed by TestMain) as newSite used to
// for every site: the stack package's SQLite and disk blobs, the real
// authorizer, an admin account and demo.Seed.
func seed() (dir string, pw map[string]string, err error) {
	ctx := context.Background()
	if dir, err = os.MkdirTemp("", "redline-webui-seed-"); err != nil {
		return "", nil, err
	}
	db, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "redline.db"))
	if err != nil {
		return "", nil, err
	}
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if err := db.Migrate(ctx); err != nil {
		return "", nil, err
	}
	disk, err := blobstore.NewDisk(dir)
	if err != nil {
		return "", nil, err
	}
	enf, err := authz.New(db, nil)
	if err != nil {
		return "", nil, err
	}
	if err := enf.Reload(ctx); err != nil {
		return "", nil, err
	}
	svc := drafting.NewService(db, disk, drafting.Options{Authorizer: enf, PolicyChanged: enf.Reload})
	hash, err := auth.HashPassword(adminPassword)
	if err != nil {
		return "", nil, err
	}
	admin, err := drafting.NewOperator(svc).CreateUser(ctx, drafting.NewUser{Login: "admin", DisplayName: "Администратор", PasswordHash: hash, Admin: true})
	if err != nil {
		return "", nil, err
	}
	accounts, err := demo.Seed(ctx, svc, &admin)
	if err != nil {
		return "", nil, err
	}
	pw = map[string]string{"admin": adminPassword}
	for _, a := range accounts {
		pw[a.Login] = a.Password
	}
	return dir, pw, nil
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
