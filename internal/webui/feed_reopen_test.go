package webui

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"redline/internal/drafting"
	"redline/internal/webui/demo"
)

// TestFeedSaysReopened: the public page of a document reopened after its
// adoption as a whole says «изменён после принятия в целом» with the
// reason, but its Atom feed listed the adoptions alone, newest the final
// one, its <updated> the adoption's: a feed reader kept showing the text as
// adopted and closed. The reopening is an entry of its own, newest first,
// with its reason and in the reader's language, and dates the feed; after a
// second adoption as a whole, that adoption comes first again.
func TestFeedSaysReopened(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	chair := s.user("chair")
	if _, err := s.svc.Adoptions.Adopt(ctx, chair, demo.Slug, 4,
		drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: "учтём"}); err != nil {
		t.Fatal(err)
	}
	r, err := s.svc.Documents.Reopen(ctx, s.admin, demo.Slug, "Опечатка в пункте 3")
	if err != nil {
		t.Fatal(err)
	}
	feed := func(lang string) atomFeed {
		t.Helper()
		resp, body := s.client().get("/public/"+demo.Slug+"/feed.atom", "Accept-Language", lang)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("feed: %d", resp.StatusCode)
		}
		var f atomFeed
		if err := xml.Unmarshal([]byte(body), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := feed("ru")
	if len(f.Entries) != 3 {
		t.Fatalf("want the basis, the final adoption and the reopening, got %d entries: %+v", len(f.Entries), f.Entries)
	}
	e := f.Entries[0]
	if e.Title != "Открыт для изменений после принятия в целом: редакция № 4" ||
		!strings.Contains(e.Summary, "Причина: Опечатка в пункте 3") || !strings.HasSuffix(e.ID, "#reopening-"+itoa64(r.ID)) {
		t.Errorf("the newest entry is not the reopening: %+v", e)
	}
	if want := r.At.UTC().Format(time.RFC3339); f.Updated != want || e.Updated != want {
		t.Errorf("feed updated %s, entry %s, want the reopening's %s", f.Updated, e.Updated, want)
	}
	if !strings.Contains(f.Entries[1].Title, "Принят в целом") || !strings.Contains(f.Entries[2].Title, "Принят за основу") {
		t.Errorf("then the adoptions, newest first: %+v", f.Entries[1:])
	}
	if e := feed("en").Entries[0]; e.Title != "Reopened after final adoption: revision No. 4" ||
		!strings.Contains(e.Summary, "Reason: Опечатка в пункте 3") {
		t.Errorf("in English: %+v", e)
	}

	// Adopted as a whole again, the new adoption is the newest entry.
	if _, err := s.svc.Adoptions.Adopt(ctx, chair, demo.Slug, 4,
		drafting.AdoptInput{Stage: drafting.StageFinal, OverrideReason: "учтём"}); err != nil {
		t.Fatal(err)
	}
	f = feed("ru")
	if len(f.Entries) != 4 || !strings.Contains(f.Entries[0].Title, "Принят в целом") ||
		!strings.HasPrefix(f.Entries[1].Title, "Открыт для изменений") || !strings.Contains(f.Entries[2].Title, "Принят в целом") {
		t.Errorf("after the second adoption as a whole: %+v", f.Entries)
	}
}
