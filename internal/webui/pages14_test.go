package webui

// issue 14: pages fit for reading and print (HEAD, names, the audit log's
// sentences, what each role is offered).

import (
	"net/http"
	"strings"
	"testing"

	"redline/internal/webui/demo"
)

// TestHEADOnPagesAndDownloads: every GET route of the pages is also a HEAD
// route, and over real HTTP a HEAD answers as its GET does, with the
// headers (Content-Type, Content-Length) and no body: the public page (from
// the cache and not), its redline and feed, a download, a member's page.
func TestHEADOnPagesAndDownloads(t *testing.T) {
	s := newSite(t)
	heads := map[string]bool{}
	var gets []string
	for _, r := range s.ui.sh.Routes() {
		switch {
		case r.Method == http.MethodHead:
			heads[r.Path] = true
		case r.Method == http.MethodGet && !strings.HasPrefix(r.Path, "/api/v1/") && !strings.HasPrefix(r.Path, "/.well-known/") &&
			!strings.HasSuffix(r.Path, "stream") && r.Path != "/healthz" && r.Path != "/readyz" && r.Path != "/metrics":
			gets = append(gets, r.Path)
		}
	}
	if len(gets) < 25 {
		t.Fatalf("only %d page routes", len(gets))
	}
	for _, p := range gets {
		if !heads[p] {
			t.Errorf("GET %s has no HEAD", p)
		}
	}
	for _, p := range []string{"/api/v1/public/documents/:slug/download/:file"} {
		if !heads[p] {
			t.Errorf("download %s has no HEAD", p)
		}
	}

	anon := s.client()
	chair := s.client().signIn("chair")
	pub := "/public/" + demo.Slug
	d := "/documents/" + demo.Slug
	for _, tc := range []struct {
		c    *client
		path string
	}{
		{anon, pub}, {anon, pub}, // the second from the cache
		{anon, pub + "/diff"}, {anon, pub + "/feed.atom"}, {anon, pub + "/amendments"},
		{anon, "/api/v1/public/documents/" + demo.Slug + "/download/4.md"},
		{anon, "/"}, {anon, "/signin"}, {anon, d},
		{chair, d}, {chair, d + "/history"}, {chair, d + "/diff?from=1&to=4"}, {chair, d + "/proposals/1"},
		{chair, d + "/events"}, {chair, d + "/approvals"}, {chair, d + "/members"}, {chair, "/documents"},
	} {
		get, gbody := tc.c.get(tc.path)
		req, err := http.NewRequest(http.MethodHead, s.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		head, hbody := tc.c.do(req)
		if head.StatusCode != get.StatusCode || hbody != "" {
			t.Errorf("HEAD %s: %d with %d bytes; GET: %d", tc.path, head.StatusCode, len(hbody), get.StatusCode)
			continue
		}
		if head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET %q", tc.path, head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
		}
		if get.StatusCode == http.StatusOK && head.Header.Get("Content-Length") == "" && len(gbody) > 0 &&
			!strings.HasSuffix(tc.path, ".atom") {
			t.Errorf("HEAD %s: no Content-Length", tc.path)
		}
	}
}
