package webui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"redline/internal/webui/demo"
)

// textareaValue is the text a page's textarea id holds, unescaped as a
// browser would.
func textareaValue(t testing.TB, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<textarea id="` + regexp.QuoteMeta(id) + `"[^>]*>\n?(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no textarea %s", id)
	}
	return htmlUnescape(m[1])
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&").Replace(s)
}

// TestChairEditsAndCommits: the document page links chairs (only) to the
// edit page; it carries the head's text and number; a commit makes the next
// revision; a stale base is refused in the page's language with a link to
// the new head, keeping the chair's text.
func TestChairEditsAndCommits(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	d := "/documents/" + demo.Slug
	chair := s.client().signIn("chair")
	if body := chair.mustGet(d); !strings.Contains(body, `href="`+d+`/edit"`) {
		t.Error("the document page does not link a chair to the edit page")
	}
	member := s.client().signIn("ivanova")
	if body := member.mustGet(d); strings.Contains(body, d+"/edit") {
		t.Error("a member is offered the edit page")
	}
	if resp, _ := member.get(d + "/edit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a member opens the edit page: %d", resp.StatusCode)
	}
	if resp, _ := member.post(d+"/edit", url.Values{"base": {"4"}, "text": {"x"}, "message": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a member commits: %d", resp.StatusCode)
	}

	body := chair.mustGet(d + "/edit")
	if got := textareaValue(t, body, "e-text"); got != demo.Revision4 {
		t.Fatalf("the editor holds %.200q, not the head's text", got)
	}
	if !strings.Contains(body, `<input type="hidden" name="base" value="4">`) {
		t.Fatal("the base is not carried")
	}
	// Required message and an unchanged text are refused next to their
	// fields, in Russian.
	resp, body := chair.post(d+"/edit", url.Values{"base": {"4"}, "text": {demo.Revision4}, "message": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Заполните это поле.") || !strings.Contains(body, "Текст не изменён") {
		t.Errorf("empty message, unchanged text: %d", resp.StatusCode)
	}
	edited := strings.Replace(demo.Revision4, "креативные индустрии.", "креативные индустрии, биотехнологии.", 1)
	resp, _ = chair.post(d+"/edit", url.Values{"base": {"4"}, "text": {strings.ReplaceAll(edited, "\n", "\r\n")}, "message": {"Добавлены биотехнологии"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != d+"?rev=5&done=revision.committed" {
		t.Fatalf("commit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	rev, text, err := s.svc.Text(ctx, s.user("chair"), demo.Slug, 5)
	if err != nil || string(text) != edited || rev.Message != "Добавлены биотехнологии" || rev.AuthorLogin != "chair" {
		t.Fatalf("revision 5: %+v %v", rev, err)
	}
	if body := chair.mustGet(d + "?rev=5&done=revision.committed"); !strings.Contains(body, "Новая редакция сохранена.") {
		t.Error("no notice after the commit")
	}

	// A second edit written on revision 4 is stale now.
	again := strings.Replace(demo.Revision4, "креативные индустрии.", "креативные индустрии, робототехника.", 1)
	for lang, want := range map[string][]string{
		"ru": {"Пока вы редактировали редакцию № 4, появилась редакция № 5.", "Открыть редакцию № 5"},
		"en": {"While you were editing revision No. 4, revision No. 5 appeared.", "Open revision No. 5"},
	} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+d+"/edit", strings.NewReader(url.Values{"base": {"4"}, "text": {again}, "message": {"Робототехника"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		resp, body := chair.do(req)
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("stale base (%s): %d", lang, resp.StatusCode)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("stale base (%s): the page lacks %q", lang, w)
			}
		}
		if !strings.Contains(body, `href="`+d+`?rev=5"`) {
			t.Errorf("stale base (%s): no link to the new head", lang)
		}
		if textareaValue(t, body, "e-text") != again {
			t.Errorf("stale base (%s): the chair's text is lost", lang)
		}
		if lang == "ru" && strings.Contains(body, "base is not the current head") {
			t.Error("the service's English message is shown")
		}
		checkHTML(t, "stale edit", body)
	}
	if dv, _ := s.svc.Document(ctx, s.user("chair"), demo.Slug); dv.Head.Number != 5 {
		t.Errorf("head is %d after the stale commit", dv.Head.Number)
	}
}
