package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"redline/internal/apidoc"
	"redline/internal/drafting"
)

// TestOpenAPIServed: the description is served to anyone as JSON, the same
// bytes as the embedded file's, cacheable, and revalidated with 304.
func TestOpenAPIServed(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{})
	want, _, err := apidoc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"", "chair"} {
		r := a.as(who).mustStatus(a.as(who).do("GET", "/api/v1/openapi.json", nil), http.StatusOK)
		if !bytes.Equal(r.Body, want) {
			t.Fatalf("served description differs from apidoc.JSON()")
		}
		var doc map[string]any
		if err := json.Unmarshal(r.Body, &doc); err != nil || doc["openapi"] != "3.1.0" {
			t.Fatalf("not an OpenAPI 3.1 JSON document: %v %v", err, doc["openapi"])
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		wantCC := map[string]string{"": "public, max-age=300", "chair": "no-store"}[who]
		if cc := r.Header.Get("Cache-Control"); cc != wantCC {
			t.Errorf("Cache-Control %q for %q, want %q", cc, who, wantCC)
		}
		etag := r.Header.Get("ETag")
		if len(etag) < 10 || etag[0] != '"' {
			t.Fatalf("ETag %q", etag)
		}
		nm := a.as(who).do("GET", "/api/v1/openapi.json", nil, "If-None-Match", etag)
		if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
			t.Errorf("revalidation: %d with %d bytes, want 304 and none", nm.Status, len(nm.Body))
		}
	}
}
