package httpapi_test

// --- issue 15: Idempotency-Key on imports ---

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/office"
)

// TestImportIdempotency, over HTTP against PostgreSQL: an import retried
// with the same Idempotency-Key and the same file (in a form built again,
// with a new boundary) gets the first answer, marked as replayed, without
// the handler running again (the document's head moved meanwhile, which a
// fresh import would report); the same key with another file is refused
// as on the other routes; another key converts afresh.
func TestImportIdempotency(t *testing.T) {
	a := newAPI(t, "postgres+minio", drafting.Options{})
	a.createDoc(map[string]any{"slug": "doc", "title": "Итоговый документ", "text": resolution})
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	post := func(key string, data []byte) response {
		t.Helper()
		var b bytes.Buffer
		mw := multipart.NewWriter(&b) // a random boundary each time
		fw, err := mw.CreateFormFile("file", "проект.docx")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest("POST", srv.URL+"/api/v1/documents/doc/imports", &b)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	}
	next := strings.TrimSpace(resolution) + "\n\n3. Новый пункт из файла."
	file := officeFile(t, office.FormatDOCX, next)

	first := a.mustStatus(post("import-1", file), 200)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("the first import says it was replayed")
	}
	if im := decode[importAnswer](t, first); im.Base != 1 || im.Text != next {
		t.Fatalf("first import: %s", first.Body)
	}
	// The head moves: an import done now would answer base 2.
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": next}), 201)

	again := a.mustStatus(post("import-1", file), 200)
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("the retry was not the first answer replayed (%q): %s", again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	other := officeFile(t, office.FormatDOCX, next+"\n\n4. Ещё один пункт.")
	if r := a.mustStatus(post("import-1", other), 409); reasonOf(t, r) != string(drafting.ReasonKeyReused) {
		t.Errorf("another file under the same key: %s", r.Body)
	}
	fresh := a.mustStatus(post("import-2", file), 200)
	if im := decode[importAnswer](t, fresh); im.Base != 2 || fresh.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("a new key's import: %s", fresh.Body)
	}
}
