package webui

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
	"redline/internal/webui/demo"
)

var updateCosts = flag.Bool("update-costs", false, "rewrite the route cost table in docs/reliability.md")

// costClass names what one request allocated, in coarse classes: the
// table must not change with the noise of a run.
func costClass(bytes uint64) string {
	switch {
	case bytes < 256<<10:
		return "small"
	case bytes < 4<<20:
		return "medium"
	}
	return "large"
}

// discardWriter takes an answer as a server's connection does, without
// keeping its body: what a route costs is what the server allocates to
// answer, not the test recorder's copy of the answer (which put a 250 KB
// answer on either side of the small class by the noise of a run).
type discardWriter struct {
	header http.Header
	code   int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}

// Flush is what a stream calls after each event (http.ResponseController).
func (w *discardWriter) Flush() {}

// streamWriter is a discardWriter for a live stream, which answers for as
// long as its reader stays: the reader leaves (its request's context ends)
// as soon as the answer's head is written, so that what is measured is
// what the stream costs to open, and nothing waits on a clock.
type streamWriter struct {
	discardWriter
	leave context.CancelFunc
}

func (w *streamWriter) WriteHeader(code int) {
	w.discardWriter.WriteHeader(code)
	w.leave()
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}

func (w *discardWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// staticPages cost the same for everybody and depend on no document: known
// to be large, listed in the table, and left for a cache of their own.
var staticPages = map[string]bool{
	// issue 14: the description as JSON outgrew the small class (256 KB)
	// with the amendments' routes; it is the same for everybody.
	"GET /api/v1/openapi.json": true,
}

// publicReading are the pages the public reads by design, whose cost is
// one rendering of an adopted text or of a redline between two adopted
// revisions (the diff itself kept by the service): it grows with the
// document, bounded by the text limit, so they may be "medium" but never
// "large". The demo's public redline allocates 235–246 KB, at the edge of
// the small class.
var publicReading = map[string]bool{
	"GET /public/:slug/diff": true,
}

// TestRouteCostTable (issue 13) sends every route of the pages and the API,
// as served together, once as an anonymous caller and once as a signed-in
// account without any role, and records the status, the password hashes
// computed and the memory allocated (the least of three runs). Every such
// request is refused or answered before any expensive work: at most one
// hash (signing in) and a small allocation. The table in
// docs/reliability.md is this test's output (-update-costs rewrites it), so
// it cannot drift from the routes.
func TestRouteCostTable(t *testing.T) {
	if testing.Short() {
		t.Skip("measures every route")
	}
	ctx := context.Background()
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, drafting.Options{})
	ui, err := New(svc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// /metrics as deployed behind its token (REDLINE_METRICS_TOKEN).
	sh, err := shell.New(svc, shell.Options{LoginAttempts: 1_000, LoginAddressAttempts: 1_000_000, Metrics: shell.NewMetrics(), MetricsToken: "metrics-token",
		Hasher: auth.HasherOptions{Params: auth.Params{Time: 1, Memory: 8 << 10, Threads: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	httpapi.Mount(sh, svc)
	ui.Mount(sh)
	// The live streams and the notification pages, as serve mounts them
	// (issue 17).
	t.Cleanup(mountLive(st, sh, svc, ui))
	op := drafting.NewOperator(svc)
	admin, err := op.CreateUser(ctx, drafting.NewUser{Login: "admin", PasswordHash: "$argon2id$x", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, svc, &admin); err != nil {
		t.Fatal(err)
	}
	if _, err := op.CreateUser(ctx, drafting.NewUser{Login: "nobody", PasswordHash: "$argon2id$x"}); err != nil {
		t.Fatal(err)
	}
	tok, hash, _ := auth.NewToken()
	if _, err := op.CreateToken(ctx, "nobody", "", hash); err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer(":slug", demo.Slug, ":n", "1", ":p", "1", ":id", "999", ":login", "admin", ":file", "1.md",
		":hash", "0", "*file", "app.css", ":tag", "en")
	type cost struct {
		status int
		hashes int64
		class  string
	}
	measure := func(method, path, token string) cost {
		best := cost{}
		var least uint64 = 1 << 62
		for range 3 {
			var body *bytes.Reader
			req := httptest.NewRequest(method, path, nil)
			if method == "POST" || method == "PUT" {
				if strings.HasPrefix(path, "/api/") {
					body = bytes.NewReader([]byte(`{}`))
					if strings.HasSuffix(path, "/session") || strings.HasSuffix(path, "/users") {
						body = bytes.NewReader([]byte(`{"login":"someone","password":"a-password-1"}`))
					}
					req = httptest.NewRequest(method, path, body)
					req.Header.Set("Content-Type", "application/json")
				} else {
					form := url.Values{"login": {"someone"}, "password": {"a-password-1"}, "text": {"1. Текст."}, "body": {"Замечание"},
						"title": {"t"}, "base": {"1"}, "action": {"preview"}}
					req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
			}
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := &discardWriter{header: http.Header{}}
			var w http.ResponseWriter = rec
			if strings.HasSuffix(path, "/stream") {
				ctx, leave := context.WithCancel(req.Context())
				defer leave()
				req = req.WithContext(ctx)
				sw := &streamWriter{discardWriter: discardWriter{header: http.Header{}}, leave: leave}
				rec, w = &sw.discardWriter, sw
			}
			h0 := sh.Auth().Hasher().Hashes()
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			sh.Handler().ServeHTTP(w, req)
			runtime.ReadMemStats(&m1)
			if a := m1.TotalAlloc - m0.TotalAlloc; a < least {
				least = a
			}
			best = cost{status: rec.status(), hashes: sh.Auth().Hasher().Hashes() - h0}
		}
		best.class = costClass(least)
		return best
	}
	var rows []string
	for _, r := range sh.Routes() {
		if r.Method == "HEAD" {
			continue // as its GET
		}
		path := fill.Replace(r.Path)
		anon := measure(r.Method, path, "")
		nobody := measure(r.Method, path, tok)
		if publicReading[r.Method+" "+r.Path] {
			// The table gives such a page's bound, not the class it fell
			// in this time: it sits at the edge between the two.
			for _, c := range []*cost{&anon, &nobody} {
				if c.class == "small" {
					c.class = "medium"
				}
			}
		}
		for who, c := range map[string]cost{"anonymous": anon, "no role": nobody} {
			// Signing in computes one hash, whose memory (64 MiB in
			// production, 8 MiB here) the hasher bounds: at most
			// REDLINE_HASH_CONCURRENCY at once.
			key := r.Method + " " + r.Path
			if (c.class != "small" && c.hashes != 1 && !staticPages[key] && !(publicReading[key] && c.class == "medium")) || c.hashes > 1 || c.status >= 500 {
				t.Errorf("%s %s as %s: %d, %d hashes, %s allocation; want an answer before any expensive work",
					r.Method, r.Path, who, c.status, c.hashes, c.class)
			}
		}
		rows = append(rows, fmt.Sprintf("| `%s %s` | %d | %d | %s | %d | %d | %s |",
			r.Method, r.Path, anon.status, anon.hashes, anon.class, nobody.status, nobody.hashes, nobody.class))
	}
	slices.Sort(rows)
	table := "| route | anonymous | hashes | memory | no role | hashes | memory |\n|---|---|---|---|---|---|---|\n" +
		strings.Join(rows, "\n") + "\n"
	const begin, end = "<!-- route costs: begin (go test ./internal/webui -run TestRouteCostTable -update-costs) -->\n", "<!-- route costs: end -->"
	doc, err := os.ReadFile("../../docs/reliability.md")
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if *updateCosts {
		if i < 0 || j < i {
			t.Fatal("docs/reliability.md has no route cost markers")
		}
		out := append(append(append([]byte{}, doc[:i+len(begin)]...), table...), doc[j:]...)
		if err := os.WriteFile("../../docs/reliability.md", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if i < 0 || j < i || string(doc[i+len(begin):j]) != table {
		t.Errorf("the route cost table in docs/reliability.md is not what the routes cost; run go test ./internal/webui -run TestRouteCostTable -update-costs\n%s", table)
	}
	_ = http.MethodGet
}
