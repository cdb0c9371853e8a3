// Package webui is Redline's browser interface: server-rendered html/template
// pages in Russian and English for working groups (documents, redlines,
// proposals, approvals, comments, members, users, audit log) and for the
// public (the adopted text, its history and an Atom feed).
//
// The pages mount on the HTTP shell (package shell), which identifies the
// caller; handlers call the drafting service with that caller, and the
// service decides every access: which actions a page offers is what the
// service's Decide (the procedure's table and the authorizer) answers, and
// an error is shown by its reason, in the page's language, never by the
// service's English wording. Pages are rendered into a buffer and written
// only on success; errors, the shell's own included, are pages too.
// JavaScript is an enhancement (selecting a passage to comment on); every
// page works without it.
package webui

import (
	"bytes"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/convert"
	"redline/internal/drafting"
	"redline/internal/markup"
	"redline/internal/shell"
	"redline/web"
)

// Options configure the interface.
type Options struct {
	Logger *slog.Logger
	// BaseURL is the public address (REDLINE_BASE_URL) used for absolute
	// links in the Atom feed; the request's host when empty.
	BaseURL string
	// PublicRefresh is how long the public pages trust their knowledge of a
	// document's current adoption before asking the service again; one
	// second when zero. Adoptions made through this interface are seen at
	// once.
	PublicRefresh time.Duration
}

// UI is the browser interface's handlers and renderer.
type UI struct {
	svc     *drafting.Service
	log     *slog.Logger
	base    string
	pages   map[string]*template.Template
	langs   map[string]*translator
	assets  assets
	public  *publicCache
	sh      *shell.Shell
	files   *convert.Files // imports of office files
	missMu  sync.Mutex
	missing map[string]bool
	// issue 18: Accept-Language → language, for the cached public pages.
	langMemo  sync.Map
	langMemoN atomic.Int64
}

// New loads the templates, messages and static files.
func New(svc *drafting.Service, opt Options) (*UI, error) {
	u := &UI{svc: svc, log: opt.Logger, base: strings.TrimRight(opt.BaseURL, "/"), missing: map[string]bool{},
		files: convert.New(svc, convert.Options{})}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	refresh := opt.PublicRefresh
	if refresh <= 0 {
		refresh = time.Second
	}
	u.public = newPublicCache(refresh, 64<<20)
	var err error
	if u.langs, err = translators(u.noteMissing); err != nil {
		return nil, fmt.Errorf("load locales: %w", err)
	}
	if u.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	if u.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return u, nil
}

// MissingMessages lists message IDs pages asked for that the locale files
// lack; tests require it to be empty.
func (u *UI) MissingMessages() []string {
	u.missMu.Lock()
	defer u.missMu.Unlock()
	var out []string
	for id := range u.missing {
		out = append(out, id)
	}
	return out
}

func (u *UI) noteMissing(id string) {
	u.missMu.Lock()
	u.missing[id] = true
	u.missMu.Unlock()
}

// Mount registers the pages at the root of sh; errors under it, the
// shell's own included, are answered with pages.
func (u *UI) Mount(sh *shell.Shell) {
	u.sh = sh
	g := sh.Group("/", u.fail)
	// issue 14: every page answers HEAD as it answers GET (headers, no
	// body: net/http drops what a handler writes to a HEAD).
	get := func(path string, h ...gin.HandlerFunc) { g.GET(path, h...); g.HEAD(path, h...) }
	get("/", u.handleHome)
	get("/static/:hash/*file", u.handleStatic)
	get("/lang/:tag", u.handleLanguage)
	get("/signin", u.handleSignInForm)
	g.POST("/signin", u.handleSignIn)
	g.POST("/signout", u.handleSignOut)
	get("/users", u.handleUsers)
	g.POST("/users", u.handleUserCreate)
	g.POST("/users/:login/disable", u.handleUserDisable)
	g.POST("/users/:login/enable", u.handleUserEnable)

	get("/documents", u.handleDocuments)
	g.POST("/documents", u.handleDocumentCreate)
	get("/documents/:slug", u.sh.TakeTurns, u.handleDocument)
	g.POST("/documents/:slug/reopen", u.handleReopen)
	get("/documents/:slug/edit", u.handleEditForm)
	g.POST("/documents/:slug/edit", u.handleEditCommit)
	get("/documents/:slug/history", u.handleHistory)
	get("/documents/:slug/diff", u.sh.TakeTurns, u.handleDiff)
	get("/documents/:slug/proposals", u.handleProposals)
	get("/documents/:slug/proposals/new", u.handleProposalForm)
	g.POST("/documents/:slug/proposals", u.sh.TakeTurns, u.handleProposalCreate)
	get("/documents/:slug/proposals/:p", u.sh.TakeTurns, u.handleProposal)
	g.POST("/documents/:slug/proposals/:p/merge", u.handleProposalMerge)
	g.POST("/documents/:slug/proposals/:p/resolve", u.handleProposalResolve)
	g.POST("/documents/:slug/proposals/:p/reject", u.handleProposalReject)
	g.POST("/documents/:slug/proposals/:p/withdraw", u.handleProposalWithdraw)
	get("/documents/:slug/approvals", u.handleApprovals)
	g.POST("/documents/:slug/approvals", u.handleApprove)
	g.POST("/documents/:slug/adopt", u.handleAdopt)
	g.POST("/documents/:slug/comments", u.handleCommentCreate)
	g.POST("/documents/:slug/comments/:id/resolve", u.handleCommentResolve)
	g.POST("/documents/:slug/comments/:id/reopen", u.handleCommentReopen)
	g.POST("/documents/:slug/comments/:id/edit", u.handleCommentEdit)
	g.POST("/documents/:slug/comments/:id/hide", u.handleCommentHide)
	g.POST("/documents/:slug/proposals/:p/comments", u.handleProposalCommentCreate)
	get("/documents/:slug/members", u.handleMembers)
	g.POST("/documents/:slug/members", u.handleMemberSet)
	g.POST("/documents/:slug/members/:login/remove", u.handleMemberRemove)
	get("/documents/:slug/events", u.handleEvents)

	get("/public/:slug", u.handlePublic)
	// issue 18: a cached public page is answered in front of the shell's
	// middleware; the route above renders it when it is not.
	sh.Front("/public/", "/public/:slug", u.servePublicFront)
	get("/public/:slug/diff", u.handlePublicDiff)
	get("/public/:slug/feed.atom", u.handlePublicFeed)

	// issue 14: amendments (amendments.go)
	get("/documents/:slug/amendments", u.handleAmendments)
	get("/documents/:slug/consolidated", u.handleConsolidated)
	get("/documents/:slug/amend", u.handleAmendItemForm)
	g.POST("/documents/:slug/amend", u.handleAmendItem)
	get("/public/:slug/amendments", u.handlePublicAmendments)

	// issue 15: office files (imports.go)
	g.POST("/documents/import", u.handleImportNew)
	g.POST("/documents/:slug/import", u.handleImportRevision)

	// issue 16: the API's description as a page (apidocs.go)
	get("/api/docs", u.handleAPIDocs)

	u.mountLive(g) // issue 17: the hall (live.go)
	g.HEAD("/documents/:slug/hall", u.handleHall)
	g.HEAD("/documents/:slug/hall/remote", u.handleRemote)
	g.HEAD("/public/:slug/hall", u.handlePublicHall)
}

// page is what every template gets: the translator (T, Date, DateTime,
// Num), who is asking, and the page's own data.
type page struct {
	*translator
	Title   string
	User    *drafting.User
	Nonce   string // the CSP nonce; "" renders no script (cached public pages)
	Path    string // the request's path and query, for the language switch
	assets  assets
	Section string // the highlighted item of the main navigation
	Doc     *docTabs
	Notice  string            // a message ID confirming what was just done
	Errors  map[string]string // form field → translated error
	Public  bool              // the public layout: no account links
	Data    any
	names   *namer // display names of logins (issue 14), nil on public pages
}

// CSS is the stylesheet's URL.
func (p *page) CSS() string { return p.assets.URL("app.css") }

// JS is the script's URL.
func (p *page) JS() string { return p.assets.URL("app.js") }

// Lang is the page's language tag.
func (p *page) Lang() string { return p.tag }

// LangURL switches to another language and comes back here.
func (p *page) LangURL(tag string) string {
	return "/lang/" + tag + "?next=" + url.QueryEscape(p.Path)
}

// Err is the error shown next to a form field, "" for none.
func (p *page) Err(field string) string { return p.Errors[field] }

func (u *UI) newPage(c *gin.Context, title string) *page {
	here := c.Request.URL.RequestURI()
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		// A form re-rendered with its errors: switching language goes back
		// to the page the form was on.
		here = "/"
		if ref, err := url.Parse(c.Request.Referer()); err == nil && ref.Host == c.Request.Host {
			here = localPath(ref.RequestURI(), "/")
		}
	}
	return &page{
		translator: u.langs[pickLanguage(c.Request)],
		Title:      title,
		User:       shell.Actor(c),
		Nonce:      shell.Nonce(c),
		Path:       here,
		assets:     u.assets,
		Errors:     map[string]string{},
		names:      u.namer(c.Request.Context()),
	}
}

// pageFiles are the templates of each page besides base.html and the partials.
var pageFiles = []string{"home", "signin", "documents", "document", "history", "diff", "proposals",
	"proposal_new", "proposal", "approvals", "edit", "members", "users", "events", "error", "public", "public_diff",
	"import",
	"apidocs",                                  // issue 16
	"amendments", "consolidated", "amend_item"} // issue 14

var funcs = template.FuncMap{
	"inc":    func(i int) int { return i + 1 },
	"inc64":  func(i int64) int64 { return i + 1 },
	"short":  func(s string) string { return shortHash(s) },
	"markup": markup.Render,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
}

func shortHash(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// parsePages builds one template set per page: the layout, the partials and
// the page's own file.
func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageFiles {
		files := []string{"templates/base.html", "templates/partials.html", "templates/" + name + ".html"}
		t, err := template.New("base.html").Funcs(funcs).ParseFS(web.Templates, files...)
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// renderBytes renders a page into memory.
func (u *UI) renderBytes(name string, p *page) ([]byte, error) {
	t, ok := u.pages[name]
	if !ok {
		return nil, fmt.Errorf("no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// renderBufs are the buffers pages are rendered into before they are
// written: a page grown into a new buffer each time allocated about twice
// its size per request (a public redline of the demo came to the edge of
// the route cost table's small class, TestRouteCostTable).
// A channel, not a sync.Pool: what a page costs must not depend on the
// garbage collector's timing (nor on the race detector, which drops a
// quarter of a Pool's buffers).
var renderBufs = make(chan *bytes.Buffer, 16)

// maxPooledRender is the largest buffer kept for the next page: a rare huge
// page is not held on to.
const maxPooledRender = 4 << 20

// render writes a page, or a plain 500 when it cannot be rendered (nothing
// half-written reaches the browser).
func (u *UI) render(c *gin.Context, status int, name string, p *page) {
	var buf *bytes.Buffer
	select {
	case buf = <-renderBufs:
		buf.Reset()
	default:
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledRender {
			select {
			case renderBufs <- buf:
			default: // enough kept
			}
		}
	}()
	t, ok := u.pages[name]
	var err error
	if !ok {
		err = fmt.Errorf("no page %q", name)
	} else if err = t.ExecuteTemplate(buf, "base", p); err != nil {
		err = fmt.Errorf("render %s: %w", name, err)
	}
	if err != nil {
		u.log.ErrorContext(c.Request.Context(), "render page", "page", name, "err", err.Error())
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error"))
		return
	}
	c.Header("Content-Language", p.tag)
	c.Header("Vary", "Accept-Language, Cookie")
	c.Header("Content-Length", strconv.Itoa(buf.Len()))     // what a HEAD is told too
	c.Data(status, "text/html; charset=utf-8", buf.Bytes()) // written before the buffer goes back
}

type errorData struct {
	Status    int
	Reason    string // the sentence for the error's reason
	RequestID string // for a report of a server-side fault
}

// fail answers a page request with an error: an anonymous caller asking
// for a page is sent to sign in, anything else gets an error page with the
// status of the error's kind, headed by its kind and saying its reason in
// the page's language. It is also how the shell answers its own errors
// under the pages (a refused token, a cross-origin form, an unknown page).
func (u *UI) fail(c *gin.Context, err error) {
	if drafting.ErrorKind(err) == drafting.KindUnauthenticated &&
		(c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) &&
		drafting.ErrorReason(err) != drafting.ReasonBadCredentials {
		c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	status := shell.Status(err)
	d := errorData{Status: status}
	if status >= 500 {
		u.log.ErrorContext(c.Request.Context(), "page", "path", c.FullPath(), "err", err.Error())
		d.RequestID = shell.RequestID(c)
	}
	shell.SetErrorHeaders(c, err)
	p := u.newPage(c, "")
	p.Title = p.T("error." + string(drafting.ErrorKind(err)))
	d.Reason = p.Reason(err)
	p.Data = d
	u.render(c, status, "error", p)
	c.Abort()
}

// localPath keeps a redirect target inside this site.
func localPath(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return fallback
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}

// seeOther ends a successful form POST (post/redirect/get).
func seeOther(c *gin.Context, to string) { c.Redirect(http.StatusSeeOther, to) }

func (u *UI) handleLanguage(c *gin.Context) {
	tag := c.Param("tag")
	if _, ok := u.langs[tag]; !ok {
		tag = "ru"
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: tag, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: u.sh.TLS(), SameSite: http.SameSiteLaxMode})
	seeOther(c, localPath(c.Query("next"), "/"))
}

func (u *UI) handleHome(c *gin.Context) {
	if shell.Actor(c) != nil {
		seeOther(c, "/documents")
		return
	}
	p := u.newPage(c, "")
	p.Title = p.T("home.title")
	p.Section = "home"
	u.render(c, http.StatusOK, "home", p)
}
