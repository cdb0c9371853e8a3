package webui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/markup"
	"redline/internal/webui/demo"
)

// xssCorpus is hostile input for every form that takes text: markup's
// corpus of comment bodies plus attacks on attributes, textareas and scripts.
var xssCorpus = append(append([]string{}, markup.XSSCorpus...),
	// Beyond comment bodies: breaking out of attributes, textareas and
	// titles, and script-context tricks.
	`' onmouseover='alert(1)`,
	`" autofocus onfocus="alert(1)`,
	`</textarea><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`</q><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
	`{{.Nonce}}<script nonce="{{.Nonce}}">alert(1)</script>`,
	"\u2028<script>alert(1)</script>\u2029",
)

// TestXSSCorpusLeavesNoExecutableMarkup posts every corpus entry through
// every form that takes text (proposal title, rationale and text, comments
// and replies, rejection reasons, document titles and texts, display names)
// and checks every page that shows them.
func TestXSSCorpusLeavesNoExecutableMarkup(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if _, err := drafting.NewOperator(s.svc).GrantRole(ctx, "admin", drafting.RoleChair, demo.Slug); err != nil {
		t.Fatal(err)
	}
	member := s.client().signIn("ivanova")
	chair := s.client().signIn("chair")
	admin := s.client().signIn("admin")
	d := "/documents/" + demo.Slug
	_, head, err := s.svc.Documents.Text(ctx, s.user("ivanova"), demo.Slug, 4)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(xssCorpus, "\n\n")
	// Titles and names are one line without control characters.
	oneLine := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, strings.Join(xssCorpus, " "))
	proposals := 0
	for i, x := range xssCorpus {
		// A proposal whose title, rationale and one paragraph are hostile.
		text := strings.Replace(string(head), "креативные индустрии.", "креативные индустрии. "+x, 1)
		form := url.Values{"base": {"4"}, "title": {x}, "rationale": {x}, "text": {text}, "action": {"submit"}}
		// Some are refused (a title may not hold a tab): the form comes
		// back with the error, and must be as harmless.
		switch resp, body := member.post(d+"/proposals", form); resp.StatusCode {
		case http.StatusSeeOther:
			proposals++
		case http.StatusBadRequest:
			checkHTML(t, fmt.Sprintf("refused proposal %q", x), body)
		default:
			t.Fatalf("proposal %d: %d %.300s", i, resp.StatusCode, body)
		}
		// Previewing shows the hostile text back.
		form.Set("action", "preview")
		resp, body := member.post(d+"/proposals", form)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preview %d: %d", i, resp.StatusCode)
		}
		checkHTML(t, fmt.Sprintf("preview of %q", x), body)
		// Comments: general, anchored (quote and context), replies.
		if resp, body := member.post(d+"/comments", url.Values{"revision": {"4"}, "body": {x}}); resp.StatusCode != http.StatusSeeOther {
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("comment %d: %d", i, resp.StatusCode)
			}
			checkHTML(t, fmt.Sprintf("refused comment %q", x), body)
		}
		// A form that fails shows the hostile input back next to the field.
		resp, body = member.post(d+"/comments", url.Values{"revision": {"4"}, "body": {x}, "quote": {x}, "start": {"0"}, "end": {"1"}, "prefix": {x}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("bad anchor %d: %d", i, resp.StatusCode)
		}
		checkHTML(t, fmt.Sprintf("failed comment %q", x), body)
		resp, body = admin.post("/documents", url.Values{"slug": {"Bad Slug"}, "title": {x}, "text": {x}, "approvals_required": {"1"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("bad document %d: %d", i, resp.StatusCode)
		}
		checkHTML(t, fmt.Sprintf("failed document %q", x), body)
	}
	// A document whose title and text are the corpus; a user named by it.
	if resp, body := admin.post("/documents", url.Values{"slug": {"xss"}, "title": {string([]rune(oneLine)[:300])}, "text": {joined}, "approvals_required": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("xss document: %d %.300s", resp.StatusCode, body)
	}
	if resp, body := admin.post("/users", url.Values{"login": {"xss"}, "display_name": {string([]rune(oneLine)[:200])}, "password": {"long enough password"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("xss user: %d %.300s", resp.StatusCode, body)
	}
	if _, err := drafting.NewOperator(s.svc).GrantRole(ctx, "admin", drafting.RoleChair, "xss"); err != nil {
		t.Fatal(err)
	}
	// An anchored comment whose quote is hostile text of the xss document.
	l, err := s.svc.Comments.List(ctx, s.user("ivanova"), demo.Slug, 4, drafting.CommentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range l.Comments {
		if c.ID == c.Thread && c.Depth == 0 && len(c.Body) > 0 {
			chair.post(d+"/comments", url.Values{"revision": {"4"}, "reply_to": {fmt.Sprint(c.ID)}, "body": {c.Body}})
		}
	}
	resp, _ := admin.post("/documents/xss/comments", url.Values{"revision": {"1"}, "body": {string([]rune(joined)[:500])}, "quote": {xssCorpus[0]},
		"start": {"0"}, "end": {fmt.Sprint(len([]rune(xssCorpus[0])))}, "suffix": {"\n\n" + xssCorpus[1][:10]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anchored xss comment: %d", resp.StatusCode)
	}
	// Edited comments (their earlier versions shown), a hidden one with a
	// hostile reason, and a proposal's discussion.
	for i, x := range []string{xssCorpus[0], xssCorpus[1], xssCorpus[26]} {
		resp, _ := member.post(d+"/comments", url.Values{"revision": {"4"}, "body": {"обычное замечание"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment to edit: %d", resp.StatusCode)
		}
		id := commentIDIn(t, resp.Header.Get("Location"))
		if resp, _ := member.post(d+"/comments/"+id+"/edit", url.Values{"revision": {"4"}, "body": {x}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("hostile edit %d: %d", i, resp.StatusCode)
		}
		if resp, _ := member.post(d+"/comments/"+id+"/edit", url.Values{"revision": {"4"}, "body": {"ещё раз " + x}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("second hostile edit %d: %d", i, resp.StatusCode)
		}
		if resp, _ := member.post(d+"/proposals/1/comments", url.Values{"body": {x}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("hostile proposal comment %d: %d", i, resp.StatusCode)
		}
		if i == 2 {
			if resp, _ := chair.post(d+"/comments/"+id+"/hide", url.Values{"revision": {"4"}, "reason": {x}}); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("hostile hide: %d", resp.StatusCode)
			}
		}
	}
	// Reject one proposal with a hostile reason.
	chair.post(d+"/proposals/4/reject", url.Values{"reason": {string([]rune(joined)[:300])}})
	pages := pagesOf(demo.Slug)
	for n := 4; n < 4+proposals; n++ {
		pages = append(pages, fmt.Sprintf("%s/proposals/%d", d, n))
	}
	pages = append(pages, "/documents/xss", "/documents/xss/history", "/documents/xss/events", "/documents/xss/approvals", "/documents/xss/members")
	for _, p := range pages {
		body := admin.mustGet(p)
		checkHTML(t, p, body)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: hostile markup came through unescaped", p)
		}
	}
}
