package webui

// issue 14: reading a redline in Chromium — moves named by labels, unchanged
// runs folded (with and without JavaScript), renumbering hidden on request,
// the items changed named, the side-by-side header fitting, and print.

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"redline/internal/webui/demo"
)

// shown is the script that tells whether the element sel is laid out.
func shown(sel string) string {
	return `(() => { const e = document.querySelector(` + jsQuote(sel) + `); return !!e && e.checkVisibility(); })()`
}

func jsQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func TestBrowserReading(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s)
	d := "/documents/" + demo.Slug
	b.signIn("ivanova")

	// Revision 2 → 3 of the demo: item 11 changed, item 16 moved after
	// item 11 (becoming 12), items 12–15 renumbered 13–16.
	b.open(d + "/diff?from=2&to=3")
	if got := b.text("#changed-items"); got != "Изменены пункты 11, 16" {
		t.Errorf("statistics line: %q", got)
	}
	for _, id := range []string{"#old-17", "#new-13"} {
		if got := b.text(id + " .kind"); got != "перенесён: пункт 16 → после пункта 11" {
			t.Errorf("%s: move %q", id, got)
		}
	}
	// Items 1–9 and the preamble fold to one line; item 10, next to the
	// change, stays as context; so do the paragraphs around the move.
	if got := b.text("details.rl-fold summary"); got != "Без изменений: преамбула, абзац 1 — пункт 9 (10) показать" {
		t.Errorf("fold line: %q", got)
	}
	if eval[bool](b, shown("#new-2 .rl-text")) {
		t.Error("unchanged item 1 is shown, not folded")
	}
	for _, id := range []string{"#new-11", "#new-12", "#new-13", "#old-17", "#new-18"} {
		if !eval[bool](b, shown(id+" .rl-text")) {
			t.Errorf("%s (a change or its context) is folded", id)
		}
	}
	if n := eval[int](b, `document.querySelectorAll('.rl-para.k-renumbered').length`); n != 4 {
		t.Errorf("%d renumbered paragraphs, want 4", n)
	}
	b.shot("redline-collapsed")
	b.do("show the folded paragraphs", chromedp.Click(chromedp.CSS("details.rl-fold summary")))
	if !eval[bool](b, shown("#new-2 .rl-text")) {
		t.Error("«показать» does not show the folded paragraphs")
	}

	// The switch hides renumbering: items 13–16 read as unchanged, and
	// the two in the middle fold.
	b.open(d + "/diff?from=2&to=3")
	b.do("hide renumbering", chromedp.Click(chromedp.ID("d-renum")))
	b.submit(".diffchoice button[type=submit]")
	if loc := eval[string](b, "location.search"); !strings.Contains(loc, "renumbered=hide") {
		t.Errorf("the switch is not in the address: %s", loc)
	}
	if !eval[bool](b, `document.getElementById('d-renum').checked`) {
		t.Error("the switch does not stay on")
	}
	if n := eval[int](b, `document.querySelectorAll('.rl-para.k-renumbered').length`); n != 0 {
		t.Errorf("%d renumbered paragraphs with renumbering hidden", n)
	}
	if eval[bool](b, shown("#new-15 .rl-text")) {
		t.Error("item 14, only renumbered, is not folded with renumbering hidden")
	}
	if got := b.text("#new-14 .rl-text"); !strings.HasPrefix(got, "13. ") || strings.TrimSpace(b.text("#new-14 .rl-meta")) != "пункт 13" {
		t.Errorf("a renumbered paragraph with renumbering hidden reads %q", got)
	}
	if got := b.text("#changed-items"); got != "Изменены пункты 11, 16" {
		t.Errorf("statistics line with renumbering hidden: %q", got)
	}

	// Side by side: the header and the labels fit their column; folds
	// open by their checkbox.
	b.open(d + "/diff?from=2&to=3&view=side")
	over := eval[[]string](b, `[...document.querySelectorAll('table.redline.side th.num, table.redline.side td.num')]
		.filter(c => c.getClientRects().length && c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)`)
	if len(over) > 0 {
		t.Errorf("side-by-side number cells overflow: %q", over)
	}
	if w := eval[float64](b, `document.querySelector('table.redline.side th.num').getBoundingClientRect().width`); w < eval[float64](b, `(() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('table.redline.side th.num')); return r.getBoundingClientRect().width; })()`) {
		t.Errorf("the header «Пункт» is wider than its cell (%.0fpx)", w)
	}
	if eval[bool](b, shown("#new-2")) {
		t.Error("side by side: item 1 is not folded")
	}
	b.do("open the fold", chromedp.Click(chromedp.CSS("label[for=fold-0]")))
	if !eval[bool](b, shown("#new-2")) {
		t.Error("side by side: the fold does not open")
	}

	// In print: every paragraph, a bar beside the changed ones only, and
	// the legend.
	b.open(d + "/diff?from=2&to=3")
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](b, shown(".legend")) {
		t.Error("the legend is not printed")
	}
	if !eval[bool](b, shown("#new-2 .rl-text")) {
		t.Error("a folded paragraph is not printed")
	}
	if eval[bool](b, shown("details.rl-fold summary")) {
		t.Error("the fold line is printed")
	}
	bar := func(id string) string {
		return eval[string](b, `(() => { const s = getComputedStyle(document.querySelector('`+id+`'));
			return s.borderLeftStyle + ' ' + s.borderLeftColor; })()`)
	}
	for _, id := range []string{"#new-2", "#new-11", "#new-19"} {
		if got := bar(id); got != "solid rgba(0, 0, 0, 0)" {
			t.Errorf("unchanged %s has a bar in print: %s", id, got)
		}
	}
	for _, id := range []string{"#new-12", "#new-13", "#new-14"} {
		if got := bar(id); got != "solid rgb(0, 0, 0)" {
			t.Errorf("changed %s has no black bar in print: %s", id, got)
		}
	}
	if got := bar("#old-17"); got != "dashed rgb(0, 0, 0)" {
		t.Errorf("the moved-away half has no dashed bar in print: %s", got)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	// Without JavaScript the folds still open (<details>).
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Navigate(s.URL+d+"/diff?from=2&to=3")); err != nil {
		t.Fatal(err)
	}
	b.do("open a fold without JavaScript", chromedp.Click(chromedp.CSS("details.rl-fold summary")))
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](b, `document.querySelector('details.rl-fold').open`) {
		t.Error("without JavaScript the fold does not open")
	}

	// In English, the same sentences with the document's labels.
	b.open(d + "/diff?from=2&to=3")
	b.submit("a[hreflang=en]")
	if got := b.text("#old-17 .kind"); got != "moved: пункт 16 → after пункт 11" {
		t.Errorf("English move: %q", got)
	}
	if got := b.text("#changed-items"); got != "Changed: пункты 11, 16" {
		t.Errorf("English statistics line: %q", got)
	}
	b.submit("a[hreflang=ru]")
}

// TestBrowserLargeFormsAndDeletions: in Chromium, a 2.8-million-character
// text is stopped before it is sent, with the limit said and the text
// kept; without JavaScript the form sends it (multipart) and the server
// answers the same, the text back in the form. A proposal deleting most
// of the text asks for confirmation, then goes.
func TestBrowserLargeFormsAndDeletions(t *testing.T) {
	withoutRace(t)
	s := newSite(t)
	b := newBrowser(t, s)
	// About 2.8 million characters of Russian paragraphs, built in the page.
	const hugeText = `'\n\n' + Array.from({length: 27600}, (_, i) => (100 + i) + '. Участники конференции рекомендуют органам власти города Москвы обеспечить развитие кластеров.').join('\n\n')`
	d := "/documents/" + demo.Slug
	b.signIn("ivanova")

	b.open(d + "/proposals/new")
	b.do("write a huge proposal", chromedp.SendKeys(chromedp.ID("p-title"), "Огромный текст"))
	n := eval[int](b, `(() => { const ta = document.getElementById('p-text'); ta.value += `+hugeText+`; return ta.value.length; })()`)
	if n < 2_800_000 {
		t.Fatalf("the text is %d characters", n)
	}
	b.do("send it", chromedp.Click(chromedp.CSS("button[value=submit]")))
	b.do("the form says it is too large", chromedp.WaitVisible(chromedp.ID("p-text-size")))
	if got := b.text("#p-text-size"); !strings.Contains(got, "Текст слишком велик: ") || !strings.Contains(got, "а предел — 4 МБ") {
		t.Errorf("the script's message: %q", got)
	}
	if loc := eval[string](b, "location.pathname"); loc != d+"/proposals/new" {
		t.Errorf("the huge text was sent: now at %s", loc)
	}
	if got := eval[int](b, `document.getElementById('p-text').value.length`); got != n {
		t.Errorf("the text holds %d characters, not the %d typed", got, n)
	}

	// Without JavaScript, the server refuses it and sends it back.
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b.open(d + "/proposals/new")
	b.do("write a huge proposal", chromedp.SendKeys(chromedp.ID("p-title"), "Огромный текст"))
	n = eval[int](b, `(() => { const ta = document.getElementById('p-text'); ta.value += `+hugeText+`; return ta.value.length; })()`)
	// Bounded by the test's own deadline, not submit's: 5 MB each way.
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS("button[value=submit]")))
	if err != nil || resp.Status != 413 {
		t.Fatalf("the huge proposal without JavaScript: %v %v", resp, err)
	}
	if got := b.text("#p-text ~ .field-error[role=alert]:not([hidden])"); !strings.Contains(got, "а предел — 4 МБ") {
		t.Errorf("the server's message: %q", got)
	}
	if got := eval[int](b, `document.getElementById('p-text').value.length`); got != n {
		t.Errorf("the form came back with %d characters, not the %d sent", got, n)
	}
	if got := eval[string](b, `document.getElementById('p-title').value`); got != "Огромный текст" {
		t.Errorf("the title came back as %q", got)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}

	// Deleting most of the text: asked, then done.
	b.open(d + "/proposals/new")
	eval[bool](b, `(() => { const ta = document.getElementById('p-text'); ta.value = ta.value.split('\n\n').slice(0, 3).join('\n\n'); return true; })()`)
	b.do("title", chromedp.SendKeys(chromedp.ID("p-title"), "Оставить три абзаца"))
	b.submitStatus("button[value=submit]", 400)
	if got := b.text("#confirm-delete .warning"); !strings.HasPrefix(got, "Это предложение удаляет ") || !strings.Contains(got, "% текста редакции №") {
		t.Errorf("the confirmation says %q", got)
	}
	if got := eval[int](b, `document.getElementById('p-text').value.split('\n\n').length`); got != 3 {
		t.Errorf("the text came back with %d paragraphs", got)
	}
	b.shot("proposal-confirm-delete")
	b.do("confirm", chromedp.Click(chromedp.ID("confirm-delete-box")))
	b.submit("button[value=submit]")
	if loc := eval[string](b, "location.pathname"); !strings.HasPrefix(loc, d+"/proposals/") || strings.HasSuffix(loc, "/new") {
		t.Errorf("confirmed, the proposal is not made: at %s", loc)
	}
}
