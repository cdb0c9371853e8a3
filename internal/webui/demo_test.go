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

// TestDemoConference checks what the issue asks of the demo: about twenty
// paragraphs, four revisions, two open proposals of which one collides with
// the newer draft, an outdated comment, an adoption as a basis; and that
// seeding again does nothing.
func TestDemoConference(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	chair := s.user("chair")
	dv, err := s.svc.Documents.Get(ctx, chair, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if dv.Head.Number != 4 {
		t.Errorf("head is revision %d, want 4", dv.Head.Number)
	}
	if n := len(splitParas(demo.Revision4)); n < 18 || n > 22 {
		t.Errorf("%d paragraphs", n)
	}
	open, err := s.svc.Proposals.List(ctx, chair, demo.Slug, drafting.ProposalOpen)
	if err != nil || len(open) != 2 {
		t.Fatalf("open proposals: %d %v", len(open), err)
	}
	pub, err := s.svc.Adoptions.Public(ctx, nil, demo.Slug)
	if err != nil || pub.Current.Stage != drafting.StageBasis || pub.Current.Revision != 4 {
		t.Fatalf("adoption: %+v %v", pub.Current, err)
	}
	l, err := s.svc.Comments.List(ctx, chair, demo.Slug, 4, drafting.CommentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, c := range l.Comments {
		statuses[c.Status]++
	}
	if statuses[drafting.AnchorOutdated] != 1 || statuses[drafting.AnchorMoved] != 1 {
		t.Errorf("comment statuses %v, want one outdated and one moved", statuses)
	}
	if _, err := demo.Seed(ctx, s.svc, s.admin); err != demo.ErrExists {
		t.Errorf("seeding again: %v", err)
	}

	// Proposal 2 collides with the newer draft: merging shows both sides of
	// the conflict beside an editable text, and the chair's resolution
	// becomes revision 5.
	c := s.client().signIn("chair")
	resp, body := c.post("/documents/"+demo.Slug+"/proposals/2/merge", url.Values{"head": {"4"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="m-text"`) ||
		!strings.Contains(body, "до 1 февраля 2012 года") || !strings.Contains(body, "в первом полугодии 2012 года") {
		t.Fatalf("merge of the colliding proposal: %d\n%.2000s", resp.StatusCode, body)
	}
	checkHTML(t, "conflict page", body)
	if resp, _ := c.post("/documents/"+demo.Slug+"/proposals/2/resolve", url.Values{"head": {"4"}, "text": {demo.Revision4 + "\r\n20. Итог.\r\n"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %d", resp.StatusCode)
	}
	p, err := s.svc.Proposals.Get(ctx, chair, demo.Slug, 2)
	if err != nil || p.State != drafting.ProposalMerged || p.MergedRevision != 5 {
		t.Errorf("after resolving: %+v %v", p, err)
	}
	_, text, err := s.svc.Documents.Text(ctx, chair, demo.Slug, 5)
	if err != nil || strings.Contains(string(text), "\r") {
		t.Errorf("the resolved text keeps CR or is missing: %v", err)
	}
}
