package webui

import (
	"context"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/markup"
	"redline/internal/shell"
	"redline/internal/textdiff"
)

// notices are the confirmations a redirect may ask a page to show.
var notices = map[string]bool{
	"users.created": true, "users.updated": true, "documents.created": true, "proposal.created": true,
	"proposal.merged": true, "proposal.rejected": true, "proposal.withdrawn": true, "approvals.approved": true,
	"approvals.adopted": true, "comments.moderated": true, "comments.added": true, "comments.resolved": true, "comments.reopened": true,
	"members.updated": true, "members.removed": true, "revision.committed": true, "comments.edited": true,
	"comments.hidden": true, "document.reopened": true,
}

func notice(c *gin.Context) string {
	if n := c.Query("done"); notices[n] {
		return n
	}
	return ""
}

// docTabs is the header of every page about one document: its state in
// the procedure and what the reader may do with it now, as the service
// decides.
type docTabs struct {
	Slug, Title   string
	Tab           string
	Head          int64
	State         string // drafting, basis or final
	CanMembers    bool
	CanAudit      bool
	CanProposals  bool // reads proposals: their list, the table of amendments, the hall (issue 14)
	CanPropose    bool
	CanCommit     bool // a chair: may edit and commit the text directly
	CanReopen     bool // an administrator, on a final document
	OpenProposals int
	Reopen        string // the reason a refused reopening form sends back
	LabelLang     string // the language paragraph labels are written in (issue 14)
}

// can asks the authorizer about something outside the procedure (the
// members' page, the audit log).
func (u *UI) can(ctx context.Context, actor *drafting.User, slug, obj, act string) bool {
	return u.svc.Authorize(ctx, actor, slug, obj, act) == nil
}

// may asks the service whether actor may take a step of the procedure now.
func (u *UI) may(ctx context.Context, actor *drafting.User, slug string, a drafting.Action) bool {
	return u.svc.Decide(ctx, actor, slug, a).Allowed
}

func (u *UI) tabs(ctx context.Context, actor *drafting.User, dv drafting.DocumentView, tab string) *docTabs {
	may := u.svc.Decisions(ctx, actor, dv.Slug, drafting.ActionPropose, drafting.ActionCommit, drafting.ActionReopen)
	t := &docTabs{Slug: dv.Slug, Title: dv.Title, Tab: tab, State: string(dv.State), LabelLang: drafting.LabelLanguage(dv.Language),
		CanMembers: u.can(ctx, actor, dv.Slug, drafting.ObjDocument, drafting.ActManageMembers),
		CanAudit:   u.can(ctx, actor, dv.Slug, drafting.ObjAudit, drafting.ActRead),
		// issue 14: a tab is shown only to who may open it.
		CanProposals: u.can(ctx, actor, dv.Slug, drafting.ObjProposal, drafting.ActRead),
		CanPropose:   may[drafting.ActionPropose].Allowed,
		CanCommit:    may[drafting.ActionCommit].Allowed,
		CanReopen:    may[drafting.ActionReopen].Allowed,
	}
	if dv.Head != nil {
		t.Head = dv.Head.Number
	}
	if !t.CanProposals {
		return t
	}
	if ps, err := u.svc.Proposals.List(ctx, actor, dv.Slug, drafting.ProposalOpen); err == nil {
		t.OpenProposals = len(ps)
	}
	return t
}

type documentsData struct {
	Documents []drafting.Document
	CanCreate bool
	Form      documentForm
}

type documentForm struct {
	Slug, Title, Text string
	Approvals         int
}

func (u *UI) handleDocuments(c *gin.Context) {
	u.showDocuments(c, http.StatusOK, nil, documentForm{Approvals: 1})
}

func (u *UI) showDocuments(c *gin.Context, status int, errs map[string]string, f documentForm) {
	actor := shell.Actor(c)
	ds, err := u.svc.Documents.List(c.Request.Context(), actor)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, "")
	p.Title = p.T("documents.title")
	p.Section = "documents"
	p.Notice = notice(c)
	for k, v := range errs {
		p.Errors[k] = v
	}
	p.Data = documentsData{Documents: ds, CanCreate: actor != nil && actor.Admin, Form: f}
	u.render(c, status, "documents", p)
}

func (u *UI) handleDocumentCreate(c *gin.Context) {
	t := u.langs[pickLanguage(c.Request)]
	f := documentForm{Slug: strings.TrimSpace(c.PostForm("slug")), Title: strings.TrimSpace(c.PostForm("title")),
		Text: normalizeNewlines(c.PostForm("text"))}
	f.Approvals, _ = strconv.Atoi(c.PostForm("approvals_required"))
	errs := map[string]string{}
	if !drafting.ValidSlug(f.Slug) {
		errs["slug"] = t.T("documents.slug_invalid")
	}
	if f.Title == "" {
		errs["title"] = t.T("form.required")
	}
	if f.Approvals < 1 || f.Approvals > 50 {
		errs["approvals_required"] = t.T("documents.approvals_invalid")
	}
	if len(errs) > 0 {
		u.showDocuments(c, http.StatusBadRequest, errs, f)
		return
	}
	in := drafting.NewDocument{Slug: f.Slug, Title: f.Title, ApprovalsRequired: f.Approvals, Message: t.T("documents.first_message")}
	if strings.TrimSpace(f.Text) != "" {
		in.Text = &f.Text
	}
	if _, err := u.svc.Documents.Create(c.Request.Context(), shell.Actor(c), in); err != nil {
		if shownOnForm(err) {
			u.showDocuments(c, shell.Status(err), formError(t, err, "text", "slug", "title", "approvals_required", "text"), f)
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+f.Slug+"?done=documents.created")
}

// normalizeNewlines turns the CRLF browsers send from a textarea into LF.
func normalizeNewlines(s string) string { return textdiff.NormalizeNewlines(s) }

// para is one paragraph of a text as a page shows it.
type para struct {
	Index   int    // 0-based, as the service counts paragraphs
	Start   int    // offset of its first code point in the whole text
	Text    string // without the blank lines after it
	Open    int    // open threads anchored in it
	Threads []*thread
	Item    drafting.ItemRef // its label (issue 14)
}

// splitParas cuts text into paragraphs where the service does (a line
// break, a blank line, then a non-blank character), with code-point offsets.
func splitParas(text string) []para {
	runes := []rune(text)
	var out []para
	start := 0
	flush := func(end int) {
		out = append(out, para{Index: len(out), Start: start, Text: strings.TrimRight(string(runes[start:end]), "\n")})
	}
	for i := 1; i < len(runes); i++ {
		if runes[i-1] == '\n' && runes[i] != '\n' && i >= 2 && runes[i-2] == '\n' {
			flush(i)
			start = i
		}
	}
	if len(runes) > 0 {
		flush(len(runes))
	}
	return out
}

// thread is a first comment and its replies.
type thread struct {
	Root    drafting.ListedComment
	Body    template.HTML
	Replies []reply
}

type reply struct {
	drafting.ListedComment
	Body template.HTML
}

type documentData struct {
	Doc          drafting.DocumentView
	Rev          *drafting.Revision
	IsHead       bool
	Paras        []para
	General      []*thread // general and outdated threads
	Adoption     *drafting.Adoption
	Amended      *drafting.Reopening // reopened after its final adoption
	Approvals    *drafting.ApprovalStatus
	CanComment   bool
	NoComment    drafting.Reason // why not, when the reader may read comments
	Form         commentForm
	CommentsRead bool
	C            commentCtx // what the threads offer
}

type commentForm struct {
	Reopen                string // the reason of a refused reopening
	Body                  string
	Start, End            string
	Quote, Prefix, Suffix string
	ReplyTo               int64
	Revision              int64
}

func (u *UI) handleDocument(c *gin.Context) { u.showDocument(c, http.StatusOK, nil, commentForm{}) }

func (u *UI) showDocument(c *gin.Context, status int, errs map[string]string, form commentForm) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "text")
	p.Doc.Reopen = form.Reopen
	p.Notice = notice(c)
	for k, v := range errs {
		p.Errors[k] = v
	}
	d := documentData{Doc: dv, Form: form}
	if dec := u.svc.Decide(ctx, actor, slug, drafting.ActionComment); dec.Allowed {
		d.CanComment = true
	} else if u.can(ctx, actor, slug, drafting.ObjComment, drafting.ActRead) {
		d.NoComment = dec.Reason
	}
	if pub, err := u.svc.Adoptions.Public(ctx, actor, slug); err == nil {
		a := pub.Current
		d.Adoption, d.Amended = &a, pub.Amended
	}
	if dv.Head != nil {
		n := dv.Head.Number
		if q := c.Query("rev"); q != "" {
			if v, err := strconv.ParseInt(q, 10, 64); err == nil && v > 0 {
				n = v
			}
		}
		rev, text, err := u.svc.Documents.Text(ctx, actor, slug, n)
		if err != nil {
			u.fail(c, err)
			return
		}
		d.Rev = &rev
		d.IsHead = rev.Number == dv.Head.Number
		if d.Form.Revision == 0 {
			d.Form.Revision = rev.Number
		}
		d.C = u.commentCtx(ctx, actor, slug, rev.Number, 0)
		d.Paras = labelParas(splitParas(string(text)), string(text), dv.Language)
		if st, err := u.svc.Adoptions.Status(ctx, actor, slug, rev.Number); err == nil {
			d.Approvals = &st
		}
		if l, err := u.svc.Comments.List(ctx, actor, slug, rev.Number, drafting.CommentFilter{}); err == nil {
			d.CommentsRead = true
			d.General = placeThreads(l, d.Paras)
			u.loadVersions(ctx, actor, &d.C, l.Comments)
		}
	}
	p.Data = d
	u.render(c, status, "document", p)
}

// placeThreads puts each thread beside the paragraph its anchor maps to, and
// returns the rest (general comments and outdated anchors).
func placeThreads(l drafting.CommentListing, paras []para) []*thread {
	threads := map[int64]*thread{}
	var order []*thread
	for _, lc := range l.Comments {
		if lc.ID == lc.Thread {
			t := &thread{Root: lc, Body: markup.Render(lc.Body)}
			threads[lc.ID] = t
			order = append(order, t)
		}
	}
	for _, lc := range l.Comments {
		if lc.ID != lc.Thread {
			if t := threads[lc.Thread]; t != nil {
				t.Replies = append(t.Replies, reply{ListedComment: lc, Body: markup.Render(lc.Body)})
			}
		}
	}
	var general []*thread
	for _, t := range order {
		sort.SliceStable(t.Replies, func(i, j int) bool { return t.Replies[i].ID < t.Replies[j].ID })
		if i := t.Root.Paragraph; i >= 0 && i < len(paras) && t.Root.Status != drafting.AnchorOutdated {
			paras[i].Threads = append(paras[i].Threads, t)
			continue
		}
		general = append(general, t)
	}
	for i := range paras {
		paras[i].Open = l.OpenThreads[i]
	}
	return general
}

type historyData struct {
	Revisions []drafting.Revision
	From, To  int64
}

func (u *UI) handleHistory(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	revs, err := u.svc.Documents.Revisions(ctx, actor, slug, 500, 0)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "history")
	d := historyData{Revisions: revs}
	if len(revs) > 0 {
		d.To = revs[0].Number
		d.From = d.To - 1
		if d.From < 1 {
			d.From = 1
		}
	}
	p.Data = d
	u.render(c, http.StatusOK, "history", p)
}

type eventsData struct {
	Events []eventRow
}

func (u *UI) handleEvents(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	evs, err := u.svc.Documents.LatestEvents(ctx, actor, slug, 1000)
	if err != nil {
		u.fail(c, err)
		return
	}
	// Newest first reads best on a page.
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "events")
	p.Data = eventsData{Events: p.eventRows(evs)}
	u.render(c, http.StatusOK, "events", p)
}

type membersData struct {
	Members []drafting.Member
	// CanChairs: may appoint and remove chairs (an administrator); others
	// are not offered the role, and see why they cannot remove a chair.
	CanChairs bool
	Roles     []string
	Login     string
	Role      string
}

func (u *UI) handleMembers(c *gin.Context) { u.showMembers(c, http.StatusOK, nil, "", "member") }

func (u *UI) showMembers(c *gin.Context, status int, errs map[string]string, login, role string) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	ms, err := u.svc.Members.List(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "members")
	p.Notice = notice(c)
	for k, v := range errs {
		p.Errors[k] = v
	}
	chairs := u.can(ctx, actor, slug, drafting.ObjDocument, drafting.ActAppointChair)
	roles := drafting.DocumentRoles
	if !chairs {
		roles = nil
		for _, r := range drafting.DocumentRoles {
			if r != drafting.RoleChair {
				roles = append(roles, r)
			}
		}
	}
	p.Data = membersData{Members: ms, Roles: roles, Login: login, Role: role, CanChairs: chairs}
	u.render(c, status, "members", p)
}

func (u *UI) handleMemberSet(c *gin.Context) {
	slug := c.Param("slug")
	login, role := strings.TrimSpace(c.PostForm("login")), c.PostForm("role")
	if _, err := u.svc.Members.Set(c.Request.Context(), shell.Actor(c), slug, login, role); err != nil {
		if shownOnForm(err) || drafting.ErrorReason(err) == drafting.ReasonUserNotFound {
			t := u.langs[pickLanguage(c.Request)]
			u.showMembers(c, shell.Status(err), map[string]string{"login": t.Reason(err)}, login, role)
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/members?done=members.updated")
}

func (u *UI) handleMemberRemove(c *gin.Context) {
	slug := c.Param("slug")
	if err := u.svc.Members.Remove(c.Request.Context(), shell.Actor(c), slug, c.Param("login")); err != nil {
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/members?done=members.removed")
}

// handleReopen reopens a document adopted as a whole (an administrator,
// with a reason); a refusal is shown on the document's page.
func (u *UI) handleReopen(c *gin.Context) {
	slug := c.Param("slug")
	reason := strings.TrimSpace(c.PostForm("reason"))
	if _, err := u.svc.Documents.Reopen(c.Request.Context(), shell.Actor(c), slug, reason); err != nil {
		// Not closed (reopened already, say by a second click): the page
		// has no reopening form to say it beside.
		if shownOnForm(err) && drafting.ErrorReason(err) != drafting.ReasonNotClosed {
			t := u.langs[pickLanguage(c.Request)]
			u.showDocument(c, shell.Status(err), map[string]string{"reopen": t.Reason(err)}, commentForm{Reopen: reason})
			return
		}
		u.fail(c, err)
		return
	}
	u.public.forget(slug)
	seeOther(c, "/documents/"+slug+"?done=document.reopened")
}
