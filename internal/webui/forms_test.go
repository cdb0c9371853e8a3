package webui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
// the new head, keeping the chair's text; a blank text is refused
// (empty_text), keeping the message.
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
	// A blank text would delete everything: refused next to the text,
	// keeping the chair's message.
	resp, body = chair.post(d+"/edit", url.Values{"base": {"4"}, "text": {" \r\n\r\n\t "}, "message": {"Всё стёрто"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Текст пуст. Впишите текст") || !strings.Contains(body, `value="Всё стёрто"`) {
		t.Errorf("a blank text: %d %q", resp.StatusCode, fieldErrors(body))
	}
	edited := strings.Replace(demo.Revision4, "креативные индустрии.", "креативные индустрии, биотехнологии.", 1)
	resp, _ = chair.post(d+"/edit", url.Values{"base": {"4"}, "text": {strings.ReplaceAll(edited, "\n", "\r\n")}, "message": {"Добавлены биотехнологии"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != d+"?rev=5&done=revision.committed" {
		t.Fatalf("commit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	rev, text, err := s.svc.Documents.Text(ctx, s.user("chair"), demo.Slug, 5)
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
	if dv, _ := s.svc.Documents.Get(ctx, s.user("chair"), demo.Slug); dv.Head.Number != 5 {
		t.Errorf("head is %d after the stale commit", dv.Head.Number)
	}
}

// commentIDIn is the ID a comment action redirected to (its #c- anchor).
func commentIDIn(t testing.TB, loc string) string {
	t.Helper()
	_, id, ok := strings.Cut(loc, "#c-")
	if !ok {
		t.Fatalf("no comment in %q", loc)
	}
	return id
}

// TestCommentsEditHideAndProposals: an author edits their comment and
// everyone sees the earlier version; nobody else may; a chair hides a
// comment with a reason, which the page shows instead of the body; a
// proposal's page carries its own discussion.
func TestCommentsEditHideAndProposals(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	d := "/documents/" + demo.Slug
	member := s.client().signIn("ivanova")
	other := s.client().signIn("petrov")
	chair := s.client().signIn("chair")

	resp, _ := member.post(d+"/comments", url.Values{"revision": {"4"}, "body": {"Первый вариант замечания"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: %d", resp.StatusCode)
	}
	id := commentIDIn(t, resp.Header.Get("Location"))
	edit := d + "/comments/" + id + "/edit"
	if body := member.mustGet(d); !strings.Contains(body, `action="`+edit+`"`) {
		t.Error("the author is not offered to edit")
	}
	if body := other.mustGet(d); strings.Contains(body, `action="`+edit+`"`) {
		t.Error("another member is offered to edit")
	}
	if resp, _ := other.post(edit, url.Values{"revision": {"4"}, "body": {"Чужая правка"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another member edits: %d", resp.StatusCode)
	}
	resp, body := member.post(edit, url.Values{"revision": {"4"}, "body": {"  "}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Заполните это поле.") || !strings.Contains(body, `id="ce-`+id+`"`) {
		t.Errorf("empty edit: %d", resp.StatusCode)
	}
	resp, _ = member.post(edit, url.Values{"revision": {"4"}, "body": {"Второй вариант замечания"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != d+"?rev=4&done=comments.edited#c-"+id {
		t.Fatalf("edit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body = other.mustGet(d + "?rev=4")
	for _, want := range []string{"Второй вариант замечания", "исправлено", "Прежние версии (1)", "Первый вариант замечания"} {
		if !strings.Contains(body, want) {
			t.Errorf("after the edit the page lacks %q", want)
		}
	}

	// Hiding is for chairs, with a reason.
	hide := d + "/comments/" + id + "/hide"
	if body := member.mustGet(d); strings.Contains(body, `action="`+hide+`"`) {
		t.Error("a member is offered to hide")
	}
	if resp, _ := other.post(hide, url.Values{"revision": {"4"}, "reason": {"не нравится"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a member hides: %d", resp.StatusCode)
	}
	resp, body = chair.post(hide, url.Values{"revision": {"4"}, "reason": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Заполните это поле.") {
		t.Errorf("hiding without a reason: %d", resp.StatusCode)
	}
	resp, _ = chair.post(hide, url.Values{"revision": {"4"}, "reason": {"Не относится к тексту"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide: %d", resp.StatusCode)
	}
	body = member.mustGet(d + "?rev=4")
	if !strings.Contains(body, "Скрыто председателем от участников.") || !strings.Contains(body, "Не относится к тексту") ||
		strings.Contains(body, "Второй вариант замечания") || strings.Contains(body, "Первый вариант замечания") {
		t.Error("the hidden comment is not shown as hidden with its reason")
	}

	// A proposal's discussion: comment, reply, edit, all back on its page.
	p := d + "/proposals/1"
	resp, body = member.post(p+"/comments", url.Values{"body": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Заполните это поле.") || !strings.Contains(body, `id="pc-body"`) {
		t.Errorf("empty proposal comment: %d", resp.StatusCode)
	}
	resp, _ = member.post(p+"/comments", url.Values{"body": {"Поддерживаю предложение"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), p+"?done=comments.added#c-") {
		t.Fatalf("proposal comment: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	pid := commentIDIn(t, resp.Header.Get("Location"))
	resp, body = chair.post(d+"/comments/"+pid+"/hide", url.Values{"proposal": {"1"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Обсуждение предложения") || !strings.Contains(body, "Заполните это поле.") {
		t.Errorf("hiding a proposal's comment without a reason: %d", resp.StatusCode)
	}
	resp, _ = other.post(p+"/comments", url.Values{"reply_to": {pid}, "body": {"А я против"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply on a proposal: %d", resp.StatusCode)
	}
	resp, _ = member.post(d+"/comments/"+pid+"/edit", url.Values{"proposal": {"1"}, "body": {"Поддерживаю предложение полностью"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != p+"?done=comments.edited#c-"+pid {
		t.Fatalf("edit on a proposal: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body = chair.mustGet(p)
	for _, want := range []string{"Обсуждение предложения", "Поддерживаю предложение полностью", "А я против", "Прежние версии (1)", `action="` + p + `/comments"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the proposal's page lacks %q", want)
		}
	}
	if strings.Contains(member.mustGet(d), "А я против") {
		t.Error("a proposal's comment shows on the document's page")
	}
	checkHTML(t, p, body)
}

// fieldErrors are the texts of a page's field errors.
func fieldErrors(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?s)class="field-error"[^>]*>(.*?)</p>`).FindAllStringSubmatch(body, -1) {
		out = append(out, htmlUnescape(m[1]))
	}
	return out
}

var latin = regexp.MustCompile(`[A-Za-z]{2,}`)

// TestFormErrorsInThePageLanguage: the service's refusals a form meets (a
// wrong hash, no quorum, open threads, a stale head, a closed proposal,
// required fields, a taken slug or login) show as sentences in the page's
// language, with no English in a Russian page.
func TestFormErrorsInThePageLanguage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	d := "/documents/" + demo.Slug
	chair := s.client().signIn("chair")
	admin := s.client().signIn("admin")
	// Revision 5, which nobody has approved, written as a chair.
	edited := strings.Replace(demo.Revision4, "креативные индустрии.", "креативные индустрии, биотехнологии.", 1)
	if _, err := s.svc.Documents.Commit(ctx, s.user("chair"), demo.Slug, 4, []byte(edited), "правка"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what   string
		client *client
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"wrong hash", chair, d + "/approvals", url.Values{"revision": {"5"}, "sha256": {strings.Repeat("0", 64)}}, http.StatusConflict, "Хеш не совпадает"},
		{"no quorum", chair, d + "/adopt", url.Values{"revision": {"5"}, "stage": {"final"}, "override_reason": {"срочно"}}, http.StatusConflict, "нужное число действующих председателей: 0 из 1"},
		{"basis again", chair, d + "/adopt", url.Values{"revision": {"5"}, "stage": {"basis"}}, http.StatusConflict, "Принятие идёт только вперёд"},
		{"approved", chair, d + "/approvals", url.Values{"revision": {"5"}, "sha256": {sha(edited)}}, http.StatusSeeOther, ""},
		{"open threads", chair, d + "/adopt", url.Values{"revision": {"5"}, "stage": {"final"}}, http.StatusConflict, "остались открытые обсуждения"},
		{"older revision", chair, d + "/adopt", url.Values{"revision": {"4"}, "stage": {"final"}}, http.StatusConflict, "только последнюю редакцию (№ 5)"},
		{"stale merge", chair, d + "/proposals/2/merge", url.Values{"head": {"4"}}, http.StatusConflict, "последняя редакция теперь № 5"},
		{"required reason", chair, d + "/proposals/2/reject", url.Values{"reason": {""}}, http.StatusBadRequest, "Заполните это поле."},
		{"taken slug", admin, "/documents", url.Values{"slug": {demo.Slug}, "title": {"Ещё один"}, "approvals_required": {"1"}}, http.StatusConflict, "Документ с таким кратким именем уже есть."},
		{"taken login", admin, "/users", url.Values{"login": {"chair"}, "password": {"long enough password"}}, http.StatusConflict, "Такой логин уже занят."},
		{"unknown member", chair, d + "/members", url.Values{"login": {"nobody"}, "role": {"member"}}, http.StatusNotFound, "Пользователя с таким логином нет."},
	} {
		resp, body := c.client.post(c.path, c.form)
		errs := fieldErrors(body)
		if c.status == http.StatusSeeOther {
			if resp.StatusCode != c.status {
				t.Fatalf("%s: %d %q", c.what, resp.StatusCode, errs)
			}
			continue
		}
		if resp.StatusCode != c.status || !strings.Contains(strings.Join(errs, "\n"), c.want) {
			t.Errorf("%s: %d %q, want %d %q", c.what, resp.StatusCode, errs, c.status, c.want)
		}
		for _, e := range errs {
			if latin.MatchString(e) {
				t.Errorf("%s: English in a Russian form error: %q", c.what, e)
			}
		}
		if !strings.Contains(body, `<html lang="ru">`) {
			t.Errorf("%s: not a Russian page", c.what)
		}
	}
	// A closed proposal (the demo merged the first), in English this time.
	req, _ := http.NewRequest(http.MethodPost, s.URL+d+"/proposals/1/reject", strings.NewReader("reason=again"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	resp, body := chair.do(req)
	if errs := fieldErrors(body); resp.StatusCode != http.StatusConflict || !strings.Contains(strings.Join(errs, ""), "The proposal has already been merged.") {
		t.Errorf("closed proposal (en): %d %q", resp.StatusCode, errs)
	}
	// The error page: a known refusal in Russian, no English.
	member := s.client().signIn("ivanova")
	resp, body = member.post(d+"/comments/1/hide", url.Values{"reason": {"x"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Недостаточно прав") {
		t.Errorf("error page: %d", resp.StatusCode)
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
