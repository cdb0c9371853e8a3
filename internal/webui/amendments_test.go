package webui

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"redline/internal/webui/demo"
)

// TestDemoAmendmentsPages (issue 14): the demo conference's table of
// amendments (as redline serve --demo seeds it) lists the decided
// amendments with their items, authors' names, decisions and votes, and
// filters them; a member amends one item through the item form and the
// proposal's page shows just that change by label; a chair rejects with a
// vote through the proposal page; the consolidated text adds an open
// amendment; a vote that is not a number is refused on the form.
func TestDemoAmendmentsPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	if err := demo.SeedAmendments(context.Background(), s.svc); err != nil {
		t.Fatal(err)
	}
	d := "/documents/" + demo.Slug
	member := s.client().signIn("ivanova")
	chair := s.client().signIn("chair")

	body := stripTags(member.mustGet(d + "/amendments"))
	for _, want := range []string{"Таблица поправок к редакции № 4", "пункт 16", "пункт 9", "пункт 12", "Петров Борис Викторович",
		"принять с изменениями", "за 41, против 3, воздержались 2", "за 5, против 37, воздержались 4", "не рассмотрено",
		"Мониторинг нужен для оценки"} {
		if !strings.Contains(body, want) {
			t.Errorf("the table of amendments lacks %q", want)
		}
	}
	if raw := member.mustGet(d + "/amendments"); !strings.Contains(raw, `href="/api/v1/documents/`+demo.Slug+`/amendments.docx?basis=4"`) {
		t.Error("the table offers no .docx download")
	}
	if body := stripTags(member.mustGet(d + "/amendments?basis=4&decision=rejected")); strings.Contains(body, "пункт 16") || !strings.Contains(body, "пункт 12") {
		t.Error("the filter к отклонению shows other rows")
	}

	// Amend item 15 alone.
	form := stripTags(member.mustGet(d + "/amend?item=15"))
	if !strings.Contains(form, "Поправка: пункт 15") || !strings.Contains(form, "15. Рекомендуется обеспечить") {
		t.Fatalf("the item form:\n%s", form)
	}
	resp, _ := member.post(d+"/amend", url.Values{"base": {"6"}, "item": {"15"}, "op": {"replace"},
		"text": {"Рекомендуется обеспечить участие малых и средних предприятий в закупках крупных компаний — участников кластеров."}})
	if resp.StatusCode != 303 {
		t.Fatalf("amend item: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	page := stripTags(member.mustGet(strings.Split(loc, "?")[0]))
	if !strings.Contains(page, "Изменён пункт 15") || strings.Contains(page, "Изменены пункты") {
		t.Errorf("the proposal's page does not show just item 15:\n%s", page)
	}
	resp, body = member.post(d+"/amend", url.Values{"base": {"6"}, "item": {"15"}, "op": {"replace"}, "text": {"   "}})
	if resp.StatusCode != 400 || !strings.Contains(body, "Текст пуст. Впишите текст") {
		t.Errorf("an empty amendment: %d", resp.StatusCode)
	}

	// The chair rejects it with a vote; a vote that is not a number is refused.
	n := strings.TrimPrefix(strings.Split(loc, "?")[0], d+"/proposals/")
	resp, _ = chair.post(d+"/proposals/"+n+"/reject", url.Values{"reason": {"Закупки регулируются федеральным законом"}, "vote_for": {"много"}})
	if resp.StatusCode != 400 {
		t.Errorf("a vote that is not a number: %d", resp.StatusCode)
	}
	resp, _ = chair.post(d+"/proposals/"+n+"/reject", url.Values{"reason": {"Закупки регулируются федеральным законом"},
		"vote_for": {"3"}, "vote_against": {"40"}, "vote_abstained": {"1"}})
	if resp.StatusCode != 303 {
		t.Fatalf("reject with a vote: %d", resp.StatusCode)
	}
	if page := member.mustGet(d + "/proposals/" + n); !strings.Contains(page, "за 3, против 40, воздержались 1") {
		t.Error("the proposal's page lacks its vote")
	}

	// The consolidated text with the open proposal 3 (item 6).
	cons := stripTags(member.mustGet(d + "/consolidated?basis=4&open=3"))
	if !strings.Contains(cons, "транспорт и логистику") || !strings.Contains(cons, "Изменены пункты 6, 9, 16") {
		t.Errorf("consolidated text:\n%s", cons)
	}
}

var tags = regexp.MustCompile(`<[^>]*>`)

// stripTags is a page's text without its markup (attributes kept out).
func stripTags(html string) string { return tags.ReplaceAllString(html, "") }
