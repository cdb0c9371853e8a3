package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
	"redline/internal/textdiff"
)

// The draft text no anonymous caller may ever read; the adopted one is
// public.
const (
	adoptedText = "Принять за основу проект итогового документа.\n"
	draftText   = "ЧЕРНОВИК: не для публикации.\n"
)

// apiHarness is the real Gin engine over a real service on SQLite and a
// temporary folder, with a chair's token and a document whose revision 1
// is adopted and revision 2 is a draft.
type apiHarness struct {
	h     http.Handler
	chair string // token
}

func newAPIHarness(tb testing.TB) *apiHarness {
	tb.Helper()
	ctx := context.Background()
	st := stack.New(tb, "sqlite+disk")
	svc := st.Service(tb, drafting.Options{MaxTextBytes: 64 << 10})
	h, err := httpapi.New(svc, httpapi.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	admin := stack.MustUser(tb, svc, "admin", true)
	chair := stack.MustUser(tb, svc, "chair", false)
	text := adoptedText
	if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Документ", Text: &text}); err != nil {
		tb.Fatal(err)
	}
	stack.MustRole(tb, svc, "chair", drafting.RoleChair, "doc")
	r1, err := svc.Documents.Revision(ctx, &chair, "doc", 1)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.Adoptions.Approve(ctx, &chair, "doc", 1, r1.SHA256, ""); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.Adoptions.Adopt(ctx, &chair, "doc", 1, drafting.AdoptInput{Stage: drafting.StageBasis}); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.Documents.Commit(ctx, &chair, "doc", 1, []byte(draftText), ""); err != nil {
		tb.Fatal(err)
	}
	tok, hash, _ := auth.NewToken()
	if _, err := drafting.NewOperator(svc).CreateToken(ctx, "chair", "", hash); err != nil {
		tb.Fatal(err)
	}
	return &apiHarness{h: h, chair: tok}
}

func (a *apiHarness) serve(method, target, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	// Set the raw request line the way a client would send it, so escapes
	// (%2e, %2F) reach the router as they would from the network.
	req.RequestURI = target
	if u, err := req.URL.Parse(target); err == nil {
		req.URL = u
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

// checkAnswer holds every answer to hostile input to the contract: never a
// 5xx, and every error is the JSON error object.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: %d %s", what, rec.Code, rec.Body.Bytes())
	}
	if rec.Code >= 400 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
			t.Fatalf("%s: %d without the error object: %s", what, rec.Code, rec.Body.Bytes())
		}
	}
}

// bodyRoutes are the JSON-decoding endpoints FuzzAPIBodies aims at.
var bodyRoutes = []struct{ method, path string }{
	{"POST", "/api/v1/documents"},
	{"POST", "/api/v1/documents/doc/revisions"},
	{"POST", "/api/v1/documents/doc/proposals"},
	{"POST", "/api/v1/documents/doc/revisions/2/approvals"},
	{"POST", "/api/v1/documents/doc/revisions/2/adopt"},
	{"POST", "/api/v1/documents/doc/comments"},
	{"PUT", "/api/v1/documents/doc/members/admin"},
	{"POST", "/api/v1/documents/doc/proposals/1/merge"},
	{"POST", "/api/v1/tokens"},
	{"POST", "/api/v1/session"},
	// issue 13: account creation (refused before hashing) and comment edits.
	{"POST", "/api/v1/users"},
	{"PUT", "/api/v1/documents/doc/comments/1"},
}

// FuzzAPIBodies sends arbitrary JSON bodies to every decoding endpoint of
// the real Gin engine as a chair: no input may cause a 5xx or an answer
// outside the error contract.
func FuzzAPIBodies(f *testing.F) {
	seeds := []string{
		`{"slug":"new","title":"Т","text":"a"}`, `{"base":2,"text":"x\r\ny","message":"m"}`,
		`{"base":1,"text":"p","title":"t"}`, `{"sha256":"00"}`, `{"stage":"final","override_reason":"r"}`,
		`{"revision":2,"body":"b","anchor":{"start":0,"end":3,"quote":"ЧЕР"}}`, `{"role":"chair"}`,
		`{"head":2}`, `{"label":"l"}`, `{"login":"chair","password":"p"}`, `{"base":-1}`, `{"text":"\u0000"}`,
		`{"revision":2,"body":"b","anchor":{"start":99999999999,"end":-1}}`, `[`, `null`, `{"a":1}{"b":2}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	a := newAPIHarness(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := bodyRoutes[int(route)%len(bodyRoutes)]
		checkAnswer(t, r.method+" "+r.path, a.serve(r.method, r.path, a.chair, body))
	})
}

// FuzzAPIPaths requests arbitrary paths and queries (slugs, revision
// numbers, diff parameters, path tricks) anonymously and as a chair: no
// 5xx, and an anonymous caller never reads the draft.
func FuzzAPIPaths(f *testing.F) {
	for _, s := range []string{
		"/api/v1/documents/doc/diff?from=1&to=2&mode=char&format=html",
		"/api/v1/documents/doc/diff?from=-1&to=99999999999999999999&mode=x&format=y",
		"/api/v1/documents/doc/revisions/2/text", "/api/v1/documents/DOC/revisions/0x2",
		"/api/v1/public/documents/doc/diff?from=1&to=2", "/api/v1/public/documents/doc/download/doc.txt",
		"//api/v1/documents/doc/revisions/2/text", "/api/v1/public/documents/doc/%2e%2e/%2e%2e/documents/doc/revisions/2/text",
		"/api/v1/documents/doc/comments?revision=2", "/public/doc", "/api/v1/documents/doc%2Frevisions%2F2%2Ftext",
		"/api/v1/documents/doc/revisions?limit=-5&before=x", "/api/v1/documents/doc/events?after=1e9",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	a := newAPIHarness(f)
	f.Fuzz(func(t *testing.T, target string, signedIn bool) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return
		}
		tok := ""
		if signedIn {
			tok = a.chair
		}
		rec := a.serve("GET", target, tok, nil)
		checkAnswer(t, "GET "+target, rec)
		if !signedIn && rec.Code < 400 && bytes.Contains(rec.Body.Bytes(), []byte("ЧЕРНОВИК")) {
			t.Fatalf("anonymous GET %s read the draft: %d %s", target, rec.Code, rec.Body.Bytes())
		}
	})
}

// FuzzAnchor makes anchors in arbitrary text and maps them into an edited
// text: a made anchor quotes its range, and a quote mapped as anchored or
// moved is found at its new place.
func FuzzAnchor(f *testing.F) {
	f.Add("Принять за основу проект.", "Принять в целом проект.", 8, 20)
	f.Add("a b c", "c b a", 0, 1)
	f.Add("\xff\xfe", "", -1, 3)
	f.Fuzz(func(t *testing.T, old, new string, start, end int) {
		if len(old) > 4096 || len(new) > 4096 {
			return
		}
		a, ok := textdiff.NewAnchor(old, start, end)
		if !ok {
			return
		}
		if runes := []rune(old); len(old) > 0 && start <= len(runes) && end <= len(runes) && string(runes[start:end]) != a.Quote && strings.ToValidUTF8(old, "") == old {
			t.Fatalf("anchor [%d,%d) quotes %q", start, end, a.Quote)
		}
		r := textdiff.Diff(old, new, textdiff.Options{})
		m := textdiff.MapAnchor(old, new, r, a)
		switch m.Status {
		case textdiff.AnchorAnchored, textdiff.AnchorMoved:
			if nr := []rune(new); strings.ToValidUTF8(new, "") == new && (m.End > len(nr) || string(nr[m.Start:m.End]) != a.Quote) {
				t.Fatalf("%s quote %q not at [%d,%d) of the new text", m.Status, a.Quote, m.Start, m.End)
			}
		case textdiff.AnchorOutdated:
		default:
			t.Fatalf("unknown status %q", m.Status)
		}
	})
}

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	loginRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
)

// FuzzIdentifiers: slugs, logins, diff modes and formats accept exactly the
// documented forms.
func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"doc", "a-b", "-a", "A", "ы", "a/b", "..", "a\x00", strings.Repeat("a", 64), "word", "char", "line", "html", "json", "unified"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if drafting.ValidSlug(s) != slugRE.MatchString(s) || (drafting.ValidSlug(s) && strings.HasSuffix(s, "\n")) {
			t.Fatalf("ValidSlug(%q) = %v", s, drafting.ValidSlug(s))
		}
		if drafting.ValidLogin(s) != loginRE.MatchString(s) || (drafting.ValidLogin(s) && strings.HasSuffix(s, "\n")) {
			t.Fatalf("ValidLogin(%q) = %v", s, drafting.ValidLogin(s))
		}
		if m, err := textdiff.ParseMode(s); err == nil && s != "" && string(m) != s {
			t.Fatalf("ParseMode(%q) = %q", s, m)
		}
		if _, err := textdiff.ParseFormat(s); err == nil && s != "" && s != "html" && s != "json" && s != "unified" {
			t.Fatalf("ParseFormat accepted %q", s)
		}
	})
}

// TestPathTricks: doubled slashes, dot segments (plain and %2e-encoded) and
// encoded slashes never take an anonymous caller to a draft, nor a
// chair outside the routes.
func TestPathTricks(t *testing.T) {
	a := newAPIHarness(t)
	for _, p := range []string{
		"//api/v1/documents/doc/revisions/2/text",
		"/api/v1//documents/doc/revisions/2/text",
		"/api/v1/public/documents/doc/../../documents/doc/revisions/2/text",
		"/api/v1/public/documents/doc/%2e%2e/%2e%2e/documents/doc/revisions/2/text",
		"/api/v1/public/documents/doc%2F..%2F..%2Fdocuments%2Fdoc%2Frevisions%2F2%2Ftext",
		"/public/doc/..%2f..%2fapi/v1/documents/doc/revisions/2/text",
		"/api/v1/public/documents/%2e%2e%2fdocuments%2fdoc/download/doc.txt",
		"/api/v1/documents/doc/revisions/2/text%00",
		"/api/v1/documents/doc/./revisions/2/text",
		"/api/v1/public/documents/doc/download/..%2f..%2f..%2fblobs",
	} {
		rec := a.serve("GET", p, "", nil)
		checkAnswer(t, p, rec)
		if rec.Code < 300 && bytes.Contains(rec.Body.Bytes(), []byte("ЧЕРНОВИК")) {
			t.Errorf("anonymous %s read the draft: %d", p, rec.Code)
		}
		if rec.Code < 300 && !strings.HasPrefix(p, "/api/v1/public/") && !strings.HasPrefix(p, "/public/") {
			t.Errorf("anonymous %s answered %d", p, rec.Code)
		}
		t.Logf("%-80s %d", p, rec.Code)
	}
}

// heapMB is the live heap after a full collection.
func heapMB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// TestOversizedBodyAndSlowLorisStayBounded sends 20 bodies of 64 MiB at
// once and opens 300 connections that dribble their headers: every body is
// refused with 413 and the heap grows by a bounded amount, and the slow
// clients are dropped by the header timeout rather than piling up memory.
func TestOversizedBodyAndSlowLorisStayBounded(t *testing.T) {
	a := newAPIHarness(t)
	srv := shell.NewHTTPServer("127.0.0.1:0", a.h)
	srv.ReadHeaderTimeout = 2 * time.Second // the server's 10 s, shortened for the test
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String()
	before := heapMB()

	var wg sync.WaitGroup
	var peak float64
	var mu sync.Mutex
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, float64(m.HeapAlloc)/(1<<20))
		mu.Unlock()
	}
	stopSampling, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stopSampling:
				return
			case <-time.After(20 * time.Millisecond):
				sample()
			}
		}
	}()
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := io.LimitReader(zeroJSON{}, 64<<20)
			req, _ := http.NewRequest("POST", base+"/api/v1/documents/doc/revisions", body)
			req.ContentLength = -1
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+a.chair)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // the server may close the connection after answering 413
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("64 MiB body: %d", resp.StatusCode)
			}
		}()
	}
	var conns []net.Conn
	for range 300 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST /api/v1/documents HTTP/1.1\r\nHost: x\r\n")
	}
	for i := range 3 {
		for _, c := range conns {
			fmt.Fprintf(c, "X-Slow-%d: %s\r\n", i, strings.Repeat("a", 1000))
		}
		time.Sleep(time.Second)
	}
	wg.Wait()
	dropped := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != nil {
			dropped++
		}
		c.Close()
	}
	close(stopSampling)
	<-sampled
	mu.Lock()
	peakMB := peak
	mu.Unlock()
	after := heapMB()
	t.Logf("heap %.1f MiB before, peak %.1f MiB during 20×64 MiB bodies and 300 slow-loris clients, %.1f MiB after; %d of 300 slow clients dropped",
		before, peakMB, after, dropped)
	// 1.25 GiB is sent; what is kept is bounded by the bodies' caps, not
	// their size (the race detector's shadow memory roughly doubles it).
	if peakMB-before > 128 {
		t.Errorf("heap grew by %.1f MiB under hostile clients (bound 128 MiB)", peakMB-before)
	}
	if after-before > 8 {
		t.Errorf("heap kept %.1f MiB after the hostile clients left", after-before)
	}
	if dropped < 300 {
		t.Errorf("only %d of 300 slow-loris connections were dropped by the header timeout", dropped)
	}
}

// zeroJSON is an endless JSON string body: `{"text":"000…`.
type zeroJSON struct{}

func (zeroJSON) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	if len(p) > 9 {
		copy(p, `{"text":"`)
	}
	return len(p), nil
}
