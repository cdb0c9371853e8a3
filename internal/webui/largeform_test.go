package webui

// issue 14: large texts through the forms, over real HTTP, and a proposal
// deleting most of the text confirmed in the web UI only.

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/webui/demo"
)

// postMultipart sends a form as a browser does with
// enctype="multipart/form-data".
func (c *client) postMultipart(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.site.URL+path, &b)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// russianText is head followed by Russian paragraphs up to about n
// characters, ending with marker.
func russianText(head string, n int, marker string) string {
	const para = "Участники конференции рекомендуют органам исполнительной власти города Москвы обеспечить развитие инновационных кластеров."
	var b strings.Builder
	b.WriteString(head)
	count := utf8.RuneCountInString(head)
	for i := 1; count < n; i++ {
		s := "\n\n" + strconv.Itoa(100+i) + ". " + para
		b.WriteString(s)
		count += utf8.RuneCountInString(s)
	}
	b.WriteString("\n\n" + marker + "\n")
	return b.String()
}

func headOf(t *testing.T, s *site, login string) (int64, string) {
	t.Helper()
	dv, err := s.svc.Documents.Get(context.Background(), s.user(login), demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	_, text, err := s.svc.Documents.Text(context.Background(), s.user(login), demo.Slug, dv.Head.Number)
	if err != nil {
		t.Fatal(err)
	}
	return dv.Head.Number, string(text)
}

// TestLargeTextsThroughForms: with the default limit of 4 MiB, a text just
// under it goes through the proposal form and the editor, multipart or
// URL-encoded (where its body is three times larger); a 2.8-million-
// character Russian text is refused with the limit stated in Russian and
// comes back in the form, as do the title and the message typed; a body
// beyond anything the form takes is refused with the limit too.
func TestLargeTextsThroughForms(t *testing.T) {
	withoutRace(t)
	s := newSite(t)
	member := s.client().signIn("ivanova")
	chair := s.client().signIn("chair")
	d := "/documents/" + demo.Slug
	limit := int(s.svc.MaxTextBytes())
	if limit != 4<<20 {
		t.Fatalf("the default limit is %d bytes", limit)
	}
	base, head := headOf(t, s, "ivanova")

	// 1.9 million characters: under 4 MiB in UTF-8, over 11 MB URL-encoded.
	fits := russianText(head, 1_900_000, "КОНЕЦ-ПОДХОДЯЩЕГО")
	if len(fits) > limit || len(url.Values{"text": {fits}}.Encode()) < 2*limit+1<<20 {
		t.Fatalf("the fitting text is %d bytes, %d URL-encoded", len(fits), len(url.Values{"text": {fits}}.Encode()))
	}
	for _, enc := range []string{"multipart", "urlencoded"} {
		form := url.Values{"base": {strconv.FormatInt(base, 10)}, "title": {"Большой текст " + enc}, "text": {fits}, "action": {"submit"}}
		var resp *http.Response
		var body string
		if enc == "multipart" {
			resp, body = member.postMultipart(d+"/proposals", form)
		} else {
			resp, body = member.post(d+"/proposals", form)
		}
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a %d-byte proposal, %s: %d\n%.2000s", len(fits), enc, resp.StatusCode, stripTags(body))
		}
	}

	// 2.8 million characters: over the limit; refused, kept, the limit said.
	big := russianText(head, 2_800_000, "КОНЕЦ-БОЛЬШОГО")
	resp, body := member.postMultipart(d+"/proposals", url.Values{"base": {strconv.FormatInt(base, 10)},
		"title": {"Слишком большой"}, "text": {big}, "action": {"submit"}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a %d-byte proposal: %d", len(big), resp.StatusCode)
	}
	body = strings.ReplaceAll(body, "\u00a0", " ") // digit groups
	page := stripTags(body)
	size := strings.Replace(strconv.FormatFloat(float64(len(big))/(1<<20), 'f', 1, 64), ".", ",", 1)
	for _, want := range []string{"Текст слишком велик: " + size + " МБ, а предел — 4 МБ (4 194 304 байт", "примерно 2 000 000 знаков", "КОНЕЦ-БОЛЬШОГО", `value="Слишком большой"`} {
		if !strings.Contains(page, want) && !strings.Contains(body, want) {
			t.Errorf("the refused proposal form lacks %q", want)
		}
	}
	if strings.Contains(page, "Заполните это поле") || strings.Contains(page, "не указана редакция") {
		t.Errorf("wrong errors on the refused form:\n%.3000s", page)
	}

	// The editor, for a chair: the same.
	cbase, chead := headOf(t, s, "chair")
	resp, body = chair.postMultipart(d+"/edit", url.Values{"base": {strconv.FormatInt(cbase, 10)}, "text": {russianText(chead, 2_800_000, "КОНЕЦ-ПРАВКИ")}, "message": {"очень длинная правка"}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "КОНЕЦ-ПРАВКИ") ||
		!strings.Contains(body, "очень длинная правка") || !strings.Contains(body, "а предел — 4 МБ") {
		t.Errorf("a 2.8-million-character edit: %d\n%.2000s", resp.StatusCode, stripTags(body))
	}
	resp, body = chair.post(d+"/edit", url.Values{"base": {strconv.FormatInt(cbase, 10)}, "text": {russianText(chead, 1_900_000, "КОНЕЦ")}, "message": {"длинная правка"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a 1.9-million-character edit, URL-encoded: %d\n%.2000s", resp.StatusCode, stripTags(body))
	}

	// A body over three times the limit never arrives: refused, the limit
	// said, and where the text still is.
	resp, body = member.post(d+"/proposals", url.Values{"base": {strconv.FormatInt(base, 10)}, "title": {"x"}, "text": {big}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "а предел — 4 МБ") || !strings.Contains(body, "«Назад»") {
		t.Errorf("a body over the form's cap: %d\n%.2000s", resp.StatusCode, stripTags(body))
	}
}

// TestBigDeletionConfirmed: a proposal deleting more than half of the
// text comes back with the text kept and a confirmation saying how much
// it deletes; confirmed, it is made. The API takes it as it is.
func TestBigDeletionConfirmed(t *testing.T) {
	s := newSite(t)
	member := s.client().signIn("ivanova")
	d := "/documents/" + demo.Slug
	base, head := headOf(t, s, "ivanova")
	paras := strings.Split(head, "\n\n")
	short := strings.Join(paras[:3], "\n\n") + "\n"
	form := url.Values{"base": {strconv.FormatInt(base, 10)}, "title": {"Оставить три абзаца"}, "text": {short}, "action": {"submit"}}
	resp, body := member.post(d+"/proposals", form)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a big deletion unconfirmed: %d", resp.StatusCode)
	}
	page := stripTags(body)
	if !strings.Contains(page, "Это предложение удаляет ") || !strings.Contains(page, "% текста редакции № "+strconv.FormatInt(base, 10)) ||
		!strings.Contains(body, `name="confirm_delete"`) || !strings.Contains(body, "Оставить три абзаца") || !strings.Contains(body, paras[2]) {
		t.Fatalf("the confirmation:\n%.3000s", page)
	}
	// A small change is not asked about.
	small := strings.Replace(head, "креативные индустрии.", "креативные индустрии, биотехнологии.", 1)
	resp, _ = member.post(d+"/proposals", url.Values{"base": {strconv.FormatInt(base, 10)}, "title": {"Биотехнологии"}, "text": {small}, "action": {"submit"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a small proposal: %d", resp.StatusCode)
	}
	form.Set("confirm_delete", "yes")
	if resp, body = member.post(d+"/proposals", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a big deletion confirmed: %d\n%.2000s", resp.StatusCode, stripTags(body))
	}
	// The API is unchanged: no confirmation there.
	tok := apiToken(t, s, "ivanova")
	raw, _ := json.Marshal(map[string]any{"base": base, "title": "Через API", "text": short})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/documents/"+demo.Slug+"/proposals", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if resp, body := s.client().do(req); resp.StatusCode != http.StatusCreated {
		t.Errorf("the API proposal deleting most of the text: %d %s", resp.StatusCode, body)
	}
}

// apiToken issues an API token for login.
func apiToken(t *testing.T, s *site, login string) string {
	t.Helper()
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drafting.NewOperator(s.svc).CreateToken(context.Background(), login, "test", hash); err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestBigDeletionOfAnItemConfirmed: deleting one item that is most of a
// short text through the amend-item form asks for confirmation too.
func TestBigDeletionOfAnItemConfirmed(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	text := "1. Кратко.\n\n2. " + strings.Repeat("Участники конференции рекомендуют развивать кластеры. ", 20) + "\n"
	if _, err := s.svc.Documents.Create(ctx, s.admin, drafting.NewDocument{Slug: "short", Title: "Короткий", Text: &text, Message: "первая"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Members.Set(ctx, s.admin, "short", "ivanova", "member"); err != nil {
		t.Fatal(err)
	}
	member := s.client().signIn("ivanova")
	form := url.Values{"base": {"1"}, "item": {"2"}, "op": {"delete"}, "text": {""}}
	resp, body := member.post("/documents/short/amend", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Это предложение удаляет 9") || !strings.Contains(body, `name="confirm_delete"`) {
		t.Fatalf("deleting item 2 of 2 unconfirmed: %d\n%.2000s", resp.StatusCode, stripTags(body))
	}
	form.Set("confirm_delete", "yes")
	if resp, body = member.post("/documents/short/amend", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("confirmed: %d\n%.2000s", resp.StatusCode, stripTags(body))
	}
	// Deleting the short item is not asked about.
	if resp, body = member.post("/documents/short/amend", url.Values{"base": {"1"}, "item": {"1"}, "op": {"delete"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deleting the short item: %d\n%.2000s", resp.StatusCode, stripTags(body))
	}
}
