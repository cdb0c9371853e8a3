package webui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
)

// approvalsData is the approvals page: a revision's approvals as they count
// now, and what the reader may do with it, as the service decided (its
// Status answers with the rules Approve and Adopt apply).
type approvalsData struct {
	Status    drafting.ApprovalStatus
	Adoptions []drafting.Adoption
	Stages    []string        // the stages the reader may adopt the revision at now
	NoApprove drafting.Reason // why a chair may not approve it now
	NoAdopt   drafting.Reason // why a chair may adopt it at no stage now
	Stage     string
	Note      string
	Override  string
}

func (u *UI) handleApprovals(c *gin.Context) {
	u.showApprovals(c, http.StatusOK, 0, nil, approvalsData{})
}

func (u *UI) showApprovals(c *gin.Context, status int, n int64, errs map[string]string, form approvalsData) {
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
	p.Doc = u.tabs(ctx, actor, dv, "approvals")
	p.Notice = notice(c)
	for k, v := range errs {
		p.Errors[k] = v
	}
	d := form
	if pub, err := u.svc.Adoptions.Public(ctx, actor, slug); err == nil {
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
	st, err := u.svc.Adoptions.Status(ctx, actor, slug, n)
	if err != nil {
		u.fail(c, err)
		return
	}
	d.Status = st
	if st.AdoptBasis.Allowed {
		d.Stages = append(d.Stages, drafting.StageBasis)
	}
	if st.AdoptFinal.Allowed {
		d.Stages = append(d.Stages, drafting.StageFinal)
	}
	// A chair is told why an action is not offered; anyone else is not
	// offered it and that is all (their role is the reason).
	if !st.Approve.Allowed && !st.Approved && ownReason(st.Approve.Reason) {
		d.NoApprove = st.Approve.Reason
	}
	if len(d.Stages) == 0 && ownReason(st.AdoptFinal.Reason) {
		// The final stage's reason is the one that says what is missing
		// (the head, the quorum, a closed document).
		d.NoAdopt = st.AdoptFinal.Reason
	}
	if d.Stage == "" && len(d.Stages) > 0 {
		d.Stage = d.Stages[0]
	}
	p.Data = d
	u.render(c, status, "approvals", p)
}

func (u *UI) handleApprove(c *gin.Context) {
	slug := c.Param("slug")
	n, _ := strconv.ParseInt(c.PostForm("revision"), 10, 64)
	sum := c.PostForm("sha256")
	note := strings.TrimSpace(c.PostForm("note"))
	if _, err := u.svc.Adoptions.Approve(c.Request.Context(), shell.Actor(c), slug, n, sum, note); err != nil {
		if shownOnForm(err) || drafting.ErrorKind(err) == drafting.KindNotFound {
			t := u.langs[pickLanguage(c.Request)]
			u.showApprovals(c, shell.Status(err), n, map[string]string{"approve": t.Reason(err)}, approvalsData{Note: note})
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
	if _, err := u.svc.Adoptions.Adopt(c.Request.Context(), shell.Actor(c), slug, n, in); err != nil {
		if shownOnForm(err) || drafting.ErrorKind(err) == drafting.KindNotFound {
			t := u.langs[pickLanguage(c.Request)]
			u.showApprovals(c, shell.Status(err), n, formError(t, err, "adopt", "override_reason", "stage"),
				approvalsData{Stage: in.Stage, Note: in.Note, Override: in.OverrideReason})
			return
		}
		u.fail(c, err)
		return
	}
	u.public.forget(slug)
	seeOther(c, "/documents/"+slug+"/approvals?rev="+strconv.FormatInt(n, 10)+"&done=approvals.adopted")
}

// ownReason reports whether a refusal is about the document or the
// revision rather than about who is asking.
func ownReason(r drafting.Reason) bool {
	switch r.Kind() {
	case drafting.KindForbidden, drafting.KindUnauthenticated, drafting.KindInternal:
		return false
	}
	return r != ""
}
