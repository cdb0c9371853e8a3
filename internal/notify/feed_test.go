package notify_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/notify"
	"redline/internal/testenv"
)

// xmllintAtom validates feed against RFC 4287's grammar with xmllint.
func xmllintAtom(t *testing.T, feed []byte) error {
	t.Helper()
	bin := testenv.Tool(t, "xmllint", "libxml2-utils")
	path := filepath.Join(t.TempDir(), "feed.atom")
	if err := os.WriteFile(path, feed, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--relaxng", "testdata/atom.rng", path).CombinedOutput()
	if err != nil {
		return &exec.ExitError{Stderr: out}
	}
	return nil
}

func getFeed(t *testing.T, w *world, token string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/feeds/"+token+".atom", nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	w.n.ServeFeed(rec, req)
	return rec
}

func TestFeed(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	w.history()
	must(t, w.n.Step(ctx))
	other := notify.DocInfo{ID: "fedcba9876543210fedcba9876543210", Slug: "secret", Title: "Закрытый <проект> & черновик"}
	w.dir.AddDocument(other)
	w.dir.Join(other.ID, petrov, notify.AllTopics, true)
	w.log.Add(liveRecord(other.ID, "revision.commit", map[string]string{"number": "2"}))
	must(t, w.n.Step(ctx))

	token := w.r.Signer.Sign(notify.Token{Purpose: notify.Feed, User: petrov})
	rec := getFeed(t, w, token)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("feed: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.Bytes()
	if err := xmllintAtom(t, body); err != nil {
		t.Fatalf("the feed does not validate against RFC 4287:\n%s\n%s", err.(*exec.ExitError).Stderr, body)
	}
	var f notify.AtomFeed
	if err := xml.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 4 || !bytes.Contains(body, []byte(`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">`)) || f.Author.Name == "" {
		t.Fatalf("feed of %d entries:\n%s", len(f.Entries), body)
	}
	if !strings.Contains(f.Entries[0].Title.Text, "Закрытый <проект> & черновик: New revision 2") ||
		f.Entries[0].Updated != f.Updated {
		t.Errorf("newest entry %+v, feed updated %s", f.Entries[0], f.Updated)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		if ids[e.ID] {
			t.Errorf("entry id %s twice", e.ID)
		}
		ids[e.ID] = true
		if len(e.Links) != 1 || !strings.HasPrefix(e.Links[0].Href, "https://redline.example.org/documents/") {
			t.Errorf("entry links %v", e.Links)
		}
	}
	// The schema can fail: a feed without its updated element does not validate.
	broken := bytes.Replace(body, []byte("<updated>"+f.Updated+"</updated>"), nil, 1)
	if err := xmllintAtom(t, broken); err == nil {
		t.Fatal("xmllint accepted a feed without <updated>")
	}

	// Revalidation.
	if again := getFeed(t, w, token, "If-None-Match", rec.Header().Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", again.Code)
	}
	// Removed from a document: its entries leave the feed.
	w.dir.Leave(other.ID, petrov)
	var left notify.AtomFeed
	if err := xml.Unmarshal(getFeed(t, w, token).Body.Bytes(), &left); err != nil || len(left.Entries) != 3 {
		t.Errorf("after leaving a document: %d entries, %v", len(left.Entries), err)
	}
	// A reset feed address, another purpose, a forged token: 404 alike.
	a, _ := w.dir.Account(ctx, petrov)
	a.FeedGen++
	w.dir.AddAccount(a)
	for name, tok := range map[string]string{
		"reset":       token,
		"unsubscribe": w.r.Signer.Sign(notify.Token{Purpose: notify.Unsubscribe, User: petrov, Document: doc.ID, Topics: notify.AllTopics}),
		"forged":      token[:len(token)-2] + "AA",
		"nonsense":    "..%2F..%2Fetc",
	} {
		if rec := getFeed(t, w, tok); rec.Code != http.StatusNotFound {
			t.Errorf("%s token: %d, want 404", name, rec.Code)
		}
	}
	if rec := getFeed(t, w, w.r.Signer.Sign(notify.Token{Purpose: notify.Feed, User: petrov, Gen: 1})); rec.Code != http.StatusOK {
		t.Errorf("the new feed address: %d", rec.Code)
	}
}

func TestEmptyFeedValidates(t *testing.T) {
	w := newWorld(t, nil)
	rec := getFeed(t, w, w.r.Signer.Sign(notify.Token{Purpose: notify.Feed, User: chair, Lang: "ru"}))
	if rec.Code != http.StatusOK {
		t.Fatalf("empty feed: %d", rec.Code)
	}
	if err := xmllintAtom(t, rec.Body.Bytes()); err != nil {
		t.Fatalf("the empty feed does not validate: %s", err.(*exec.ExitError).Stderr)
	}
}
