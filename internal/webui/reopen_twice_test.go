package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/webui/demo"
)

// TestReopenTwiceSaysWhy: the second of two reopenings (a double click,
// two administrators) answered 409 with the document's page and no word
// of why: the refusal was put beside a reopening form the page no longer
// has. It is said.
func TestReopenTwiceSaysWhy(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	if _, err := s.svc.Adoptions.Adopt(context.Background(), s.user("chair"), demo.Slug, 4,
		drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: "учтём"}); err != nil {
		t.Fatal(err)
	}
	admin := s.client().signIn("admin")
	path := "/documents/" + demo.Slug + "/reopen"
	if resp, _ := admin.post(path, url.Values{"reason": {"Опечатка в пункте 3"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d", resp.StatusCode)
	}
	resp, body := admin.post(path, url.Values{"reason": {"Опечатка в пункте 3"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(stripTags(body), "Открыть снова можно только документ, принятый в целом.") {
		t.Errorf("reopen again: %d\n%.800s", resp.StatusCode, stripTags(body))
	}
}
