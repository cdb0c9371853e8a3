package webui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
)

// editForm is a chair's direct edit of the text: the head it was written
// on, the new text and the revision's description.
type editForm struct {
	Base    int64
	Text    string
	Message string
}

type editData struct {
	Form editForm
	// Limit is the text limit, for the form's own check (issue 14).
	Limit textLimit
	// Stale is the head that appeared while the chair was editing (0: none):
	// the page says so and links to it; nothing was saved.
	Stale int64
}

// handleEditForm shows the head's text in an editor, for chairs.
func (u *UI) handleEditForm(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	if d := u.svc.Decide(ctx, actor, slug, drafting.ActionCommit); !d.Allowed {
		u.fail(c, drafting.Refuse("edit", d.Reason, "the editor is not offered"))
		return
	}
	f := editForm{}
	if dv.Head != nil {
		rev, text, err := u.svc.Documents.Text(ctx, actor, slug, dv.Head.Number)
		if err != nil {
			u.fail(c, err)
			return
		}
		f.Base, f.Text = rev.Number, string(text)
	}
	u.showEditForm(c, http.StatusOK, dv, editData{Form: f}, nil)
}

func (u *UI) showEditForm(c *gin.Context, status int, dv drafting.DocumentView, d editData, errs map[string]string) {
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(c.Request.Context(), shell.Actor(c), dv, "text")
	for k, v := range errs {
		p.Errors[k] = v
	}
	d.Limit = u.textLimitFor(u.langs[pickLanguage(c.Request)])
	p.Data = d
	u.render(c, status, "edit", p)
}

// handleEditCommit commits the edited text as a new revision on the base
// the form carries; a base that is no longer the head is refused and the
// page links to the new head, keeping the chair's text.
func (u *UI) handleEditCommit(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	t := u.langs[pickLanguage(c.Request)]
	if err := u.readTextForm(c, u.may(ctx, actor, slug, drafting.ActionCommit)); err != nil {
		if !errors.Is(err, errFormTooLarge) {
			u.fail(c, err)
			return
		}
		d := editData{}
		if dv.Head != nil {
			d.Form.Base = dv.Head.Number
		}
		u.showEditForm(c, http.StatusRequestEntityTooLarge, dv, d, map[string]string{"text": u.bodyTooLarge(t)})
		return
	}
	d := editData{Form: editForm{Text: normalizeNewlines(c.PostForm("text")), Message: strings.TrimSpace(c.PostForm("message"))}}
	if msg := u.textTooLarge(t, d.Form.Text); msg != "" {
		d.Form.Base, _ = strconv.ParseInt(c.PostForm("base"), 10, 64)
		u.showEditForm(c, http.StatusRequestEntityTooLarge, dv, d, map[string]string{"text": msg})
		return
	}
	d.Form.Base, err = strconv.ParseInt(c.PostForm("base"), 10, 64)
	errs := map[string]string{}
	if err != nil || d.Form.Base < 0 {
		errs["text"] = t.T("edit.no_base")
	}
	if d.Form.Message == "" {
		errs["message"] = t.T("form.required")
	}
	if errs["text"] == "" && d.Form.Base >= 1 {
		_, base, err := u.svc.Documents.Text(ctx, actor, slug, d.Form.Base)
		if err != nil {
			u.fail(c, err)
			return
		}
		if string(base) == d.Form.Text {
			errs["text"] = t.T("edit.unchanged")
		}
	}
	if len(errs) > 0 {
		u.showEditForm(c, http.StatusBadRequest, dv, d, errs)
		return
	}
	rev, err := u.svc.Documents.Commit(ctx, actor, slug, d.Form.Base, []byte(d.Form.Text), d.Form.Message)
	if err != nil {
		if head, ok := drafting.ErrorDetails(err)["head"].(int64); ok && drafting.ErrorReason(err) == drafting.ReasonStaleBase {
			d.Stale = head
			u.showEditForm(c, http.StatusConflict, dv, d, nil)
			return
		}
		if shownOnForm(err) {
			u.showEditForm(c, shell.Status(err), dv, d, formError(t, err, "text", "text", "message"))
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"?rev="+strconv.FormatInt(rev.Number, 10)+"&done=revision.committed")
}
