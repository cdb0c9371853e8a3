package webui

// --- issue 17: notification settings, the personal feed, unsubscribing ---

import (
	"context"
	"net/http"
	"net/mail"
	"net/url"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/notify"
	"redline/internal/shell"
)

// NotifySettings keeps people's addresses and choices (the store's
// notifications).
type NotifySettings interface {
	notify.Preferences
	// Settings returns user's choices for doc, the defaults until they choose.
	Settings(ctx context.Context, user int64, doc string) (notify.Recipient, error)
	// SetSettings stores user's choices for doc.
	SetSettings(ctx context.Context, user int64, doc string, topics notify.Topics, mail bool) error
	// SetAddress stores user's mail address and language.
	SetAddress(ctx context.Context, user int64, email, lang string) error
	// Account returns the account with its address and feed generation.
	Account(ctx context.Context, id int64) (notify.Account, error)
}

// Notifications is what the notification pages need.
type Notifications struct {
	Notifier *notify.Notifier
	Settings NotifySettings
	Signer   *notify.Signer
	Links    notify.Links
}

type notifyPages struct {
	u *UI
	n Notifications
}

var notifyTopics = []notify.Topics{notify.Decisions, notify.Replies, notify.Revisions, notify.Adoptions}

func init() {
	pageFiles = append(pageFiles, "notifications")
	notices["notify.saved"] = true
}

// MountNotifications registers the settings page of each document
// (/documents/{slug}/notifications), the personal Atom feed
// (/feeds/{token}.atom) and the one-click unsubscribe link
// (/unsubscribe/{token}) on sh.
func (u *UI) MountNotifications(sh *shell.Shell, n Notifications) {
	p := &notifyPages{u: u, n: n}
	g := sh.Group("/", u.fail)
	g.GET("/documents/:slug/notifications", p.handleSettings)
	g.HEAD("/documents/:slug/notifications", p.handleSettings) // issue 14: pages answer HEAD
	g.POST("/documents/:slug/notifications", p.handleSettingsSave)
	feed := gin.WrapF(n.Notifier.ServeFeed)
	g.GET("/feeds/:file", feed)
	g.HEAD("/feeds/:file", feed)
	unsub := gin.WrapH(n.Notifier.UnsubscribeHandler(n.Settings))
	g.GET("/unsubscribe/:token", unsub)
	g.HEAD("/unsubscribe/:token", unsub)
	g.POST("/unsubscribe/:token", unsub)
}

type settingsTopic struct {
	Name string
	On   bool
}

type settingsData struct {
	Slug, Title string
	Email, Lang string
	Mail        bool
	MailOff     bool // the server sends no mail
	Topics      []settingsTopic
	Feed        string
}

func (p *notifyPages) handleSettings(c *gin.Context) { p.show(c, http.StatusOK, nil) }

func (p *notifyPages) show(c *gin.Context, status int, errs map[string]string) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := p.u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		p.u.fail(c, err)
		return
	}
	docID, err := p.u.svc.Hall().DocumentID(ctx, actor, slug)
	if err != nil {
		p.u.fail(c, err)
		return
	}
	cur, err := p.n.Settings.Settings(ctx, actor.ID, docID)
	if err != nil {
		p.u.fail(c, err)
		return
	}
	acc, err := p.n.Settings.Account(ctx, actor.ID)
	if err != nil {
		p.u.fail(c, drafting.Wrap(drafting.KindUnavailable, "notification settings", "settings are unavailable", err))
		return
	}
	pg := p.u.newPage(c, dv.Title)
	pg.Section = "documents"
	pg.Doc = p.u.tabs(ctx, actor, dv, "notifications")
	pg.Notice = notice(c)
	for k, v := range errs {
		pg.Errors[k] = v
	}
	d := settingsData{Slug: slug, Title: dv.Title, Email: acc.Email, Lang: acc.Lang, Mail: cur.Mail,
		MailOff: !p.n.Notifier.MailEnabled(),
		Feed:    p.n.Links.Feed(p.n.Signer.Sign(notify.Token{Purpose: notify.Feed, User: actor.ID, Lang: acc.Lang, Gen: acc.FeedGen}))}
	if c.Request.Method == http.MethodPost {
		d.Email = c.PostForm("email")
	}
	for _, t := range notifyTopics {
		d.Topics = append(d.Topics, settingsTopic{Name: t.String(), On: cur.Topics&t != 0})
	}
	pg.Data = d
	p.u.render(c, status, "notifications", pg)
}

func (p *notifyPages) handleSettingsSave(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	docID, err := p.u.svc.Hall().DocumentID(ctx, actor, slug)
	if err != nil {
		p.u.fail(c, err)
		return
	}
	email := c.PostForm("email")
	if email != "" {
		a, err := mail.ParseAddress(email)
		if err != nil || a.Name != "" || a.Address != email {
			tr := p.u.newPage(c, "")
			p.show(c, http.StatusBadRequest, map[string]string{"email": tr.T("notify.bad_email")})
			return
		}
	}
	var topics notify.Topics
	for _, t := range notifyTopics {
		if c.PostForm("topic_"+t.String()) == "on" {
			topics |= t
		}
	}
	lang := c.PostForm("lang")
	if err := p.n.Settings.SetAddress(ctx, actor.ID, email, lang); err != nil {
		p.u.fail(c, err)
		return
	}
	if err := p.n.Settings.SetSettings(ctx, actor.ID, docID, topics, c.PostForm("mail") == "on"); err != nil {
		p.u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/documents/"+url.PathEscape(slug)+"/notifications?done=notify.saved")
}
