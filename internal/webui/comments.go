package webui

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
)

// commentCtx is what a page's threads need to offer their actions.
type commentCtx struct {
	Slug       string
	CanComment bool  // reply, and edit one's own comments
	CanResolve bool  // a chair: resolve any thread, hide comments
	Revision   int64 // the revision the page shows; 0 on a proposal's page
	Proposal   int64 // the proposal whose page this is; 0 on a document's page
	Me         int64 // the reader's user ID
	Versions   map[int64][]drafting.CommentVersion
}

// ReplyURL is where the page's replies are posted.
func (cc commentCtx) ReplyURL() string {
	if cc.Proposal > 0 {
		return "/documents/" + cc.Slug + "/proposals/" + strconv.FormatInt(cc.Proposal, 10) + "/comments"
	}
	return "/documents/" + cc.Slug + "/comments"
}

func (u *UI) commentCtx(ctx context.Context, actor *drafting.User, slug string, rev, prop int64) commentCtx {
	cc := commentCtx{Slug: slug, Revision: rev, Proposal: prop,
		CanComment: u.may(ctx, actor, slug, drafting.ActionComment),
		CanResolve: u.may(ctx, actor, slug, drafting.ActionHideComment),
		Versions:   map[int64][]drafting.CommentVersion{}}
	if actor != nil {
		cc.Me = actor.ID
	}
	return cc
}

// loadVersions reads the earlier bodies of the edited comments.
func (u *UI) loadVersions(ctx context.Context, actor *drafting.User, cc *commentCtx, cs []drafting.ListedComment) {
	for _, c := range cs {
		if c.Edited && !c.Hidden {
			if vs, err := u.svc.Comments.Versions(ctx, actor, cc.Slug, c.ID); err == nil {
				cc.Versions[c.ID] = vs
			}
		}
	}
}

func (u *UI) handleCommentCreate(c *gin.Context) {
	slug := c.Param("slug")
	f := commentForm{Body: normalizeNewlines(c.PostForm("body")), Start: c.PostForm("start"), End: c.PostForm("end"),
		Quote: normalizeNewlines(c.PostForm("quote")), Prefix: normalizeNewlines(c.PostForm("prefix")),
		Suffix: normalizeNewlines(c.PostForm("suffix"))}
	f.Revision, _ = strconv.ParseInt(c.PostForm("revision"), 10, 64)
	f.ReplyTo, _ = strconv.ParseInt(c.PostForm("reply_to"), 10, 64)
	t := u.langs[pickLanguage(c.Request)]
	field := "body"
	if f.ReplyTo != 0 {
		field = "reply-" + strconv.FormatInt(f.ReplyTo, 10)
	}
	if strings.TrimSpace(f.Body) == "" {
		u.showDocumentAt(c, http.StatusBadRequest, map[string]string{field: t.T("form.required")}, f)
		return
	}
	in := drafting.NewComment{Body: f.Body, ReplyTo: f.ReplyTo}
	if f.ReplyTo == 0 {
		in.Revision = f.Revision
	}
	if f.ReplyTo == 0 && f.Quote != "" {
		start, err1 := strconv.Atoi(f.Start)
		end, err2 := strconv.Atoi(f.End)
		if err1 != nil || err2 != nil {
			u.showDocumentAt(c, http.StatusBadRequest, map[string]string{"body": t.T("comments.bad_anchor")}, f)
			return
		}
		in.Anchor = &drafting.Anchor{Start: start, End: end, Quote: f.Quote, Prefix: f.Prefix, Suffix: f.Suffix}
	}
	var cm drafting.Comment
	err := u.sh.AllowComment(c.Request.Context(), shell.Actor(c))
	if err == nil {
		cm, err = u.svc.Comments.Add(c.Request.Context(), shell.Actor(c), slug, in)
	}
	if err != nil {
		shell.SetErrorHeaders(c, err)
		if shownOnForm(err) || drafting.ErrorKind(err) == drafting.KindNotFound {
			u.showDocumentAt(c, shell.Status(err), map[string]string{field: t.Reason(err)}, f)
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"?rev="+strconv.FormatInt(f.Revision, 10)+"&done=comments.added#c-"+strconv.FormatInt(cm.ID, 10))
}

// handleProposalCommentCreate adds a comment on a proposal, or a reply to
// one, from the proposal's page.
func (u *UI) handleProposalCommentCreate(c *gin.Context) {
	slug := c.Param("slug")
	n, ok := u.proposalNumber(c)
	if !ok {
		return
	}
	body := normalizeNewlines(c.PostForm("body"))
	replyTo, _ := strconv.ParseInt(c.PostForm("reply_to"), 10, 64)
	t := u.langs[pickLanguage(c.Request)]
	field := "body"
	if replyTo != 0 {
		field = "reply-" + strconv.FormatInt(replyTo, 10)
	}
	if strings.TrimSpace(body) == "" {
		u.showProposalComment(c, http.StatusBadRequest, map[string]string{field: t.T("form.required")}, body)
		return
	}
	in := drafting.NewComment{Body: body, ReplyTo: replyTo}
	if replyTo == 0 {
		in.Proposal = n
	}
	var cm drafting.Comment
	err := u.sh.AllowComment(c.Request.Context(), shell.Actor(c))
	if err == nil {
		cm, err = u.svc.Comments.Add(c.Request.Context(), shell.Actor(c), slug, in)
	}
	if err != nil {
		shell.SetErrorHeaders(c, err)
		if shownOnForm(err) || drafting.ErrorKind(err) == drafting.KindNotFound {
			u.showProposalComment(c, shell.Status(err), map[string]string{field: t.Reason(err)}, body)
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, commentBack(slug, 0, n, "comments.added", cm.ID))
}

// commentBack is the page a comment action returns to: the proposal's page
// or the document at the revision the form was on.
func commentBack(slug string, rev, prop int64, done string, id int64) string {
	if prop > 0 {
		return "/documents/" + slug + "/proposals/" + strconv.FormatInt(prop, 10) + "?done=" + done + "#c-" + strconv.FormatInt(id, 10)
	}
	r := ""
	if rev > 0 {
		r = strconv.FormatInt(rev, 10)
	}
	return "/documents/" + slug + "?rev=" + r + "&done=" + done + "#c-" + strconv.FormatInt(id, 10)
}

// formPlace is the revision and proposal a comment action's form was on.
func formPlace(c *gin.Context) (rev, prop int64) {
	rev, _ = strconv.ParseInt(c.PostForm("revision"), 10, 64)
	prop, _ = strconv.ParseInt(c.PostForm("proposal"), 10, 64)
	if rev < 0 {
		rev = 0
	}
	if prop < 0 {
		prop = 0
	}
	return rev, prop
}

// showCommentPage re-renders the page a comment action came from with its
// errors.
func (u *UI) showCommentPage(c *gin.Context, status int, errs map[string]string) {
	rev, prop := formPlace(c)
	if prop > 0 {
		c.Params = append(c.Params, gin.Param{Key: "p", Value: strconv.FormatInt(prop, 10)})
		u.showProposal(c, status, nil, errs)
		return
	}
	u.showDocumentAt(c, status, errs, commentForm{Revision: rev})
}

func (u *UI) showProposalComment(c *gin.Context, status int, errs map[string]string, body string) {
	c.Set("comment-body", body)
	u.showProposal(c, status, nil, errs)
}

func commentID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// handleCommentEdit replaces the body of the reader's own comment.
func (u *UI) handleCommentEdit(c *gin.Context) {
	slug := c.Param("slug")
	id, ok := commentID(c)
	if !ok {
		u.fail(c, drafting.Refuse("edit comment", drafting.ReasonNotFound, "no such comment"))
		return
	}
	t := u.langs[pickLanguage(c.Request)]
	field := "edit-" + strconv.FormatInt(id, 10)
	body := normalizeNewlines(c.PostForm("body"))
	if strings.TrimSpace(body) == "" {
		u.showCommentPage(c, http.StatusBadRequest, map[string]string{field: t.T("form.required")})
		return
	}
	if _, err := u.svc.Comments.Edit(c.Request.Context(), shell.Actor(c), slug, id, body); err != nil {
		if shownOnForm(err) {
			u.showCommentPage(c, shell.Status(err), map[string]string{field: t.Reason(err)})
			return
		}
		u.fail(c, err)
		return
	}
	rev, prop := formPlace(c)
	seeOther(c, commentBack(slug, rev, prop, "comments.edited", id))
}

// handleCommentHide hides a comment with a reason (chairs).
func (u *UI) handleCommentHide(c *gin.Context) {
	slug := c.Param("slug")
	id, ok := commentID(c)
	if !ok {
		u.fail(c, drafting.Refuse("hide comment", drafting.ReasonNotFound, "no such comment"))
		return
	}
	t := u.langs[pickLanguage(c.Request)]
	field := "hide-" + strconv.FormatInt(id, 10)
	reason := strings.TrimSpace(c.PostForm("reason"))
	if reason == "" {
		// Only a chair learns that a reason is missing; anyone else is
		// refused by the service.
		if u.may(c.Request.Context(), shell.Actor(c), slug, drafting.ActionHideComment) {
			u.showCommentPage(c, http.StatusBadRequest, map[string]string{field: t.T("form.required")})
			return
		}
	}
	if _, err := u.svc.Comments.Hide(c.Request.Context(), shell.Actor(c), slug, id, reason); err != nil {
		if shownOnForm(err) {
			u.showCommentPage(c, shell.Status(err), map[string]string{field: t.Reason(err)})
			return
		}
		u.fail(c, err)
		return
	}
	rev, prop := formPlace(c)
	seeOther(c, commentBack(slug, rev, prop, "comments.moderated", id))
}

// showDocumentAt re-renders the document page at the revision the form was
// about, with its errors.
func (u *UI) showDocumentAt(c *gin.Context, status int, errs map[string]string, f commentForm) {
	q := c.Request.URL.Query()
	if f.Revision > 0 {
		q.Set("rev", strconv.FormatInt(f.Revision, 10))
	}
	c.Request.URL.RawQuery = q.Encode()
	u.showDocument(c, status, errs, f)
}

func (u *UI) handleCommentResolve(c *gin.Context) { u.resolve(c, true) }
func (u *UI) handleCommentReopen(c *gin.Context)  { u.resolve(c, false) }

func (u *UI) resolve(c *gin.Context, resolved bool) {
	slug := c.Param("slug")
	id, ok := commentID(c)
	if !ok {
		u.fail(c, drafting.Refuse("resolve thread", drafting.ReasonNotFound, "no such comment"))
		return
	}
	if _, err := u.svc.Comments.Resolve(c.Request.Context(), shell.Actor(c), slug, id, resolved); err != nil {
		u.fail(c, err)
		return
	}
	done := "comments.resolved"
	if !resolved {
		done = "comments.reopened"
	}
	rev, prop := formPlace(c)
	seeOther(c, commentBack(slug, rev, prop, done, id))
}
