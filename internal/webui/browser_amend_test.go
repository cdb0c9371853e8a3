package webui

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"redline/internal/drafting"
	"redline/internal/webui/demo"
)

// TestBrowserAmendments (issue 14), in Chromium: a member amends item 11
// alone from the paragraph's "Предложить поправку" and sees the redline of
// just that change; it collides, by label, with Петров's amendment of item
// 11 written on revision 2; the chair accepts it with a vote, accepts
// another amendment (item 16) with changes, rejects Петров's with a reason;
// the table of amendments lists all three with their decisions; the
// consolidated text is the merge of the accepted amendments. Every page is
// checked for accessibility.
func TestBrowserAmendments(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s)
	d := "/documents/" + demo.Slug

	b.signIn("ivanova")
	b.open(d)
	href := eval[string](b, `document.querySelector('a.amend-link[href$="amend?item=11"]').getAttribute('href')`)
	if href != d+"/amend?item=11" {
		t.Fatalf("item 11's link: %q", href)
	}
	b.open(href)
	if got := b.text("h2"); got != "Поправка: пункт 11" {
		t.Errorf("the item form is headed %q", got)
	}
	orig := eval[string](b, `document.getElementById('am-text').value`)
	if !strings.HasPrefix(orig, "11. Проект дорожной карты") || strings.Contains(orig, "12.") {
		t.Fatalf("the form holds %q, not item 11 alone", orig)
	}
	b.do("rewrite item 11", chromedp.SetValue(chromedp.ID("am-text"),
		strings.Replace(orig, "в первом полугодии 2012 года", "до 1 апреля 2012 года", 1)),
		chromedp.SendKeys(chromedp.ID("am-title"), "Срок дорожной карты: 1 апреля"))
	b.shot("amend-item")
	b.submit("#amend-form button[type=submit]")
	loc := eval[string](b, "location.pathname")
	if got := b.text(".changed-items"); got != "Изменён пункт 11" {
		t.Errorf("the proposal's statistics line: %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('.redline .rl-para:not(.k-equal)').length`); n != 1 {
		t.Errorf("%d changed paragraphs in its redline, want 1", n)
	}
	if got := b.text(".redline .rl-para:not(.k-equal) .num"); got != "пункт 11" {
		t.Errorf("the changed paragraph is named %q", got)
	}
	// Петров's proposal 2, written on revision 2, also rewrites item 11.
	if got := b.text(".collision"); !strings.Contains(got, "Предложение № 2") || !strings.Contains(got, "пункт 11") {
		t.Errorf("collision: %q", got)
	}
	b.signOut()

	// Петров amends item 16 (through the service: the browser's part is the
	// chair's decision on it).
	petrov := s.user("petrov")
	p16, err := s.svc.Proposals.Propose(context.Background(), petrov, demo.Slug, drafting.NewProposal{Base: 4, Title: "Кадры",
		Changes: []drafting.ItemChange{{Op: drafting.ChangeReplace, Item: "16",
			Text: "Рекомендуется развивать кадровое обеспечение кластеров через программы подготовки и переподготовки специалистов совместно с вузами и колледжами."}}})
	if err != nil {
		t.Fatal(err)
	}

	b.signIn("chair")
	b.open(loc)
	b.shot("proposal-decision")
	b.do("give the vote", chromedp.SendKeys(chromedp.ID("acc-for"), "41"), chromedp.SendKeys(chromedp.ID("acc-against"), "3"),
		chromedp.SendKeys(chromedp.ID("acc-abst"), "2"))
	b.submit("#accept-form button[type=submit]")
	if got := b.text(".vote"); got != "за 41, против 3, воздержались 2" {
		t.Errorf("the accepted proposal's vote: %q", got)
	}
	p16url := d + "/proposals/" + itoa64(p16.Number)
	b.open(p16url)
	b.do("open accept with changes", chromedp.Click(chromedp.CSS("details.decision summary")))
	merged := eval[string](b, `document.getElementById('awc-text').value`)
	if !strings.Contains(merged, "до 1 апреля 2012 года") || !strings.Contains(merged, "вузами и колледжами") {
		t.Fatalf("the chair's text is not the merge onto the new head:\n%s", merged)
	}
	chairText := strings.Replace(merged, "вузами и колледжами", "вузами и профессиональными колледжами", 1)
	b.do("word it", chromedp.SetValue(chromedp.ID("awc-text"), chairText))
	b.submit("#changes-form button[type=submit]")
	b.open(d + "/proposals/2")
	b.do("reject with a reason", chromedp.SendKeys(chromedp.ID("rej-reason"), "Срок уже изменён поправкой о 1 апреля"),
		chromedp.SendKeys(chromedp.ID("rej-for"), "2"), chromedp.SendKeys(chromedp.ID("rej-against"), "40"), chromedp.SendKeys(chromedp.ID("rej-abst"), "0"))
	b.submit(".rejectform button[type=submit]")

	// The table of amendments since revision 2 lists the three decisions.
	b.open(d + "/amendments?basis=2")
	b.shot("amendments")
	rows := eval[[]string](b, `[...document.querySelectorAll('table.amendments tbody tr')].map(r => r.innerText.replace(/\s+/g, ' '))`)
	want := map[string][]string{
		"amendment-2":                       {"пункт 11", "Петров Борис Викторович", "отклонить", "Срок уже изменён", "за 2, против 40, воздержались 0"},
		"amendment-" + itoa64(p16.Number-1): {"пункт 11", "Иванова Анна Сергеевна", "принять", "за 41, против 3, воздержались 2"},
		"amendment-" + itoa64(p16.Number):   {"пункт 16", "Петров Борис Викторович", "принять с изменениями"},
	}
	for id, words := range want {
		got := b.text("#" + id)
		for _, w := range words {
			if !strings.Contains(strings.Join(strings.Fields(got), " "), w) {
				t.Errorf("row %s lacks %q: %q", id, w, got)
			}
		}
	}
	if len(rows) != 4 { // and Иванова's open proposal 3
		t.Errorf("%d rows: %q", len(rows), rows)
	}

	// The consolidated text is the draft with both accepted amendments:
	// the head, which their merges made.
	b.open(d + "/consolidated?basis=4")
	b.shot("consolidated")
	if got := b.text(".changed-items"); got != "Изменены пункты 11, 16" {
		t.Errorf("consolidated statistics line: %q", got)
	}
	v, err := s.svc.Proposals.Consolidated(context.Background(), s.user("chair"), demo.Slug, 4, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Text != chairText || v.Head.Number != 6 {
		t.Errorf("the consolidated text is not the merge of the accepted amendments (head %d)", v.Head.Number)
	}
	b.keyboard(d + "/consolidated?basis=4")
	b.open(d + "/amendments?basis=2&decision=accepted")
	b.keyboard(d + "/amendments?basis=2&decision=accepted")
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
