package httpapi_test

// issue 16: the routes of the published keys, the adoption statements and
// the Akoma Ntoso exports.

import (
	"bytes"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/signing"
)

func TestStatementsAndAkomaNtoso(t *testing.T) {
	_, key, err := signing.Generate("test")
	if err != nil {
		t.Fatal(err)
	}
	keys := &signing.Keyring{}
	if err := keys.Add(key); err != nil {
		t.Fatal(err)
	}
	a, _ := accessAPI(t, drafting.Options{Signer: signing.Adopter{Keys: keys}}, httpapi.Options{})
	chair, anon := a.as("chair"), a.as("")

	// Nothing adopted yet: no statement, no public file; members export a
	// draft.
	if r := anon.do("GET", "/api/v1/public/documents/doc/statements/1.json", nil); r.Status != 404 || r.reason(t) != "not_adopted" {
		t.Errorf("a statement before any adoption: %d %s", r.Status, r.Body)
	}
	draft := a.as("member").mustStatus(a.as("member").do("GET", "/api/v1/documents/doc/revisions/1/export.akn.xml", nil), 200)
	if !bytes.Contains(draft.Body, []byte(`name="resolutionDraft"`)) || draft.Header.Get("Content-Type") != "application/akn+xml; charset=utf-8" {
		t.Errorf("a draft's export: %s %s", draft.Header.Get("Content-Type"), draft.Body)
	}
	anon.mustStatus(anon.do("GET", "/api/v1/documents/doc/revisions/1/export.akn.xml", nil), 401)
	a.as("nobody").mustStatus(a.as("nobody").do("GET", "/api/v1/documents/doc/revisions/1/export.akn.xml", nil), 404) // not theirs: as if missing (issue 13)
	a.as("member").mustStatus(a.as("member").do("GET", "/api/v1/documents/doc/revisions/9/export.akn.xml", nil), 404)

	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/1/approvals", map[string]any{"sha256": shaOf("1. Пункт.")}), 201)
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/1/adopt", map[string]any{"stage": "basis"}), 201)

	// The keys, the statement and its signature verify together.
	allowed := anon.mustStatus(anon.do("GET", "/.well-known/redline-keys", nil), 200)
	published, err := signing.ParseAllowedSigners(allowed.Body)
	if err != nil || published.Lookup(key.Fingerprint) == nil {
		t.Fatalf("published keys: %v\n%s", err, allowed.Body)
	}
	list := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/statements", nil), 200)
	if !bytes.Contains(list.Body, []byte(`"statement_url":"/api/v1/public/documents/doc/statements/1.json"`)) {
		t.Errorf("statements: %s", list.Body)
	}
	st := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/statements/1.json", nil), 200)
	sig := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/statements/1.json.sig", nil), 200)
	s, _, err := signing.Verify(st.Body, sig.Body, published)
	if err != nil || s.Document != "doc" || s.Revision != 1 || s.Stage != "basis" || s.SHA256 != shaOf("1. Пункт.") || s.SignedLater {
		t.Errorf("the statement: %+v, %v", s, err)
	}
	if r := anon.do("GET", "/api/v1/public/documents/doc/statements/1.json", nil, "If-None-Match", st.Header.Get("ETag")); r.Status != 304 {
		t.Errorf("statement revalidation: %d", r.Status)
	}
	for _, file := range []string{"2.json", "2.json.sig"} {
		if r := anon.do("GET", "/api/v1/public/documents/doc/statements/"+file, nil); r.Status != 404 || r.reason(t) != "not_signed" {
			t.Errorf("%s: %d %s", file, r.Status, r.Body)
		}
	}
	for _, file := range []string{"x.json", "1.jsonx", "1", "0.json", "1.sig", "-1.json"} {
		if r := anon.do("GET", "/api/v1/public/documents/doc/statements/"+file, nil); r.Status != 404 {
			t.Errorf("%s: %d %s", file, r.Status, r.Body)
		}
	}

	// The adopted text as Akoma Ntoso, for anyone; revalidated by its tag.
	x := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/download/1.akn.xml", nil), 200)
	if !bytes.Contains(x.Body, []byte(`name="resolution"`)) || !strings.Contains(x.Header.Get("Content-Disposition"), "doc-r1-") {
		t.Errorf("public Akoma Ntoso: %s\n%s", x.Header, x.Body)
	}
	if r := anon.do("GET", "/api/v1/public/documents/doc/download/1.akn.xml", nil, "If-None-Match", x.Header.Get("ETag")); r.Status != 304 {
		t.Errorf("Akoma Ntoso revalidation: %d", r.Status)
	}
	if r := anon.do("GET", "/api/v1/public/documents/doc/download/2.akn.xml", nil); r.Status != 404 || r.reason(t) != "not_adopted" {
		t.Errorf("a revision not adopted: %d %s", r.Status, r.Body)
	}
	adopted := a.as("member").mustStatus(a.as("member").do("GET", "/api/v1/documents/doc/revisions/1/export.akn.xml", nil), 200)
	if !bytes.Equal(adopted.Body, x.Body) {
		t.Errorf("a member's export of the adopted revision differs from the public file")
	}
}

func TestKeysWithoutAKey(t *testing.T) {
	a, _ := accessAPI(t, drafting.Options{}, httpapi.Options{})
	if r := a.as("").do("GET", "/.well-known/redline-keys", nil); r.Status != 404 || r.reason(t) != "not_signed" {
		t.Errorf("keys without a key: %d %s", r.Status, r.Body)
	}
	r := a.as("").mustStatus(a.as("").do("GET", "/api/v1/public/keys", nil), 200)
	if !bytes.Contains(r.Body, []byte(`"keys":[]`)) {
		t.Errorf("key list without a key: %s", r.Body)
	}
}
