package notify_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"redline/internal/live"
	"redline/internal/notify"
)

func liveRecord(docID, kind string, data map[string]string) live.Record {
	return live.Record{Document: docID, Kind: kind, ActorID: chair, ActorLogin: "chair", Data: data, At: t0}
}

func TestUnsubscribe(t *testing.T) {
	w := newWorld(t, nil)
	srv := httptest.NewServer(http.StripPrefix("/unsubscribe", w.n.UnsubscribeHandler(w.dir)))
	defer srv.Close()
	link := func(topics notify.Topics, lang string) string {
		return srv.URL + "/unsubscribe/" + w.r.Signer.Sign(notify.Token{Purpose: notify.Unsubscribe, User: petrov,
			Document: doc.ID, Topics: topics, Lang: lang})
	}
	read := func(resp *http.Response) string {
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	// GET (a mail scanner, or the person) only asks.
	resp, err := http.Get(link(notify.Revisions, "en"))
	if err != nil {
		t.Fatal(err)
	}
	body := read(resp)
	if resp.StatusCode != 200 || !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, "new revisions") ||
		resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	if w.dir.Topics(doc.ID, petrov) != notify.AllTopics {
		t.Fatal("a GET unsubscribed")
	}
	// The mail provider's one-click POST (RFC 8058).
	resp, err = http.PostForm(link(notify.Revisions, "en"), url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	body = read(resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "Done") {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	if got := w.dir.Topics(doc.ID, petrov); got != notify.AllTopics&^notify.Revisions {
		t.Fatalf("after unsubscribing from revisions: %s", got)
	}
	// Again: still fine, nothing more changes.
	resp, _ = http.PostForm(link(notify.Revisions, "en"), url.Values{"List-Unsubscribe": {"One-Click"}})
	if read(resp); resp.StatusCode != 200 || w.dir.Topics(doc.ID, petrov) != notify.AllTopics&^notify.Revisions {
		t.Fatalf("a repeated POST: %d", resp.StatusCode)
	}
	// Everything, in Russian.
	resp, _ = http.PostForm(link(notify.AllTopics, "ru"), url.Values{"List-Unsubscribe": {"One-Click"}})
	if body := read(resp); resp.StatusCode != 200 || !strings.Contains(body, "больше не придут") || w.dir.Topics(doc.ID, petrov) != 0 {
		t.Fatalf("unsubscribe from everything: %d %s", resp.StatusCode, body)
	}

	good := link(notify.Replies, "ru")
	for name, u := range map[string]string{
		"forged":     good[:len(good)-3] + "AAA",
		"a feed":     srv.URL + "/unsubscribe/" + w.r.Signer.Sign(notify.Token{Purpose: notify.Feed, User: petrov}),
		"no topics":  srv.URL + "/unsubscribe/" + w.r.Signer.Sign(notify.Token{Purpose: notify.Unsubscribe, User: petrov, Document: doc.ID}),
		"empty":      srv.URL + "/unsubscribe/",
		"long":       srv.URL + "/unsubscribe/" + strings.Repeat("A", 5000),
		"punctuated": srv.URL + "/unsubscribe/%3Cscript%3E",
	} {
		resp, err := http.PostForm(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		body := read(resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Ссылка недействительна") || strings.Contains(body, "<script>") {
			t.Errorf("%s token: %d %s", name, resp.StatusCode, body)
		}
	}
	w.dir.RemoveDocument(doc.ID)
	resp, _ = http.PostForm(good, nil)
	if body := read(resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Документ не найден") {
		t.Errorf("a deleted document: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodDelete, good, nil)
	resp, _ = http.DefaultClient.Do(req)
	if read(resp); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
}
