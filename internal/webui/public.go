package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
	"redline/internal/textdiff"
)

// publicCache keeps each document's public page rendered once per adoption,
// count of reopenings and language. Which adoption is current is asked of
// the service at most once per refresh interval per document, and at once
// after an adoption or a reopening: made through this interface, or
// announced by the database (UI.PublicChanged, issue 18).
type publicCache struct {
	refresh time.Duration
	limit   int

	mu      sync.RWMutex
	current map[string]currentAdoption
	pages   map[pageKey]*cachedPage
	size    int
	// gen counts what was forgotten: what a request learned of the current
	// adoption is kept only if nothing was forgotten since it asked, so an
	// answer read before an adoption cannot outlive its announcement.
	gen uint64
}

type currentAdoption struct {
	id         int64
	reopenings int
	statements int // signed statements, which the page shows (issue 16)
	checked    time.Time
}

type pageKey struct {
	slug       string
	adoption   int64
	reopenings int
	statements int
	lang       string
}

type cachedPage struct {
	body []byte
	etag string
	// The answer's own header values, made once (issue 18).
	etagH, langH, lengthH []string
}

func newCachedPage(body []byte, etag, lang string) *cachedPage {
	return &cachedPage{body: body, etag: etag, etagH: []string{etag}, langH: []string{lang},
		lengthH: []string{strconv.Itoa(len(body))}}
}

// Header values every public page answer shares.
var (
	publicCacheControlH = []string{publicPageCacheControl}
	publicVaryH         = []string{"Accept-Language, Cookie"}
	htmlContentTypeH    = []string{"text/html; charset=utf-8"}
)

func newPublicCache(refresh time.Duration, limit int) *publicCache {
	return &publicCache{refresh: refresh, limit: limit, current: map[string]currentAdoption{}, pages: map[pageKey]*cachedPage{}}
}

// lookup returns the cached page of the slug's current adoption in lang, if
// the current adoption is known and fresh and its page is rendered.
func (pc *publicCache) lookup(slug, lang string, now time.Time) *cachedPage {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	cur, ok := pc.current[slug]
	if !ok || now.Sub(cur.checked) > pc.refresh {
		return nil
	}
	return pc.pages[pageKey{slug, cur.id, cur.reopenings, cur.statements, lang}]
}

// generation is what setCurrent needs: read it before asking the service.
func (pc *publicCache) generation() uint64 {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	return pc.gen
}

// setCurrent records the slug's current adoption as asked of the service
// at generation gen, unless something was forgotten since.
func (pc *publicCache) setCurrent(slug string, k pageKey, now time.Time, gen uint64) {
	pc.mu.Lock()
	if pc.gen == gen {
		pc.current[slug] = currentAdoption{id: k.adoption, reopenings: k.reopenings, statements: k.statements, checked: now}
	}
	pc.mu.Unlock()
}

func (pc *publicCache) page(k pageKey) *cachedPage {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	return pc.pages[k]
}

func (pc *publicCache) store(k pageKey, p *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if old := pc.pages[k]; old != nil {
		pc.size -= len(old.body)
	}
	// Pages of superseded adoptions are never asked for again, so when the
	// cache is full it is simply emptied and refilled by what is read.
	if pc.size+len(p.body) > pc.limit {
		pc.pages = map[pageKey]*cachedPage{}
		pc.size = 0
	}
	pc.pages[k] = p
	pc.size += len(p.body)
}

// forget drops what is known of the slug's current adoption, of every
// document's when slug is "". The rendered pages stay: they are keyed by
// adoption, and asked for again only while it is current.
func (pc *publicCache) forget(slug string) {
	pc.mu.Lock()
	if slug == "" {
		clear(pc.current)
	} else {
		delete(pc.current, slug)
	}
	pc.gen++
	pc.mu.Unlock()
}

// PublicChanged tells the public pages that the document's adoptions or
// reopenings changed (every document's when slug is ""), e.g. from
// sqlstore.DB.WatchPublic: the next reader asks the service again.
func (u *UI) PublicChanged(slug string) { u.public.forget(slug) }

// language is pickLanguage, remembered per Accept-Language header when the
// request has no cookie: matching the header is most of the cost of a
// cached public page.
func (u *UI) language(r *http.Request) string {
	if len(r.Header["Cookie"]) > 0 {
		return pickLanguage(r)
	}
	var accept string
	if v := r.Header["Accept-Language"]; len(v) == 1 {
		accept = v[0]
	} else if len(v) > 1 {
		return pickLanguage(r)
	}
	if v, ok := u.langMemo.Load(accept); ok {
		return v.(string)
	}
	lang := pickLanguage(r)
	// Headers are the client's to choose: remember a bounded number.
	if u.langMemoN.Add(1) <= 1024 {
		u.langMemo.Store(accept, lang)
	}
	return lang
}

// publicPageCacheControl is the public page's Cache-Control.
const publicPageCacheControl = "public, max-age=0, stale-while-revalidate=30"

func etagMatch(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == etag || part == "W/"+etag || part == "*" {
			return true
		}
	}
	return false
}

func writeCached(c *gin.Context, p *cachedPage) {
	writePage(c.Writer, c.Request, p, nil)
}

// writePage answers with a cached page, 304 when the client holds it, and
// returns the status. security, when given, is added to a 200 (see
// shell.FrontFunc).
func writePage(w http.ResponseWriter, r *http.Request, p *cachedPage, security http.Header) int {
	h := w.Header()
	h["Etag"] = p.etagH
	// Everyone gets the same bytes, signed in or not, so a shared cache (a
	// CDN) may keep the page; it revalidates it on every request (a new
	// adoption changes it, and the ETag names the adoption), serving what it
	// has meanwhile for up to 30 s (issue 18).
	h["Cache-Control"] = publicCacheControlH
	h["Vary"] = publicVaryH
	// A 304 carries what a cache needs to update what it holds (RFC 9110,
	// 15.4.5): the validator, Cache-Control and Vary.
	if v := r.Header["If-None-Match"]; len(v) > 0 && v[0] != "" && (v[0] == p.etag || etagMatch(strings.Join(v, ","), p.etag)) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	for k, v := range security {
		h[k] = v
	}
	h["Content-Language"] = p.langH
	h["Content-Type"] = htmlContentTypeH
	h["Content-Length"] = p.lengthH
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
	return http.StatusOK
}

// servePublicFront answers an anonymous reader of a public page from the
// cache, in front of the shell's middleware (shell.Front), when the page of
// the current adoption is there; otherwise the request takes the ordinary
// way (handlePublic).
func (u *UI) servePublicFront(w http.ResponseWriter, r *http.Request, security http.Header) (int, bool) {
	// Only pages of valid slugs are ever cached: any other path misses.
	slug := r.URL.Path[len("/public/"):]
	if slug == "" || strings.IndexByte(slug, '/') >= 0 {
		return 0, false
	}
	p := u.public.lookup(slug, u.language(r), u.svc.Now())
	if p == nil {
		return 0, false
	}
	return writePage(w, r, p, security), true
}

type publicData struct {
	Doc        drafting.Document
	Current    drafting.Adoption
	Amended    *drafting.Reopening // reopened after its final adoption: the text is being amended
	Adoptions  []adoptionRow       // adoptions and reopenings, newest first
	Paras      []para
	Download   string
	Feed       string
	StageLabel string
	Signed     *signedData // issue 16 (signing.go)
	FileName   string      // the download's file name, for sha256sum (issue 14)
	Final      bool        // adopted as a whole: the table of amendments is public (issue 14)
}

// adoptionRow is one row of the public history: an adoption, or a
// reopening (Reopening set).
type adoptionRow struct {
	drafting.Adoption
	Prev      int64 // the previous adopted revision, 0 for the first
	Download  string
	Reopening *drafting.Reopening
	Statement *statementLink // nil while unsigned (issue 16)
}

func (u *UI) handlePublic(c *gin.Context) {
	slug := c.Param("slug")
	lang := u.language(c.Request)
	now := u.svc.Now()
	if p := u.public.lookup(slug, lang, now); p != nil {
		writeCached(c, p)
		return
	}
	ctx := c.Request.Context()
	gen := u.public.generation()
	// The public page is rendered as an anonymous reader sees it, whoever
	// asks, so every reader can be given the same cached bytes.
	pub, err := u.svc.Adoptions.Public(ctx, nil, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	k := pageKey{slug, pub.Current.ID, len(pub.Reopenings), len(pub.Statements), lang}
	u.public.setCurrent(slug, k, now, gen)
	if p := u.public.page(k); p != nil {
		writeCached(c, p)
		return
	}
	a, text, err := u.svc.Adoptions.AdoptedText(ctx, nil, slug, pub.Current.Revision)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := &page{translator: u.langs[lang], Title: pub.Document.Title, Path: "/public/" + slug, assets: u.assets,
		Public: true, Errors: map[string]string{}}
	d := publicData{Doc: pub.Document, Current: a, Amended: pub.Amended, Paras: splitParas(string(text)),
		Download: downloadURL(slug, a.Revision), Feed: "/public/" + slug + "/feed.atom",
		FileName: slug + "-r" + strconv.FormatInt(a.Revision, 10) + "-" + shortHash(a.SHA256) + ".md"}
	for _, ad := range pub.Adoptions {
		d.Final = d.Final || ad.Stage == drafting.StageFinal
	}
	links := statementsByAdoption(slug, pub)
	d.Signed = u.signed(pub, links)
	var prev int64
	reopened := pub.Reopenings
	for _, ad := range pub.Adoptions {
		// A reopening comes right after the adoption it reopened.
		for len(reopened) > 0 && reopened[0].Adoption < ad.ID {
			r := reopened[0]
			d.Adoptions = append(d.Adoptions, adoptionRow{Reopening: &r})
			reopened = reopened[1:]
		}
		d.Adoptions = append(d.Adoptions, adoptionRow{Adoption: ad, Prev: prev, Download: downloadURL(slug, ad.Revision),
			Statement: links[ad.ID]})
		prev = ad.Revision
	}
	for _, r := range reopened {
		d.Adoptions = append(d.Adoptions, adoptionRow{Reopening: &r})
	}
	// Newest first.
	for i, j := 0, len(d.Adoptions)-1; i < j; i, j = i+1, j-1 {
		d.Adoptions[i], d.Adoptions[j] = d.Adoptions[j], d.Adoptions[i]
	}
	p.Data = d
	body, err := u.renderBytes("public", p)
	if err != nil {
		u.fail(c, err)
		return
	}
	sum := sha256.Sum256(body)
	// The strong ETag names the adoption (and the reopenings after it), the
	// language and the bytes.
	cp := newCachedPage(body, `"p`+strconv.FormatInt(a.ID, 10)+"-"+strconv.Itoa(len(pub.Reopenings))+"-"+
		lang+"-"+hex.EncodeToString(sum[:8])+`"`, lang)
	u.public.store(k, cp)
	writeCached(c, cp)
}

func downloadURL(slug string, n int64) string {
	return "/api/v1/public/documents/" + slug + "/download/" + strconv.FormatInt(n, 10) + ".md"
}

type publicDiffData struct {
	Doc      drafting.Document
	From, To drafting.Revision
	Redline  *redline
	Form     diffForm
	Adopted  []drafting.Adoption
	Action   string
	RevNums  []int64
	Keys     []drafting.PublishedKey // issue 16
}

func (u *UI) handlePublicDiff(c *gin.Context) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	pub, err := u.svc.Adoptions.Public(ctx, shell.Actor(c), slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	var defFrom, defTo int64
	if n := len(pub.Adoptions); n > 0 {
		defTo = pub.Adoptions[n-1].Revision
		defFrom = pub.Adoptions[0].Revision
		if n > 1 {
			defFrom = pub.Adoptions[n-2].Revision
		}
	}
	f := parseDiffForm(c, defFrom, defTo)
	view, err := u.svc.Adoptions.PublicDiff(ctx, shell.Actor(c), slug, f.From, f.To, textdiff.Mode(f.Mode))
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, pub.Document.Title)
	p.Public = true
	d := publicDiffData{Doc: pub.Document, From: view.From, To: view.To, Redline: newRedline(view.Result), Form: f,
		Adopted: pub.Adoptions, Action: "/public/" + slug + "/diff", Keys: u.svc.Adoptions.PublishedKeys().Keys}
	seen := map[int64]bool{}
	for i := len(pub.Adoptions) - 1; i >= 0; i-- {
		if n := pub.Adoptions[i].Revision; !seen[n] {
			seen[n] = true
			d.RevNums = append(d.RevNums, n)
		}
	}
	p.Data = d
	u.render(c, http.StatusOK, "public_diff", p)
}

// Atom feed types (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string     `xml:"title"`
	ID      string     `xml:"id"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Summary string     `xml:"summary"`
}

func (u *UI) baseURL(c *gin.Context) string {
	if u.base != "" {
		return u.base
	}
	scheme := "http"
	if u.sh.TLS() {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (u *UI) handlePublicFeed(c *gin.Context) {
	slug := c.Param("slug")
	pub, err := u.svc.Adoptions.Public(c.Request.Context(), nil, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	t := u.langs[pickLanguage(c.Request)]
	base := u.baseURL(c)
	page := base + "/public/" + slug
	// A reopening is news too: whoever follows the feed of a text adopted
	// as a whole learns that it is open for amendment again, and why, as
	// the public page says it (it listed the adoptions alone, so a reopened
	// document's feed went on showing it closed).
	updated := pub.Current.CreatedAt
	if n := len(pub.Reopenings); n > 0 && pub.Reopenings[n-1].At.After(updated) {
		updated = pub.Reopenings[n-1].At
	}
	f := atomFeed{Lang: t.tag, Title: pub.Document.Title, ID: page,
		Updated: updated.UTC().Format(time.RFC3339),
		Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: page + "/feed.atom"}, {Rel: "alternate", Type: "text/html", Href: page}},
		Author:  atomPerson{Name: t.T("feed.author")}}
	links := statementsByAdoption(slug, pub)
	revisionOf := make(map[int64]int64, len(pub.Adoptions))
	for _, a := range pub.Adoptions {
		revisionOf[a.ID] = a.Revision
	}
	// Newest first: a reopening comes after the adoption it reopens.
	reopenings := pub.Reopenings
	for i := len(pub.Adoptions) - 1; i >= 0; i-- {
		a := pub.Adoptions[i]
		for n := len(reopenings); n > 0 && reopenings[n-1].Adoption >= a.ID; n = len(reopenings) {
			f.Entries = append(f.Entries, reopeningEntry(t, page, reopenings[n-1], revisionOf[reopenings[n-1].Adoption]))
			reopenings = reopenings[:n-1]
		}
		stage := t.T("stage." + a.Stage)
		var signed []atomLink // issue 16: the statement and its signature
		if st := links[a.ID]; st != nil {
			signed = []atomLink{{Rel: "related", Type: "application/json", Href: base + st.URL},
				{Rel: "related", Type: "text/plain", Href: base + st.SigURL}}
		}
		f.Entries = append(f.Entries, atomEntry{
			Title:   t.T("feed.entry", "Stage", stage, "Revision", a.Revision),
			ID:      page + "#adoption-" + strconv.FormatInt(a.ID, 10),
			Updated: a.CreatedAt.UTC().Format(time.RFC3339),
			Links: append([]atomLink{{Rel: "alternate", Type: "text/html", Href: page},
				{Rel: "enclosure", Type: "text/markdown", Href: base + downloadURL(slug, a.Revision)}}, signed...),
			Summary: t.T("feed.summary", "Stage", stage, "Revision", a.Revision, "SHA", a.SHA256, "Date", t.DateTime(a.CreatedAt)),
		})
	}
	b, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), b...))
}

// reopeningEntry is the feed's entry for a reopening of the adoption of
// revision as a whole: when, and the reason, with no name (the public page
// shows none either).
func reopeningEntry(t *translator, page string, r drafting.Reopening, revision int64) atomEntry {
	return atomEntry{
		Title:   t.T("feed.reopened", "Revision", revision),
		ID:      page + "#reopening-" + strconv.FormatInt(r.ID, 10),
		Updated: r.At.UTC().Format(time.RFC3339),
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: page}},
		Summary: t.T("feed.reopened_summary", "Date", t.DateTime(r.At), "Reason", r.Reason),
	}
}
