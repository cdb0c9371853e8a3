package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/office"
	"redline/internal/textdiff"
)

// upload posts data as the file field of a multipart form.
func (a *api) upload(path, name string, data []byte, hdr ...string) response {
	a.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("note", "поле до файла"); err != nil {
		a.t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		a.t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		a.t.Fatal(err)
	}
	return a.do("POST", path, b.Bytes(), append([]string{"Content-Type", mw.FormDataContentType()}, hdr...)...)
}

func officeFile(t *testing.T, f office.Format, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch f {
	case office.FormatODT:
		err = office.WriteODT(&b, text, office.Meta{Title: "Проект из файла"})
	default:
		err = office.WriteDOCX(&b, text, office.Meta{Title: "Проект из файла"})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type importAnswer struct {
	Slug       string           `json:"slug"`
	Exists     bool             `json:"exists"`
	Base       int64            `json:"base"`
	FileName   string           `json:"file_name"`
	Size       int64            `json:"size"`
	Format     string           `json:"format"`
	Title      string           `json:"title"`
	Text       string           `json:"text"`
	SHA256     string           `json:"sha256"`
	Paragraphs int              `json:"paragraphs"`
	Ignored    []office.Ignored `json:"ignored"`
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%d: %v: %s", r.Status, err, r.Body)
	}
	return v
}

func reasonOf(t *testing.T, r response) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	s, _ := e["reason"].(string)
	return s
}

// TestImportAPI: a chair imports the next revision, an administrator a new
// document; the text comes back for review, nothing is stored, and the
// reviewed text goes through the usual create and commit.
func TestImportAPI(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{})
	a.addUser("member", false)
	a.createDoc(map[string]any{"slug": "doc", "title": "Итоговый документ", "text": resolution})
	if err := grant(a, "member", drafting.RoleMember, "doc"); err != nil {
		t.Fatal(err)
	}
	next := strings.TrimSpace(resolution) + "\n\n3. Новый пункт из файла."
	for _, f := range []office.Format{office.FormatDOCX, office.FormatODT} {
		// A first Idempotency-Key answers as without one (TestImportIdempotency: its retries).
		r := a.mustStatus(a.upload("/api/v1/documents/doc/imports", "проект."+string(f), officeFile(t, f, next), "Idempotency-Key", "k-"+string(f)), 200)
		im := decode[importAnswer](t, r)
		if !im.Exists || im.Base != 1 || im.Text != next || im.Format != string(f) || im.FileName != "проект."+string(f) ||
			im.Title != "Проект из файла" || im.Paragraphs != 4 || im.Ignored == nil || r.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("%s import: %s", f, r.Body)
		}
	}
	revs := a.mustStatus(a.do("GET", "/api/v1/documents/doc/revisions", nil), 200)
	if n := strings.Count(string(revs.Body), `"number"`); n != 1 {
		t.Fatalf("an import stored something: %d revisions", n)
	}
	im := decode[importAnswer](t, a.upload("/api/v1/documents/doc/imports", "p.docx", officeFile(t, office.FormatDOCX, next)))
	r := a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": im.Base, "text": im.Text}), 201)
	if got := r.json(t)["sha256"]; got != im.SHA256 {
		t.Errorf("committed sha256 %v, reviewed %s", got, im.SHA256)
	}

	// An administrator's new document.
	admin := a.as("admin")
	im = decode[importAnswer](t, admin.mustStatus(admin.upload("/api/v1/documents/novyi/imports", "p.odt", officeFile(t, office.FormatODT, next)), 200))
	if im.Exists || im.Base != 0 || im.Slug != "novyi" {
		t.Fatalf("new document import: %+v", im)
	}
	admin.mustStatus(admin.do("POST", "/api/v1/documents", map[string]any{"slug": im.Slug, "title": im.Title, "text": im.Text}), 201)

	// Refusals, each with its reason.
	var redline bytes.Buffer
	if err := office.WriteRedlineDOCX(&redline, textdiff.Diff(resolution, next, textdiff.Options{}), office.RedlineMeta{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		r      response
		status int
		reason string
	}{
		{"anonymous", a.as("").upload("/api/v1/documents/doc/imports", "p.docx", officeFile(t, office.FormatDOCX, next)), 401, "sign_in_required"},
		{"member", a.as("member").upload("/api/v1/documents/doc/imports", "p.docx", officeFile(t, office.FormatDOCX, next)), 403, "not_a_chair"},
		{"chair, new document", a.upload("/api/v1/documents/other/imports", "p.docx", officeFile(t, office.FormatDOCX, next)), 403, "not_an_admin"},
		{"JSON", a.do("POST", "/api/v1/documents/doc/imports", map[string]any{"text": "x"}), 415, "unsupported_media_type"},
		{"no file", a.do("POST", "/api/v1/documents/doc/imports", "--b--\r\n", "Content-Type", "multipart/form-data; boundary=b"), 400, "missing_field"},
		{"plain text", a.upload("/api/v1/documents/doc/imports", "p.txt", []byte("1. Пункт.")), 415, "not_a_document"},
		{"tracked changes", a.upload("/api/v1/documents/doc/imports", "redline.docx", redline.Bytes()), 400, "pending_tracked_changes"},
		{"declared 50 MB", a.declared("/api/v1/documents/doc/imports", 50<<20), 413, "file_too_large"},
	}
	for _, c := range cases {
		if c.r.Status != c.status || reasonOf(t, c.r) != c.reason {
			t.Errorf("%s: %d %s, want %d %s", c.name, c.r.Status, c.r.Body, c.status, c.reason)
		}
	}
	d := cases[len(cases)-1].r.json(t)["error"].(map[string]any)["details"].(map[string]any)
	if d["max_bytes"] != float64(20<<20) || d["max_mb"] != "20" {
		t.Errorf("the refusal does not state the limit: %v", d)
	}
}

// declared posts a multipart body that says it is n bytes long but holds a
// few: refused for its declared length, nothing is read.
func (a *api) declared(path string, n int64) response {
	a.t.Helper()
	body := &countingReader{r: strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.docx\"\r\n\r\nPK")}
	req := httptest.NewRequest("POST", path, body)
	req.ContentLength = n
	req.RemoteAddr = "127.0.0.1:1234"
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	req.Header.Set("Authorization", "Bearer "+a.token)
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	if body.n != 0 {
		a.t.Errorf("%d bytes of the body were read", body.n)
	}
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func grant(a *api, login, role, slug string) error {
	r := a.as("admin").do("PUT", "/api/v1/documents/"+slug+"/members/"+login, map[string]any{"role": role})
	if r.Status != 200 {
		return &drafting.Error{Kind: drafting.KindInternal, Message: string(r.Body)}
	}
	return nil
}

// TestExportAPI: revisions, redlines and adopted texts as files: named like
// the downloads, typed, with strong entity tags (304, HEAD, Range), and each
// imports back.
func TestExportAPI(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{})
	a.createDoc(map[string]any{"slug": "doc", "title": "Итоговый документ", "text": resolution})
	next := strings.Replace(resolution, "центр", "региональный центр", 1)
	r := a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": next}), 201)
	sha := r.json(t)["sha256"].(string)
	for _, f := range []office.Format{office.FormatDOCX, office.FormatODT, office.FormatPDF} {
		path := "/api/v1/documents/doc/revisions/2/export." + string(f)
		r := a.mustStatus(a.do("GET", path, nil), 200)
		name := "doc-r2-" + sha[:12] + "." + string(f)
		if r.Header.Get("Content-Type") != office.ContentType(f) || !strings.Contains(r.Header.Get("Content-Disposition"), `filename="`+name+`"`) ||
			r.Header.Get("X-Content-SHA256") != sha || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", f, r.Header)
		}
		etag := r.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
			t.Errorf("%s: entity tag %q is not strong", f, etag)
		}
		if f != office.FormatPDF {
			im, err := office.ImportBytes(r.Body, office.Limits{})
			if err != nil || im.Text != strings.TrimSpace(next) {
				t.Errorf("%s does not import back: %v", f, err)
			}
		}
		a.mustStatus(a.do("GET", path, nil, "If-None-Match", etag), 304)
		h := a.mustStatus(a.do("HEAD", path, nil), 200)
		if len(h.Body) != 0 || h.Header.Get("Content-Length") != itoa(len(r.Body)) || h.Header.Get("ETag") != etag {
			t.Errorf("%s HEAD: %d bytes, headers %v", f, len(h.Body), h.Header)
		}
		p := a.mustStatus(a.do("GET", path, nil, "Range", "bytes=0-3"), 206)
		if !bytes.Equal(p.Body, r.Body[:4]) {
			t.Errorf("%s range: %q", f, p.Body)
		}
	}
	r = a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff.docx?from=1&to=2", nil), 200)
	if !strings.Contains(r.Header.Get("Content-Disposition"), "doc-r1-r2-"+sha[:12]+"-diff.docx") {
		t.Errorf("redline name: %v", r.Header)
	}
	if _, err := office.ImportBytes(r.Body, office.Limits{}); office.ReasonOf(err) != office.ReasonPendingTrackedChanges {
		t.Errorf("the redline has no tracked changes: %v", err)
	}
	r = a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff.pdf?from=2&to=1", nil), 200)
	if r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Errorf("redline PDF: %v", r.Header)
	}
	a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff.docx?from=1", nil), 400)
	a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff.docx?from=1&to=7", nil), 404)
	a.mustStatus(a.do("GET", "/api/v1/documents/doc/revisions/x/export.pdf", nil), 400)

	// The public's files of an adopted text.
	pub := a.as("")
	if r := pub.do("GET", "/api/v1/public/documents/doc/download/2.pdf", nil); r.Status != 404 || reasonOf(t, r) != "not_adopted" {
		t.Errorf("before adoption: %d %s", r.Status, r.Body)
	}
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha}), 201)
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "basis"}), 201)
	for _, f := range []office.Format{office.FormatDOCX, office.FormatODT, office.FormatPDF} {
		path := "/api/v1/public/documents/doc/download/2." + string(f)
		r := pub.mustStatus(pub.do("GET", path, nil), 200)
		if r.Header.Get("Content-Type") != office.ContentType(f) || !strings.Contains(r.Header.Get("Content-Disposition"), "doc-r2-"+sha[:12]+"."+string(f)) {
			t.Errorf("public %s: %v", f, r.Header)
		}
		pub.mustStatus(pub.do("GET", path, nil, "If-None-Match", r.Header.Get("ETag")), 304)
		if h := pub.mustStatus(pub.do("HEAD", path, nil), 200); len(h.Body) != 0 || h.Header.Get("Content-Length") != itoa(len(r.Body)) {
			t.Errorf("public %s HEAD: %v", f, h.Header)
		}
	}
	pub.mustStatus(pub.do("GET", "/api/v1/public/documents/doc/download/1.pdf", nil), 404)
	pub.mustStatus(pub.do("GET", "/api/v1/public/documents/doc/download/2.doc", nil), 404)
	pub.mustStatus(pub.do("GET", "/api/v1/public/documents/doc/download/2.md", nil), 200)
	pub.mustStatus(pub.do("HEAD", "/api/v1/public/documents/doc/download/2.md", nil), 200)
}

func itoa(n int) string { return strconv.Itoa(n) }
