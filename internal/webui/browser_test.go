package webui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"redline/internal/testenv"
	"redline/internal/webui/demo"
)

var screenshots = flag.Bool("screenshots", false, "save screenshots of the main pages (Russian) to docs/screenshots")

// browser is a headless Debian Chromium on one tab, recording every request
// it makes and every dialog a page opens.
type browser struct {
	t    testing.TB
	site *site
	ctx  context.Context

	mu       sync.Mutex
	requests []string
	dialogs  []string
}

// chromium is the package's one headless Chromium, started by the first test
// that needs it and stopped by TestMain: each browser is a tab of its own in
// a browser context of its own (cookies, storage and cache apart), so tests
// do not pay a Chromium start each.
var chromium struct {
	once   sync.Once
	ctx    context.Context
	err    error
	cancel func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.cancel != nil {
		chromium.cancel()
	}
	if seeded.dir != "" {
		os.RemoveAll(seeded.dir)
	}
	os.Exit(code)
}

func sharedChromium(t *testing.T) context.Context {
	t.Helper()
	exec := testenv.Chromium(t)
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "redline-webui-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exec), chromedp.NoSandbox, chromedp.Headless,
			chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("accept-lang", "ru-RU,ru"), chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 900))
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelBrowser := chromedp.NewContext(actx)
		chromium.ctx = ctx
		chromium.cancel = func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) }
		// Start the browser now: tabs are children of a running one.
		chromium.err = chromedp.Do(ctx)
	})
	if chromium.err != nil {
		t.Fatalf("start Chromium: %v", chromium.err)
	}
	return chromium.ctx
}

func newBrowser(t *testing.T, s *site) *browser {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(sharedChromium(t), chromedp.WithNewBrowserContext())
	ctx, cancelTime := context.WithTimeout(ctx, 150*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab() })
	b := &browser{t: t, site: s, ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
		case *cdppage.EventJavascriptDialogOpening:
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			go chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable network events: %v", err)
	}
	return b
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %.60s: %v", js, err)
	}
	return v
}

// open loads a page and checks it (see check).
func (b *browser) open(path string) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.site.URL+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status >= 400 {
		b.t.Fatalf("open %s: %d", path, resp.Status)
	}
	b.check(path)
}

// submit clicks a form's button and waits for the page it leads to.
func (b *browser) submit(sel string) { b.t.Helper(); b.submitStatus(sel, 0) }

// submitStatus is submit expecting an answer with this status (0: any
// success).
func (b *browser) submitStatus(sel string, status int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("submit %s: %v", sel, err)
	}
	loc := eval[string](b, "location.pathname + location.search")
	if (status == 0 && resp.Status >= 400) || (status != 0 && resp.Status != status) {
		b.t.Fatalf("submit %s: %d at %s", sel, resp.Status, loc)
	}
	b.check(loc)
}

// check runs the accessibility checks on the page in the browser and the
// executable-markup check on its HTML, and fails on any dialog.
func (b *browser) check(path string) {
	b.t.Helper()
	start := time.Now()
	defer func() {
		if d := time.Since(start); d > time.Second {
			b.t.Logf("checking %s took %s", path, d)
		}
	}()
	for _, p := range eval[[]string](b, a11yJS) {
		b.t.Errorf("%s: accessibility: %s", path, p)
	}
	// Browsers hide a script's nonce from the DOM (it serialises empty).
	html := eval[string](b, "'<!doctype html>' + document.documentElement.outerHTML")
	checkHTML(b.t, path, strings.Replace(html, `<script nonce="" src=`, `<script nonce="hidden" src=`, 1))
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		b.t.Errorf("%s: a script opened a dialog: %q", path, b.dialogs)
		b.dialogs = nil
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	// A query waits for its element to appear: bound it, so that a missing
	// one fails the test at once instead of at its deadline.
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

func (b *browser) signIn(login string) {
	b.t.Helper()
	b.open("/signin")
	b.do("fill the sign-in form", chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), b.site.pw[login]))
	b.submit("main form button[type=submit]")
	if loc := eval[string](b, "location.pathname"); loc != "/documents" {
		b.t.Fatalf("signed in as %s, landed on %s", login, loc)
	}
}

func (b *browser) signOut() {
	b.t.Helper()
	b.submit("form[action='/signout'] button")
}

// shot saves a screenshot when the tests run with -screenshots.
func (b *browser) shot(name string) {
	b.t.Helper()
	if !*screenshots {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// foreign lists the requests made to anything but the site itself.
func (b *browser) foreign() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, u := range b.requests {
		if !strings.HasPrefix(u, b.site.URL+"/") && u != b.site.URL && !strings.HasPrefix(u, "data:") {
			out = append(out, u)
		}
	}
	return out
}

// selectPassage selects quote inside paragraph n (1-based) of the text, as
// a reader dragging the mouse over it would.
func (b *browser) selectPassage(n int, quote string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => {
		const p = document.querySelector('#p%d p.para');
		const node = p.firstChild;
		const i = node.textContent.indexOf(%q);
		if (i < 0) return false;
		const r = document.createRange();
		r.setStart(node, i);
		r.setEnd(node, i + %q.length);
		const s = window.getSelection();
		s.removeAllRanges();
		s.addRange(r);
		return true;
	})()`, n, quote, quote)
	if !eval[bool](b, js) {
		b.t.Fatalf("paragraph %d does not hold %q", n, quote)
	}
	b.do("wait for the passage to be taken", chromedp.WaitVisible(chromedp.ID("a-show")))
}

// TestBrowserWorkflow drives the whole life of an edit in Chromium: a member
// proposes it and sees its redline, a chair merges, approves and adopts it,
// an anonymous reader reads it with its hash; comments follow their passage
// into a new revision; the redline shows a moved paragraph; the language
// switch turns the interface to English and back. Every page visited is
// checked for accessibility and executable markup, and no request may leave
// the site.
func TestBrowserWorkflow(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s)
	d := "/documents/" + demo.Slug

	// The accessibility check finds what it looks for.
	b.open("/")
	planted := eval[[]string](b, `(() => {
		const m = document.querySelector('main');
		m.insertAdjacentHTML('beforeend', '<input id="planted"><img src="/static/x.png"><h4>skip</h4><p id="pale">pale</p>');
		document.getElementById('pale').style.color = '#cccccc';
		return `+a11yJS+`;
	})()`)
	for _, want := range []string{"control without a label", "image without alt", "heading jumps", "contrast"} {
		if !strings.Contains(strings.Join(planted, "\n"), want) {
			t.Errorf("the accessibility check misses %q: %q", want, planted)
		}
	}

	// So does the keyboard walk: a control without a focus indicator, one
	// that Tab skips.
	b.open("/")
	eval[bool](b, `(() => {
		document.querySelector('main').insertAdjacentHTML('beforeend', '<button id="kb-noring">x</button><a href="/x" tabindex="-1">skipped</a>');
		const el = document.getElementById('kb-noring');
		el.style.outline = 'none';
		el.style.boxShadow = 'none';
		return true;
	})()`)
	planted = b.keyboardProblems()
	for _, want := range []string{"without a focus indicator: <button id=\"kb-noring\"", "not reachable by Tab: <a href=\"/x\""} {
		if !strings.Contains(strings.Join(planted, "\n"), want) {
			t.Errorf("the keyboard check misses %q: %q", want, planted)
		}
	}

	// Screenshots of the seeded demo, before this test changes it; every
	// main page is walked through with Tab.
	b.open("/")
	b.keyboard("/")
	b.open("/signin")
	b.keyboard("/signin")
	b.signIn("chair")
	b.keyboard("/documents")
	b.shot("documents")
	b.open(d)
	b.keyboard(d)
	b.shot("document")
	b.open(d + "/history")
	b.keyboard(d + "/history")
	b.shot("history")
	b.open(d + "/diff?from=2&to=3")
	b.keyboard(d + "/diff?from=2&to=3")
	b.shot("redline-inline")
	// The redline shows the monitoring paragraph moved from 16 to 12, and
	// paragraphs 12–15 renumbered.
	// issue 14: both halves name the move by labels.
	if got := b.text("#old-17 .kind"); got != "перенесён: пункт 16 → после пункта 11" {
		t.Errorf("moved_from note: %q", got)
	}
	if got := b.text("#new-13 .kind"); got != "перенесён: пункт 16 → после пункта 11" {
		t.Errorf("moved_to note: %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('.rl-para.k-renumbered').length`); n != 4 {
		t.Errorf("%d renumbered paragraphs, want 4", n)
	}
	b.open(d + "/diff?from=1&to=4&view=side")
	b.shot("redline-side")
	b.open(d + "/proposals/2")
	b.keyboard(d + "/proposals/2")
	b.shot("proposal")
	b.open(d + "/approvals")
	b.keyboard(d + "/approvals")
	b.shot("approvals")
	for _, path := range []string{d + "/proposals", d + "/proposals/new", d + "/edit", d + "/members", d + "/events"} {
		b.open(path)
		b.keyboard(path)
	}
	b.signOut()

	// A member proposes an edit and sees its redline before and after.
	b.signIn("ivanova")
	b.open(d + "/proposals/new")
	text := eval[string](b, `document.getElementById('p-text').value`)
	edited := strings.Replace(text, "креативные индустрии.", "креативные индустрии, биотехнологии.", 1)
	if edited == text {
		t.Fatal("the form is not prefilled with the head's text")
	}
	b.do("write the proposal", chromedp.SetValue(chromedp.ID("p-text"), edited),
		chromedp.SendKeys(chromedp.ID("p-title"), "Добавить биотехнологии"),
		chromedp.SendKeys(chromedp.ID("p-rationale"), "Биотехнологии — сильная сторона московских вузов."))
	b.submit("button[value=preview]")
	if got := b.text(".preview .redline ins.ins"); !strings.Contains(got, "биотехнологии") {
		t.Errorf("preview redline inserts %q", got)
	}
	b.shot("proposal-new")
	b.submit("button[value=submit]")
	loc := eval[string](b, "location.pathname")
	if !regexp.MustCompile(`/proposals/4$`).MatchString(loc) {
		t.Fatalf("after submitting: %s", loc)
	}
	if got := b.text(".redline ins.ins"); !strings.Contains(got, "биотехнологии") {
		t.Errorf("proposal redline inserts %q", got)
	}
	b.signOut()

	// The chair merges it, approves the new revision by its hash, adopts it.
	b.signIn("chair")
	b.open(d + "/proposals/4")
	b.submit("form[action$='/merge'] button")
	if got := b.text(".notice"); !strings.Contains(got, "принято") {
		t.Errorf("after merge: %q", got)
	}
	b.open(d + "/approvals")
	shown := b.text("#rev-sha")
	rev, err := s.svc.Documents.Revision(b.ctx, s.user("chair"), demo.Slug, 5)
	if err != nil {
		t.Fatal(err)
	}
	if shown != rev.SHA256 {
		t.Fatalf("approval page shows %s for revision 5 (%s)", shown, rev.SHA256)
	}
	if v := eval[string](b, `document.querySelector('#approve-form input[name=sha256]').value`); v != rev.SHA256 {
		t.Fatalf("the approval form carries %s", v)
	}
	b.submit("#approve-form button")
	// Open threads hold the adoption back until the chair gives a reason.
	b.do("choose final", chromedp.Click(chromedp.ID("st-final")))
	b.submitStatus("#adopt-form button", 409)
	if got := b.text("#adopt-form .field-error"); !strings.Contains(got, "остались открытые обсуждения") || regexp.MustCompile(`[A-Za-z]`).MatchString(got) {
		t.Errorf("adopting with open threads: %q", got)
	}
	b.do("give a reason", chromedp.SendKeys(chromedp.ID("ad-override"), "Замечания будут учтены в приложении"))
	b.submit("#adopt-form button")
	if got := b.text(".adoptions"); !strings.Contains(got, "Принят в целом") {
		t.Errorf("adoption history: %q", got)
	}
	b.signOut()

	// An anonymous reader sees the new text and its hash.
	b.open("/public/" + demo.Slug)
	if got := b.text("#public-sha"); got != rev.SHA256 {
		t.Errorf("public hash %s, want %s", got, rev.SHA256)
	}
	if got := b.text("main"); !strings.Contains(got, "биотехнологии") || !strings.Contains(got, "Принят в целом") {
		t.Errorf("public page lacks the new text or its stage")
	}
	b.keyboard("/public/" + demo.Slug)
	b.shot("public")
	b.open("/public/" + demo.Slug + "/diff?from=4&to=5")

	// Adopted as a whole, the document is closed: an administrator reopens
	// it with a reason, and the public page says it is being amended.
	b.signIn("admin")
	b.open(d)
	if got := b.text("#doc-state"); got != "Принят в целом" {
		t.Errorf("state badge %q", got)
	}
	b.do("give the reason", chromedp.SendKeys(chromedp.ID("ro-reason"), "Поправки секции по транспорту"))
	b.submit("#reopen-form button")
	if got := b.text(".notice"); !strings.Contains(got, "открыт для изменений") {
		t.Errorf("after reopening: %q", got)
	}
	b.signOut()
	b.open("/public/" + demo.Slug)
	if got := b.text("#amended"); !strings.Contains(got, "Изменён после принятия в целом") || !strings.Contains(got, "Поправки секции по транспорту") {
		t.Errorf("public page after reopening: %q", got)
	}

	// A member selects a passage and comments on it; after a new revision
	// that moves its paragraph, the comment reads "moved"; after one that
	// rewrites it, "outdated".
	b.signIn("petrov")
	b.open(d)
	quote := "публиковать его результаты в открытом доступе"
	b.selectPassage(13, quote)
	if got := eval[string](b, `document.getElementById('a-quote').value`); got != quote {
		t.Fatalf("the form took %q", got)
	}
	b.do("write the comment", chromedp.SendKeys(chromedp.ID("c-body"), "Где именно публиковать?"))
	b.submit("#comment-form button[type=submit]")
	if got := b.text("#p13 .threads"); !strings.Contains(got, "Где именно публиковать?") || !strings.Contains(got, quote) {
		t.Errorf("the thread beside paragraph 13: %q", got)
	}
	b.shot("comments")
	_, head, err := s.svc.Documents.Text(b.ctx, s.user("chair"), demo.Slug, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Revision 6 moves the monitoring paragraph to the end (unchanged but
	// for its number).
	ps := strings.Split(string(head), "\n\n")
	mon := ps[12]
	moved := append(append(append([]string{}, ps[:12]...), ps[13:]...), mon)
	if _, err := s.svc.Documents.Commit(b.ctx, s.user("chair"), demo.Slug, 5, []byte(strings.Join(moved, "\n\n")), "перенос"); err != nil {
		t.Fatal(err)
	}
	b.open(d)
	if got := b.text(".thread .s-moved"); got == "" {
		t.Error("no comment marked moved")
	}
	// Revision 7 rewrites the passage.
	_, head, _ = s.svc.Documents.Text(b.ctx, s.user("chair"), demo.Slug, 6)
	rewritten := strings.Replace(string(head), quote, "размещать его итоги на портале", 1)
	if _, err := s.svc.Documents.Commit(b.ctx, s.user("chair"), demo.Slug, 6, []byte(rewritten), "правка"); err != nil {
		t.Fatal(err)
	}
	b.open(d)
	general := b.text(".general")
	if !strings.Contains(general, "Где именно публиковать?") || !strings.Contains(general, "текст изменён") {
		t.Errorf("the outdated comment is not among the general ones: %q", general)
	}
	if title := eval[string](b, `[...document.querySelectorAll('.general q[title]')].map(q => q.title).join('|')`); !strings.Contains(title, quote) {
		t.Errorf("the original quote is not on hover: %q", title)
	}

	// The language switch turns every interface string to English and back.
	for _, path := range []string{d, d + "/history", d + "/diff?from=2&to=3&view=side", d + "/proposals", d + "/proposals/2",
		d + "/approvals", d + "/events", "/documents", "/public/" + demo.Slug} {
		b.open(path)
		b.submit("a[hreflang=en]")
		if lang := eval[string](b, "document.documentElement.lang"); lang != "en" {
			t.Errorf("%s: lang %q after switching to English", path, lang)
		}
		for _, s := range eval[[]string](b, russianJS) {
			t.Errorf("%s in English still shows %q", path, s)
		}
		b.submit("a[hreflang=ru]")
		if lang := eval[string](b, "document.documentElement.lang"); lang != "ru" {
			t.Errorf("%s: lang %q after switching back", path, lang)
		}
	}
	b.open("/documents")
	b.signOut()
	b.signIn("admin")
	b.open("/users")
	b.shot("users")
	b.open("/signin?next=/documents")

	if f := b.foreign(); len(f) > 0 {
		t.Errorf("pages requested other origins: %q", f)
	}
	b.mu.Lock()
	n := len(b.requests)
	b.mu.Unlock()
	if n < 50 {
		t.Errorf("only %d requests recorded: is the network listener working?", n)
	}
}

// TestBrowserPhoneWidth checks the pages at a phone's width: nothing wider
// than the screen but the redline tables, which scroll.
func TestBrowserPhoneWidth(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s)
	b.do("phone viewport", chromedp.EmulateViewport(375, 740))
	b.signIn("ivanova")
	d := "/documents/" + demo.Slug
	for _, p := range []string{d, d + "/history", d + "/diff?from=1&to=4", d + "/proposals/2", "/public/" + demo.Slug} {
		b.open(p)
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 380 {
			t.Errorf("%s is %dpx wide at 375px", p, w)
		}
	}
	b.open(d)
	b.shot("phone")
}

// russianJS lists visible interface text in Cyrillic: text outside the
// users' content (data-user) and outside elements marked as another
// language (the document's text, the other language's name).
const russianJS = `(() => {
	const out = [];
	const root = document.documentElement.lang;
	const walk = el => {
		if (el.matches('[data-user], script, style, [hidden], title')) return;
		if (el.hasAttribute('lang') && el.getAttribute('lang') !== root) return;
		for (const a of ['aria-label', 'placeholder', 'alt']) {
			const v = el.getAttribute(a);
			if (v && /[А-Яа-яЁё]/.test(v)) out.push(a + ': ' + v);
		}
		for (const n of el.childNodes) {
			if (n.nodeType === 3 && /[А-Яа-яЁё]/.test(n.textContent)) out.push(n.textContent.trim().slice(0, 80));
			else if (n.nodeType === 1) walk(n);
		}
	};
	walk(document.body);
	return out;
})()`

// a11yJS checks the page as an accessibility audit would: every control
// has a label or name, images have alt text, one h1 and no skipped heading
// levels, links have names, the page has a language, and every visible
// text meets WCAG AA contrast against its background.
const a11yJS = `(() => {
	const problems = [];
	const shown = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
	const snip = el => el.outerHTML.slice(0, 120);
	for (const el of document.querySelectorAll('input, select, textarea, button')) {
		if (el.type === 'hidden') continue;
		let name = el.getAttribute('aria-label') || '';
		if (el.tagName === 'BUTTON') name = name || el.textContent;
		if (el.labels) name = name || [...el.labels].map(l => l.textContent).join(' ');
		const by = el.getAttribute('aria-labelledby');
		if (by) name = name || by.split(/\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
		if (!name.trim()) problems.push('control without a label: ' + snip(el));
	}
	for (const img of document.querySelectorAll('img, [role=img]')) {
		if (!img.hasAttribute('alt') && !img.getAttribute('aria-label')) problems.push('image without alt: ' + snip(img));
	}
	for (const a of document.querySelectorAll('a[href]')) {
		if (!(a.textContent.trim() || a.getAttribute('aria-label'))) problems.push('link without a name: ' + snip(a));
	}
	const hs = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
	if (document.querySelectorAll('h1').length !== 1) problems.push(document.querySelectorAll('h1').length + ' h1 elements');
	if (hs.length && hs[0].tagName !== 'H1') problems.push('the first heading is ' + hs[0].tagName);
	let prev = 0;
	for (const h of hs) {
		const l = +h.tagName[1];
		if (prev && l > prev + 1) problems.push('heading jumps from h' + prev + ' to h' + l + ': ' + h.textContent.trim().slice(0, 60));
		prev = l;
	}
	if (!/^(ru|en)$/.test(document.documentElement.lang)) problems.push('html lang is ' + document.documentElement.lang);
	const parse = c => {
		const m = /rgba?\(([^)]+)\)/.exec(c);
		if (!m) return null;
		const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
		return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
	};
	const lum = c => {
		const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
	};
	const background = el => {
		for (let e = el; e; e = e.parentElement) {
			const c = parse(getComputedStyle(e).backgroundColor);
			if (c && c.a > 0) return c;
		}
		return {r: 255, g: 255, b: 255, a: 1};
	};
	const seen = new Set();
	for (const el of document.body.querySelectorAll('*')) {
		if (!shown(el)) continue;
		if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
		const cs = getComputedStyle(el);
		const fg = parse(cs.color), bg = background(el);
		if (!fg) continue;
		const l1 = lum(fg), l2 = lum(bg);
		const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
		const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
		const key = cs.color + ' on ' + JSON.stringify(bg);
		if (ratio < need && !seen.has(key)) {
			seen.add(key);
			problems.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ': ' + key + ' in ' + snip(el));
		}
	}
	return problems;
})()`
