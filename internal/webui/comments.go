package webui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/httpapi"
)

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
	cm, err := u.svc.AddComment(c.Request.Context(), httpapi.Actor(c), slug, in)
	if err != nil {
		if k := drafting.ErrorKind(err); k == drafting.KindInvalid || k == drafting.KindTooLarge || k == drafting.KindNotFound {
			u.showDocumentAt(c, statusOf(k), map[string]string{field: errorText(t, err) + " " + drafting.ErrorMessage(err)}, f)
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"?rev="+strconv.FormatInt(f.Revision, 10)+"&done=comments.added#c-"+strconv.FormatInt(cm.ID, 10))
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
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		u.fail(c, drafting.E(drafting.KindNotFound, "resolve thread", "no such comment"))
		return
	}
	if _, err := u.svc.ResolveThread(c.Request.Context(), httpapi.Actor(c), slug, id, resolved); err != nil {
		u.fail(c, err)
		return
	}
	done := "comments.resolved"
	if !resolved {
		done = "comments.reopened"
	}
	rev := c.PostForm("revision")
	if _, err := strconv.ParseInt(rev, 10, 64); err != nil {
		rev = ""
	}
	seeOther(c, "/documents/"+slug+"?rev="+rev+"&done="+done+"#c-"+strconv.FormatInt(id, 10))
}
