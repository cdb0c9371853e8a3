package webui

// --- issue 17 ---

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/live"
	"redline/internal/notify"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
	"redline/internal/webui/demo"
)

// mountLive mounts the event streams as redline serve does, woken by the
// store's commits, and returns what ends them: call it before the
// server's Close, which waits for the streams to end.
func mountLive(st *stack.Stack, sh *shell.Shell, svc *drafting.Service, ui *UI) func() {
	store := st.DB.Notifications()
	key, err := store.Key(context.Background())
	if err != nil {
		panic(err)
	}
	signer, err := notify.NewSigner(key)
	if err != nil {
		panic(err)
	}
	links := notify.Links{Base: "http://redline.test"}
	n := notify.New(st.DB.LiveSource(), store, store, nil, &notify.Renderer{Links: links, Signer: signer}, notify.Options{})
	ui.MountNotifications(sh, Notifications{Notifier: n, Settings: store, Signer: signer, Links: links})
	hub := live.New(st.DB.LiveSource(), live.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_ = st.DB.WatchEvents(ctx, func(doc string, seq int64) {
			if doc == "" {
				hub.PokeAll()
			} else {
				hub.Notify(doc, seq)
			}
		})
	}()
	httpapi.MountLive(sh, svc, hub, httpapi.LiveOptions{})
	return func() { hub.Close(); cancel() }
}

// TestBrowserHall: the chair puts item 11 under discussion from the remote
// control at a phone's width; the hall view shows its text and the open
// amendment to it with its redline, and follows the chair to another item
// without a reload; the audience's view opens when the chair allows it and
// names nobody. Every page passes the accessibility and markup checks.
// With -screenshots it saves docs/screenshots/hall.png for the README.
func TestBrowserHall(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	ivanova, err := s.svc.UserByLogin(ctx, "ivanova")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(demo.Revision4, "в первом полугодии 2012 года", "до 1 апреля 2012 года", 1)
	if text == demo.Revision4 {
		t.Fatal("the demo's item 11 changed: update this test")
	}
	pr, err := s.svc.Proposals.Propose(ctx, &ivanova, demo.Slug, drafting.NewProposal{Base: 4, Text: []byte(text),
		Title: "Срок дорожной карты", Rationale: "Успеть к весенней сессии"})
	if err != nil {
		t.Fatal(err)
	}
	d := "/documents/" + demo.Slug

	hall := newBrowser(t, s)
	hall.signIn("petrov")
	hall.open(d + "/hall")
	if got := hall.text("#hall-item"); !strings.Contains(got, "Ни один пункт") {
		t.Errorf("the hall before any item says %q", got)
	}
	remote := newBrowser(t, s)
	remote.do("phone viewport", chromedp.EmulateViewport(375, 740))
	remote.signIn("chair")
	remote.open(d + "/hall/remote")
	remote.submit(`button[name=item][value="11"]`)
	hall.do("the hall follows to item 11", chromedp.WaitVisible(chromedp.CSS(`#hall[data-item="11"] .hall-amendment`)))
	if got := hall.text("#hall .hall-text"); !strings.Contains(got, "дорожной карты") {
		t.Errorf("the hall's item text is %q", got)
	}
	if got := eval[string](hall, `Array.from(document.querySelectorAll('#hall .hall-amendment ins')).map(e => e.textContent).join(' ')`); !strings.Contains(got, "апреля") {
		t.Errorf("the amendment's insertion is %q", got)
	}
	if got := hall.text("#hall .hall-amendment h3"); !strings.Contains(got, "Иванова Анна Сергеевна") { // by name (issue 14)
		t.Errorf("the amendment's heading is %q, want its author", got)
	}
	hall.check(d + "/hall")
	hall.shot("hall")
	eval[bool](hall, `window.__notReloaded = true`)

	// The audience's view is closed until the chair opens it.
	anon := newBrowser(t, s)
	resp, err := chromedp.Run(anon.ctx, chromedp.NavigateResponse(s.URL+"/public/"+demo.Slug+"/hall"))
	if err != nil || resp.Status != http.StatusNotFound {
		t.Fatalf("the closed public hall: %v, %v; want 404", resp, err)
	}
	remote.do("allow the audience", chromedp.Click(chromedp.ID("r-public")))
	remote.submit(`button[name=item][value="12"]`)
	hall.do("the hall follows to item 12", chromedp.WaitVisible(chromedp.CSS(`#hall[data-item="12"]`)))
	if !eval[bool](hall, `window.__notReloaded === true`) {
		t.Error("the hall reloaded to follow the chair")
	}
	anon.open("/public/" + demo.Slug + "/hall")
	if got := anon.text("#hall-item"); !strings.Contains(got, "12") {
		t.Errorf("the public hall shows %q", got)
	}
	remote.submit(`button[name=item][value="11"]`)
	anon.do("the public hall follows to item 11", chromedp.WaitVisible(chromedp.CSS(`#hall[data-item="11"] .hall-amendment`)))
	if got := anon.text("#hall"); strings.Contains(got, "ivanova") || strings.Contains(got, "chair") {
		t.Errorf("the public hall names people: %q", got)
	}
	anon.check("/public/" + demo.Slug + "/hall")

	// The chair records the decision with its vote through the API: the
	// hall shows it, vote and all, without a reload (issue 17: "decisions
	// and votes as they are recorded").
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drafting.NewOperator(s.svc).CreateToken(ctx, "chair", "hall test", hash); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/documents/"+demo.Slug+"/proposals/"+strconv.FormatInt(pr.Number, 10)+"/decision",
		strings.NewReader(`{"decision":"accepted","head":4,"vote":{"for":38,"against":5,"abstained":3}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	apiResp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(apiResp.Body)
	apiResp.Body.Close()
	if apiResp.StatusCode != http.StatusOK {
		t.Fatalf("decision through the API: %d %s", apiResp.StatusCode, b)
	}
	hall.do("the hall shows the decision's vote", chromedp.WaitVisible(chromedp.CSS(`#hall .hall-decisions .hall-vote`)))
	if got := hall.text("#hall .hall-decisions"); !strings.Contains(got, "за 38, против 5, воздержались 3") || !strings.Contains(got, "Срок дорожной карты") {
		t.Errorf("the hall's decisions read %q, want the proposal with «за 38, против 5, воздержались 3»", got)
	}
	if !eval[bool](hall, `window.__notReloaded === true`) {
		t.Error("the hall reloaded to show the decision")
	}
	hall.check(d + "/hall")
	// The audience's hall names the vote too (on its next rendering).
	anon.open("/public/" + demo.Slug + "/hall")
	if got := anon.text("#hall .hall-decisions"); !strings.Contains(got, "за 38, против 5, воздержались 3") {
		t.Errorf("the public hall's decisions read %q", got)
	}
	if f := append(hall.foreign(), anon.foreign()...); len(f) > 0 {
		t.Errorf("requests left the site: %v", f)
	}
}

// TestBrowserLiveComments: a member's comment appears in another member's
// open page without a reload, and a new revision shows the banner.
func TestBrowserLiveComments(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	d := "/documents/" + demo.Slug
	reader := newBrowser(t, s)
	reader.signIn("petrov")
	reader.open(d)
	eval[bool](reader, `window.__notReloaded = true`)
	ivanova, err := s.svc.UserByLogin(ctx, "ivanova")
	if err != nil {
		t.Fatal(err)
	}
	body := "Предлагаю вернуться к пункту 11 на следующем заседании."
	// The page's stream may still be connecting: a comment made meanwhile
	// must still arrive (the page catches up on connecting).
	if _, err := s.svc.Comments.Add(ctx, &ivanova, demo.Slug, drafting.NewComment{Revision: 4, Body: body}); err != nil {
		t.Fatal(err)
	}
	waitJS(reader, `(document.querySelector('section.general') || {textContent: ''}).textContent.includes('вернуться к пункту 11')`)
	chair, err := s.svc.UserByLogin(ctx, "chair")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Documents.Commit(ctx, &chair, demo.Slug, 4, []byte(demo.Revision4+"\n\n20. Новый пункт."), "пункт 20"); err != nil {
		t.Fatal(err)
	}
	reader.do("the banner appears", chromedp.WaitVisible(chromedp.ID("live-banner")))
	if got := reader.text("#live-banner [data-n]"); got != "5" {
		t.Errorf("the banner names revision %q, want 5", got)
	}
	if !eval[bool](reader, `window.__notReloaded === true`) {
		t.Error("the page reloaded")
	}
	reader.check(d)
}

// waitJS polls js in the browser until it is true, for up to 20 s.
func waitJS(b *browser, js string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !eval[bool](b, js) {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s did not hold within 20 s", js)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestHallPages renders the hall, the remote control and the settings
// page over HTTP, and the public hall only once a chair opens it.
func TestHallPages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drafting.NewOperator(s.svc).CreateToken(ctx, "chair", "test", hash); err != nil {
		t.Fatal(err)
	}
	get := func(path string, bearer bool, hdr ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		if bearer {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	d := "/documents/" + demo.Slug
	for _, p := range []string{d + "/hall", d + "/hall/remote", d + "/notifications"} {
		if code, body := get(p, true); code != http.StatusOK {
			t.Errorf("%s: %d\n%s", p, code, body)
		}
	}
	if code, _ := get("/public/"+demo.Slug+"/hall", false); code != http.StatusNotFound {
		t.Errorf("closed public hall: %d, want 404", code)
	}
	chair, _ := s.svc.UserByLogin(ctx, "chair")
	if _, err := s.svc.Hall().SetItem(ctx, &chair, demo.Slug, drafting.HallInput{Item: "11", Public: true}); err != nil {
		t.Fatal(err)
	}
	code, body := get("/public/"+demo.Slug+"/hall", false)
	if code != http.StatusOK || !strings.Contains(body, `data-item="11"`) || !strings.Contains(body, "дорожн") {
		t.Errorf("open public hall: %d\n%s", code, body)
	}

	// A rejection with its vote: each hall names the vote, Russian first,
	// in English for an English reader.
	ivanova, _ := s.svc.UserByLogin(ctx, "ivanova")
	pr, err := s.svc.Proposals.Propose(ctx, &ivanova, demo.Slug, drafting.NewProposal{Base: 4,
		Text: []byte(strings.Replace(demo.Revision4, "в первом полугодии 2012 года", "до 1 апреля 2012 года", 1)), Title: "Срок дорожной карты"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.Proposals.Decide(ctx, &chair, demo.Slug, pr.Number, drafting.DecideInput{Decision: drafting.DecisionRejected,
		Reason: "Срок нереален", Vote: &drafting.Vote{For: 5, Against: 38, Abstained: 3}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		bearer bool
		lang   string
		want   string
	}{
		{d + "/hall", true, "", "за 5, против 38, воздержались 3"},
		{"/public/" + demo.Slug + "/hall", false, "", "за 5, против 38, воздержались 3"},
		{d + "/hall", true, "en", "for 5, against 38, abstained 3"},
	} {
		code, body := get(c.path, c.bearer, "Accept-Language", c.lang)
		if code != http.StatusOK || !strings.Contains(body, `<span class="hall-vote">`+c.want+`</span>`) {
			t.Errorf("%s (%q): %d, want the decision with %q\n%s", c.path, c.lang, code, c.want, body)
		}
	}
}
