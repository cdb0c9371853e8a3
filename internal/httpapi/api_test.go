package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"redline/internal/apidoc/apidoctest"
	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
)

// api drives the real Gin engine over a real service and real storage.
type api struct {
	t      *testing.T
	h      http.Handler
	svc    *drafting.Service
	st     *stack.Stack
	token  string            // the caller's: "chair" unless as() chose another
	tokens map[string]string // login → token
}

func newAPI(t *testing.T, backend string, opt drafting.Options) *api {
	t.Helper()
	st := stack.New(t, backend)
	m := shell.NewMetrics()
	opt.Hooks = m.Hooks()
	svc := st.Service(t, opt)
	h, err := httpapi.New(svc, httpapi.Options{Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, h: apidoctest.Handler(t, h), svc: svc, st: st, tokens: map[string]string{}}
	a.addUser("admin", true)
	a.addUser("chair", false)
	a.token = a.tokens["chair"]
	return a
}

// addUser creates an account with a token.
func (a *api) addUser(login string, admin bool) {
	a.t.Helper()
	stack.MustUser(a.t, a.svc, login, admin)
	token, hash, err := auth.NewToken()
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := drafting.NewOperator(a.svc).CreateToken(context.Background(), login, "test", hash); err != nil {
		a.t.Fatal(err)
	}
	a.tokens[login] = token
}

// as returns the same API called with login's token ("" for anonymous).
func (a *api) as(login string) *api {
	b := *a
	b.token = a.tokens[login]
	return &b
}

// createDoc creates a document as the administrator and appoints "chair"
// its chair.
func (a *api) createDoc(body map[string]any) response {
	a.t.Helper()
	r := a.as("admin").mustStatus(a.as("admin").do("POST", "/api/v1/documents", body), http.StatusCreated)
	stack.MustRole(a.t, a.svc, "chair", drafting.RoleChair, body["slug"].(string))
	return r
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", r.Status, err, r.Body)
	}
	return m
}

func (r response) errorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// do sends a request; body may be a string (sent as is) or a value (JSON).
func (a *api) do(method, path string, body any, hdr ...string) response {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "127.0.0.1:1234"
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (a *api) mustStatus(r response, want int) response {
	a.t.Helper()
	if r.Status != want {
		a.t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

func forEachBackend(t *testing.T, f func(t *testing.T, backend string)) {
	for _, b := range stack.Backends {
		t.Run(b, func(t *testing.T) { f(t, b) })
	}
}

const resolution = "Проект итогового документа\n\n1. Участники конференции приняли за основу проект итогового документа.\n\n2. Рекомендовать создать центр кластерного развития.\n"

func TestDocumentLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := newAPI(t, backend, drafting.Options{})
		r := a.createDoc(map[string]any{
			"slug": "clusters-2011", "title": "Итоговый документ", "text": resolution, "message": "первый проект",
		})
		doc := r.json(t)
		head := doc["head"].(map[string]any)
		if head["number"].(float64) != 1 || head["parent"] != nil || head["author"] != "admin" || doc["language"] != "ru" || doc["approvals_required"].(float64) != 1 {
			t.Fatalf("created document: %s", r.Body)
		}
		texts := []string{resolution}
		for i := 2; i <= 3; i++ {
			text := texts[len(texts)-1] + fmt.Sprintf("\n%d. Новый пункт номер %d.\n", i+1, i)
			r := a.mustStatus(a.do("POST", "/api/v1/documents/clusters-2011/revisions",
				map[string]any{"base": i - 1, "text": text, "message": fmt.Sprintf("правка %d", i)}), http.StatusCreated)
			rev := r.json(t)
			if rev["number"].(float64) != float64(i) || rev["parent"].(float64) != float64(i-1) {
				t.Fatalf("revision %d: %s", i, r.Body)
			}
			texts = append(texts, text)
		}
		for i, want := range texts {
			n := i + 1
			r := a.mustStatus(a.do("GET", fmt.Sprintf("/api/v1/documents/clusters-2011/revisions/%d/text", n), nil), http.StatusOK)
			if string(r.Body) != want {
				t.Errorf("text %d = %q, want %q", n, r.Body, want)
			}
			if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			etag := r.Header.Get("ETag")
			meta := a.mustStatus(a.do("GET", fmt.Sprintf("/api/v1/documents/clusters-2011/revisions/%d", n), nil), http.StatusOK).json(t)
			if etag != `"`+meta["sha256"].(string)+`"` || meta["size"].(float64) != float64(len(want)) {
				t.Errorf("etag %s, revision %v", etag, meta)
			}
			nm := a.do("GET", fmt.Sprintf("/api/v1/documents/clusters-2011/revisions/%d/text", n), nil, "If-None-Match", etag)
			if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
				t.Errorf("If-None-Match: status %d body %q", nm.Status, nm.Body)
			}
		}
		list := a.mustStatus(a.do("GET", "/api/v1/documents/clusters-2011/revisions", nil), http.StatusOK).json(t)["revisions"].([]any)
		if len(list) != 3 || list[0].(map[string]any)["number"].(float64) != 3 {
			t.Fatalf("revisions: %v", list)
		}
		page := a.mustStatus(a.do("GET", "/api/v1/documents/clusters-2011/revisions?limit=1&before=3", nil), http.StatusOK).json(t)["revisions"].([]any)
		if len(page) != 1 || page[0].(map[string]any)["number"].(float64) != 2 {
			t.Fatalf("revisions page: %v", page)
		}
		got := a.mustStatus(a.do("GET", "/api/v1/documents/clusters-2011", nil), http.StatusOK).json(t)
		if got["head"].(map[string]any)["number"].(float64) != 3 || got["adopted"] != nil {
			t.Fatalf("document: %v", got)
		}
		docs := a.mustStatus(a.do("GET", "/api/v1/documents", nil), http.StatusOK).json(t)["documents"].([]any)
		if len(docs) != 1 || docs[0].(map[string]any)["slug"] != "clusters-2011" {
			t.Fatalf("documents: %v", docs)
		}
	})
}

// stored counts what the stack holds, to show a refused request changed
// nothing.
type stored struct{ docs, revs, blobs int }

func (a *api) stored() stored {
	a.t.Helper()
	ctx := context.Background()
	var s stored
	ds, err := a.st.DB.ListDocuments(ctx)
	if err != nil {
		a.t.Fatal(err)
	}
	s.docs = len(ds)
	if err := a.st.DB.AllRevisions(ctx, func(drafting.Revision) error { s.revs++; return nil }); err != nil {
		a.t.Fatal(err)
	}
	if err := a.st.Blobs.List(ctx, "", func(string) error { s.blobs++; return nil }); err != nil {
		a.t.Fatal(err)
	}
	return s
}

func TestBadInputChangesNothing(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{MaxTextBytes: 4096})
	a.createDoc(map[string]any{"slug": "doc", "title": "Документ", "text": resolution})
	adminAuth := []string{"Authorization", "Bearer " + a.tokens["admin"]}
	big := strings.Repeat("ж", 2049) // 4098 bytes
	cases := []struct {
		name, method, path string
		body               any
		hdr                []string
		status             int
		code               string
	}{
		{"malformed JSON", "POST", "/api/v1/documents/doc/revisions", `{"base": 1, "text": "x"`, nil, 400, "invalid"},
		{"not an object", "POST", "/api/v1/documents/doc/revisions", `[1,2]`, nil, 400, "invalid"},
		{"empty body", "POST", "/api/v1/documents/doc/revisions", ``, nil, 400, "invalid"},
		{"trailing data", "POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"a"} {}`, nil, 400, "invalid"},
		{"unknown field", "POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"a","txet":"b"}`, nil, 400, "invalid"},
		{"wrong type", "POST", "/api/v1/documents/doc/revisions", `{"base":"one","text":"a"}`, nil, 400, "invalid"},
		{"missing base", "POST", "/api/v1/documents/doc/revisions", map[string]any{"text": "a"}, nil, 400, "invalid"},
		{"missing text", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1}, nil, 400, "invalid"},
		{"missing title", "POST", "/api/v1/documents", map[string]any{"slug": "other"}, adminAuth, 400, "invalid"},
		{"bad slug upper", "POST", "/api/v1/documents", map[string]any{"slug": "Doc", "title": "t"}, adminAuth, 400, "invalid"},
		{"bad slug leading dash", "POST", "/api/v1/documents", map[string]any{"slug": "-doc", "title": "t"}, adminAuth, 400, "invalid"},
		{"bad slug too long", "POST", "/api/v1/documents", map[string]any{"slug": strings.Repeat("a", 64), "title": "t"}, adminAuth, 400, "invalid"},
		{"bad slug cyrillic", "POST", "/api/v1/documents", map[string]any{"slug": "документ", "title": "t"}, adminAuth, 400, "invalid"},
		{"duplicate slug", "POST", "/api/v1/documents", map[string]any{"slug": "doc", "title": "t", "text": "другой текст"}, adminAuth, 409, "conflict"},
		{"invalid UTF-8", "POST", "/api/v1/documents/doc/revisions", []byte("{\"base\":1,\"text\":\"abc\xff\xfe\"}"), nil, 400, "invalid"},
		{"NUL", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "a\x00b"}, nil, 400, "invalid"},
		{"bell", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "a\x07b"}, nil, 400, "invalid"},
		{"lone CR", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "a\rb"}, nil, 400, "invalid"},
		{"C1 control", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "a\u0085b"}, nil, 400, "invalid"},
		{"escaped NUL", "POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"a\u0000b"}`, nil, 400, "invalid"},
		{"text too large", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": big}, nil, 413, "too_large"},
		{"new document text too large", "POST", "/api/v1/documents", map[string]any{"slug": "big", "title": "t", "text": big}, adminAuth, 413, "too_large"},
		{"body too large", "POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"` + strings.Repeat("a", 4<<20) + `"}`, nil, 413, "too_large"},
		{"wrong content type", "POST", "/api/v1/documents/doc/revisions", `base=1`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported"},
		{"unknown document", "GET", "/api/v1/documents/nope", nil, nil, 404, "not_found"},
		{"commit to unknown document", "POST", "/api/v1/documents/nope/revisions", map[string]any{"base": 0, "text": "a"}, nil, 404, "not_found"},
		{"unknown revision", "GET", "/api/v1/documents/doc/revisions/9", nil, nil, 404, "not_found"},
		{"unknown revision text", "GET", "/api/v1/documents/doc/revisions/9/text", nil, nil, 404, "not_found"},
		{"revision zero", "GET", "/api/v1/documents/doc/revisions/0", nil, nil, 404, "not_found"},
		{"non-numeric revision", "GET", "/api/v1/documents/doc/revisions/two", nil, nil, 400, "invalid"},
		{"non-numeric revision text", "GET", "/api/v1/documents/doc/revisions/1x/text", nil, nil, 400, "invalid"},
		{"negative limit", "GET", "/api/v1/documents/doc/revisions?limit=-1", nil, nil, 400, "invalid"},
		{"non-numeric before", "GET", "/api/v1/documents/doc/revisions?before=x", nil, nil, 400, "invalid"},
		{"stale base", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 0, "text": "a"}, nil, 409, "conflict"},
		{"base ahead", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 5, "text": "a"}, nil, 409, "conflict"},
		{"missing token", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "a"}, []string{"Authorization", ""}, 401, "unauthenticated"},
		{"wrong token", "POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "a"}, []string{"Authorization", "Bearer rl_wrong"}, 401, "unauthenticated"},
		{"basic auth", "GET", "/api/v1/documents", nil, []string{"Authorization", "Basic Y2hhaXI6eA=="}, 401, "unauthenticated"},
		{"no token on read", "GET", "/api/v1/documents/doc/revisions/1/text", nil, []string{"Authorization", ""}, 401, "unauthenticated"},
	}
	before := a.stored()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(c.method, c.path, c.body, c.hdr...)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if got := r.errorCode(t); got != c.code {
				t.Errorf("error code %q, want %q", got, c.code)
			}
			if msg := r.json(t)["error"].(map[string]any)["message"]; msg == "" {
				t.Error("error without a message")
			}
			if after := a.stored(); after != before {
				t.Errorf("stored %+v, before %+v: a refused request changed something", after, before)
			}
		})
	}
}

func TestStaleBaseReportsHead(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{})
	a.createDoc(map[string]any{"slug": "doc", "title": "Документ", "text": "один"})
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "два"}), http.StatusCreated)
	r := a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "три"}), http.StatusConflict)
	if head := r.json(t)["head"]; head != float64(2) {
		t.Fatalf("head in conflict = %v: %s", head, r.Body)
	}
}

func TestCRLFBecomesLF(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{})
	a.createDoc(map[string]any{"slug": "doc", "title": "Документ", "text": "пункт\r\n\r\nещё\tпункт\r\n"})
	r := a.mustStatus(a.do("GET", "/api/v1/documents/doc/revisions/1/text", nil), http.StatusOK)
	if string(r.Body) != "пункт\n\nещё\tпункт\n" {
		t.Fatalf("text %q", r.Body)
	}
}

// TestConcurrentCommitters has 32 clients race on one document: each reads
// the head and commits on it, retrying on 409 until its revision lands. The
// history must be one chain with every client's revision exactly once.
func TestConcurrentCommitters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := newAPI(t, backend, drafting.Options{})
		a.createDoc(map[string]any{"slug": "race", "title": "Гонка", "text": "начало"})
		const clients = 32
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			conflicts int
			failures  []string
		)
		start := make(chan struct{})
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				msg := fmt.Sprintf("client %d", i)
				for attempt := 0; attempt < 500; attempt++ {
					doc := a.do("GET", "/api/v1/documents/race", nil)
					var d struct{ Head struct{ Number int64 } }
					if err := json.Unmarshal(doc.Body, &d); err != nil || doc.Status != 200 {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("%s: read head: %d %s", msg, doc.Status, doc.Body))
						mu.Unlock()
						return
					}
					r := a.do("POST", "/api/v1/documents/race/revisions", map[string]any{
						"base": d.Head.Number, "text": fmt.Sprintf("текст клиента %d поверх %d", i, d.Head.Number), "message": msg})
					switch r.Status {
					case http.StatusCreated:
						return
					case http.StatusConflict:
						var c struct{ Head int64 }
						if json.Unmarshal(r.Body, &c) != nil || c.Head < d.Head.Number {
							mu.Lock()
							failures = append(failures, fmt.Sprintf("%s: conflict without a newer head: %s", msg, r.Body))
							mu.Unlock()
							return
						}
						mu.Lock()
						conflicts++
						mu.Unlock()
					default:
						mu.Lock()
						failures = append(failures, fmt.Sprintf("%s: status %d: %s", msg, r.Status, r.Body))
						mu.Unlock()
						return
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, f := range failures {
			t.Error(f)
		}
		if conflicts == 0 {
			t.Error("no conflicts: the clients did not contend, the test proves nothing")
		}
		var revs []drafting.Revision
		if err := a.st.DB.AllRevisions(context.Background(), func(r drafting.Revision) error { revs = append(revs, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(revs) != clients+1 {
			t.Fatalf("%d revisions, want %d", len(revs), clients+1)
		}
		seen := map[string]int{}
		for i, r := range revs {
			if r.Number != int64(i+1) || r.Parent != int64(i) {
				t.Errorf("revision %d has number %d parent %d", i+1, r.Number, r.Parent)
			}
			seen[r.Message]++
		}
		for i := range clients {
			if n := seen[fmt.Sprintf("client %d", i)]; n != 1 {
				t.Errorf("client %d's revision appears %d times", i, n)
			}
		}
		t.Logf("%s: %d clients, %d conflicts answered with 409", backend, clients, conflicts)
	})
}

func TestHealthReadyMetrics(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{})
	a.mustStatus(a.do("GET", "/healthz", nil, "Authorization", ""), http.StatusOK)
	a.mustStatus(a.do("GET", "/readyz", nil, "Authorization", ""), http.StatusOK)
	a.createDoc(map[string]any{"slug": "doc", "title": "Документ", "text": "текст"})
	m := a.mustStatus(a.do("GET", "/metrics", nil), http.StatusOK)
	for _, want := range []string{
		`redline_revisions_committed_total 1`,
		`redline_blob_bytes_written_total 10`,
		`redline_http_requests_total{method="POST",route="/api/v1/documents",status="201"} 1`,
		`redline_http_request_duration_seconds_bucket{method="POST",route="/api/v1/documents"`,
	} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if id := a.do("GET", "/healthz", nil, "X-Request-ID", "abc-123").Header.Get("X-Request-ID"); id != "abc-123" {
		t.Errorf("request id %q", id)
	}
	if id := a.do("GET", "/healthz", nil, "X-Request-ID", "bad id\x01").Header.Get("X-Request-ID"); len(id) != 16 {
		t.Errorf("generated request id %q", id)
	}
}
