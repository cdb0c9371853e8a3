package webui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/httpapi"
)

type approvalsData struct {
	Status     drafting.ApprovalStatus
	IsHead     bool
	Approved   bool // the caller has approved this revision
	CanApprove bool
	CanAdopt   bool
	Adoptions  []drafting.Adoption
	Stage      string
	Note       string
	Override   string
}

func (u *UI) handleApprovals(c *gin.Context) {
	u.showApprovals(c, http.StatusOK, 0, nil, approvalsData{})
}

func (u *UI) showApprovals(c *gin.Context, status int, n int64, errs map[string]string, form approvalsData) {
	ctx := c.Request.Context()
	actor := httpapi.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Document(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "approvals")
	p.Notice = notice(c)
	for k, v := range errs {
		p.Errors[k] = v
	}
	d := form
	if d.Stage == "" {
		d.Stage = drafting.StageBasis
	}
	if pub, err := u.svc.Public(ctx, actor, slug); err == nil {
		d.Adoptions = pub.Adoptions
	}
	if dv.Head == nil {
		p.Data = d
		u.render(c, status, "approvals", p)
		return
	}
	if n == 0 {
		n = dv.Head.Number
		if v, err := strconv.ParseInt(c.Query("rev"), 10, 64); err == nil && v > 0 {
			n = v
		}
	}
	st, err := u.svc.Approvals(ctx, actor, slug, n)
	if err != nil {
		u.fail(c, err)
		return
	}
	d.Status = st
	d.IsHead = n == dv.Head.Number
	for _, a := range st.Approvals {
		if actor != nil && a.ChairID == actor.ID {
			d.Approved = true
		}
	}
	d.CanApprove = d.IsHead && !d.Approved && u.can(ctx, actor, slug, drafting.ObjApproval, drafting.ActCreate)
	d.CanAdopt = st.Reached && u.can(ctx, actor, slug, drafting.ObjAdoption, drafting.ActCreate)
	p.Data = d
	u.render(c, status, "approvals", p)
}

func (u *UI) handleApprove(c *gin.Context) {
	slug := c.Param("slug")
	n, _ := strconv.ParseInt(c.PostForm("revision"), 10, 64)
	sum := c.PostForm("sha256")
	note := strings.TrimSpace(c.PostForm("note"))
	if _, err := u.svc.Approve(c.Request.Context(), httpapi.Actor(c), slug, n, sum, note); err != nil {
		if k := drafting.ErrorKind(err); k == drafting.KindInvalid || k == drafting.KindConflict || k == drafting.KindNotFound {
			t := u.langs[pickLanguage(c.Request)]
			u.showApprovals(c, httpapi.StatusOf(k), n, map[string]string{"approve": formError(t, "approve", err)},
				approvalsData{Note: note})
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/approvals?rev="+strconv.FormatInt(n, 10)+"&done=approvals.approved")
}

func (u *UI) handleAdopt(c *gin.Context) {
	slug := c.Param("slug")
	n, _ := strconv.ParseInt(c.PostForm("revision"), 10, 64)
	in := drafting.AdoptInput{Stage: c.PostForm("stage"), Note: strings.TrimSpace(c.PostForm("note")),
		OverrideReason: strings.TrimSpace(c.PostForm("override_reason"))}
	if _, err := u.svc.Adopt(c.Request.Context(), httpapi.Actor(c), slug, n, in); err != nil {
		if k := drafting.ErrorKind(err); k == drafting.KindInvalid || k == drafting.KindConflict || k == drafting.KindNotFound {
			t := u.langs[pickLanguage(c.Request)]
			field := "adopt"
			if drafting.ErrorDetails(err)["open_threads"] != nil {
				field = "override_reason"
			}
			u.showApprovals(c, httpapi.StatusOf(k), n, map[string]string{field: formError(t, "adopt", err)},
				approvalsData{Stage: in.Stage, Note: in.Note, Override: in.OverrideReason})
			return
		}
		u.fail(c, err)
		return
	}
	u.public.forget(slug)
	seeOther(c, "/documents/"+slug+"/approvals?rev="+strconv.FormatInt(n, 10)+"&done=approvals.adopted")
}
