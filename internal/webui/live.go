package webui

// --- issue 17: the session, live (the hall, its remote control, live pages) ---

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/outline"
	"redline/internal/shell"
	"redline/internal/textdiff"
)

// livePages are the pages of this file, parsed like the others.
var livePages = []string{"hall", "remote"}

func init() { pageFiles = append(pageFiles, livePages...) }

// mountLive registers the hall view, its public variant and the remote
// control.
func (u *UI) mountLive(g *gin.RouterGroup) {
	g.GET("/documents/:slug/hall", u.handleHall)
	g.GET("/documents/:slug/hall/remote", u.handleRemote)
	g.POST("/documents/:slug/hall", u.handleHallSet)
	g.GET("/public/:slug/hall", u.handlePublicHall)
}

// hallData is the hall view.
type hallData struct {
	Slug, Title string
	Public      bool   // the audience's variant: no people, the public stream
	Open        bool   // a chair opened the hall to the audience
	Stream      string // the event stream's URL
	Self        string // this page's URL, which the script fetches again
	Item        string // the label key under discussion, "" for none
	Label       string // the item's label for people
	Found       bool   // the item exists in the head
	Revision    int64
	Paras       []string
	Amendments  []hallAmendment // open proposals that change the item
	Decisions   []hallAmendment // closed proposals that changed it, or were refused
	CanRemote   bool
}

// hallAmendment is a proposal as the hall shows it.
type hallAmendment struct {
	Number   int64
	Title    string
	Author   string // "" in the audience's view
	State    string // open, merged, rejected
	Decision string // accepted, accepted_with_changes, rejected
	Reason   string
	Revision int64          // the revision a merge made
	Vote     *drafting.Vote // the decision's vote, nil when none was recorded
	Redline  []rlPara
}

func (u *UI) handleHall(c *gin.Context) {
	actor := shell.Actor(c)
	if actor == nil {
		u.fail(c, drafting.Refuse("hall", drafting.ReasonSignIn, "sign in first"))
		return
	}
	u.showHall(c, actor, false)
}

func (u *UI) handlePublicHall(c *gin.Context) { u.showHall(c, nil, true) }

func (u *UI) showHall(c *gin.Context, actor *drafting.User, public bool) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	ht, err := u.svc.Hall().Texts(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	var title string
	if public {
		pub, err := u.svc.Hall().PublicTitle(ctx, slug)
		if err != nil {
			u.fail(c, err)
			return
		}
		title = pub
	} else {
		dv, err := u.svc.Documents.Get(ctx, actor, slug)
		if err != nil {
			u.fail(c, err)
			return
		}
		title = dv.Title
	}
	p := u.newPage(c, title)
	p.Public = public
	d := hallData{Slug: slug, Title: title, Public: public, Open: ht.State.Public, Item: ht.State.Item,
		Self: c.Request.URL.Path}
	if public {
		d.Stream = "/api/v1/public/documents/" + url.PathEscape(slug) + "/stream"
	} else {
		d.Stream = "/api/v1/documents/" + url.PathEscape(slug) + "/events/stream"
		d.CanRemote = u.can(ctx, actor, slug, drafting.ObjRevision, drafting.ActCommit)
	}
	if ht.Head != nil {
		d.Revision = ht.Head.Number
	}
	if d.Item != "" {
		d.Label = d.Item
		ps := itemParas(ht.HeadText, d.Item)
		if len(ps) > 0 {
			d.Found = true
			d.Label = ps[0].Label.Format(p.tag)
			for _, para := range ps {
				d.Paras = append(d.Paras, ht.HeadText[para.Start:para.End])
			}
		}
		cur := itemText(ht.HeadText, ps)
		for _, hp := range ht.Proposals {
			a := hallAmendment{Number: hp.Proposal.Number, Title: hp.Proposal.Title, Author: p.Name(hp.Proposal.AuthorLogin), // issue 14: display names
				State: hp.Proposal.State, Reason: hp.Proposal.CloseReason, Revision: hp.Proposal.MergedRevision}
			mine := itemText(hp.Text, itemParas(hp.Text, d.Item))
			switch hp.Proposal.State {
			case drafting.ProposalOpen:
				if mine == cur {
					continue
				}
				a.Redline = newRedline(textdiff.Diff(cur, mine, textdiff.Options{})).Paras
				d.Amendments = append(d.Amendments, a)
			case drafting.ProposalMerged, drafting.ProposalRejected:
				before := itemText(hp.BaseText, itemParas(hp.BaseText, d.Item))
				if mine == before {
					continue
				}
				a.Decision, a.Vote = hp.Proposal.Decision, hp.Proposal.Vote
				if hp.Proposal.State == drafting.ProposalRejected {
					a.Decision = "rejected"
				} else if a.Decision == "" {
					a.Decision = "accepted"
				}
				a.Redline = newRedline(textdiff.Diff(before, mine, textdiff.Options{})).Paras
				d.Decisions = append(d.Decisions, a)
			}
		}
	}
	p.Data = d
	c.Header("Cache-Control", "no-store")
	u.render(c, http.StatusOK, "hall", p)
}

// itemParas returns the paragraphs of the item with label key: its own,
// its sub-items' and its further paragraphs ("11", "11/а)", "11/¶2").
func itemParas(text, key string) []outline.Paragraph {
	if key == "" || text == "" {
		return nil
	}
	var out []outline.Paragraph
	for _, p := range outline.Parse(text) {
		k := p.Label.Key()
		if k == key || strings.HasPrefix(k, key+"/") {
			out = append(out, p)
		}
	}
	return out
}

// itemText is the item's paragraphs joined as a text, what a redline of it
// compares.
func itemText(text string, ps []outline.Paragraph) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = strings.TrimRight(text[p.Start:p.End], "\n")
	}
	return strings.Join(parts, "\n\n")
}

// remoteData is the remote control: the head's items to choose from.
type remoteData struct {
	Slug, Title string
	Current     string
	Public      bool
	Items       []remoteItem
}

type remoteItem struct {
	Key, Label, Excerpt string
}

func (u *UI) handleRemote(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	if actor == nil {
		u.fail(c, drafting.Refuse("remote", drafting.ReasonSignIn, "sign in first"))
		return
	}
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	if err := u.svc.Authorize(ctx, actor, slug, drafting.ObjRevision, drafting.ActCommit); err != nil {
		u.fail(c, drafting.Refuse("remote", drafting.ReasonNotAChair, "only a chair of this document may do this"))
		return
	}
	st, err := u.svc.Hall().State(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Notice = notice(c)
	d := remoteData{Slug: slug, Title: dv.Title, Current: st.Item, Public: st.Public}
	if dv.Head != nil {
		_, text, err := u.svc.Documents.Text(ctx, actor, slug, dv.Head.Number)
		if err != nil {
			u.fail(c, err)
			return
		}
		t := string(text)
		for _, para := range outline.Parse(t) {
			switch para.Kind {
			case outline.KindItem, outline.KindSubItem, outline.KindHeading:
			default:
				continue
			}
			ex := []rune(strings.TrimSpace(para.Text(t)))
			if len(ex) > 60 {
				ex = append(ex[:60], '…')
			}
			d.Items = append(d.Items, remoteItem{Key: para.Label.Key(), Label: para.Label.Format(p.tag), Excerpt: string(ex)})
		}
	}
	p.Data = d
	u.render(c, http.StatusOK, "remote", p)
}

func (u *UI) handleHallSet(c *gin.Context) {
	slug := c.Param("slug")
	in := drafting.HallInput{Item: c.PostForm("item"), Public: c.PostForm("public") == "on"}
	if _, err := u.svc.Hall().SetItem(c.Request.Context(), shell.Actor(c), slug, in); err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/documents/"+url.PathEscape(slug)+"/hall/remote")
}
